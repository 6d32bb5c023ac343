"""Intake of kwaliteitsbudget applications for a Wlz care office."""

__version__ = "0.1.0"
