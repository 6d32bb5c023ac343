"""Judging a document: the pipeline from sniffed bytes to a verdict."""
