"""Casework: the staff side of the ledger, one case per provider per campaign.

Read models (case list, case page, to-do list) and the actions staff take on a
case (decide, note), used by the desk and by the mailed digest alike.
"""
