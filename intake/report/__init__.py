"""Turning verdicts into what providers and staff read: HTML, text, PDF and JSON."""
