"""counters: events that leave no other trace in the ledger (for /metrics)

Revision ID: 0009_counters
Revises: 0011_sessions
Create Date: 2020-11-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_counters"
down_revision = "0011_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("counters")
