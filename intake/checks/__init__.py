"""Checks on an extracted workbook: each returns findings, none raises on bad data."""
