"""status_history: the case's status changes as records (from, to, when, who, why)

Revision ID: 0010_status_history
Revises: 0009_counters
Create Date: 2020-11-20

Until now the desk derived a case's status history from its documents and decisions
each time it showed the case. Cases of an older ledger get their first record (from
nothing to the status they have) at the next change or sweep.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_status_history"
down_revision = "0009_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign", sa.String(64), nullable=False),
        sa.Column("agb", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_status_history_case", "status_history", ["campaign", "agb"])


def downgrade() -> None:
    op.drop_index("ix_status_history_case", "status_history")
    op.drop_table("status_history")
