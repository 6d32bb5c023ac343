"""letters: the outcome last told to each provider, recorded before it is mailed

Revision ID: 0005_letters
Revises: 0004_desk
Create Date: 2019-11-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_letters"
down_revision = "0004_desk"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("provider_agb", sa.String(16), nullable=False, index=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False, unique=True),
        sa.Column("recipient", sa.String(320)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ),
    )


def downgrade() -> None:
    op.drop_table("letters")
