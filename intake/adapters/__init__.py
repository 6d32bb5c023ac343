"""Adapters to the outside world's formats and protocols; they know nothing of the ledger."""
