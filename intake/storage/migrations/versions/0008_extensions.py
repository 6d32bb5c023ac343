"""extensions: uitstel for one provider in one campaign

Revision ID: 0008_extensions
Revises: 0007_letter_campaign
Create Date: 2020-04-01

Staff give one provider more time (uitstel); a document received on or before the
date is not late. Recorded with actor and reason like a decision; revoking keeps
the row (revoked_at, revoked_by), so the case's history shows both.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_extensions"
down_revision = "0007_letter_campaign"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign", sa.String(64), nullable=False),
        sa.Column("agb", sa.String(16), nullable=False),
        sa.Column("until", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String(64)),
    )
    op.create_index("ix_extensions_case", "extensions", ["campaign", "agb"])


def downgrade() -> None:
    op.drop_index("ix_extensions_case", "extensions")
    op.drop_table("extensions")
