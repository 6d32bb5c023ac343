"""desk security: login attempts for throttling, server-side sessions

Revision ID: 0011_sessions
Revises: 0007_letter_campaign
Create Date: 2026-12-02

Throttling counts attempts per account and per (account, address) in a table of its
own rather than in the audit trail, which it used to scan.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_sessions"
down_revision = "0007_letter_campaign"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_account", "login_attempts", ["account", "at"])
    op.create_index("ix_login_attempts_address", "login_attempts", ["address", "at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
