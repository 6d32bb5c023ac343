"""claims with leases for mails, files and channel runs; the drop folder's state

Revision ID: 0002_claims
Revises: 0006_mail
Create Date: 2019-11-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_claims"
down_revision = "0006_mail"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("name", sa.String(1200), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("claimed_at", TZ, nullable=False),
    )
    op.create_table(
        "folder_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("folder_items")
    op.drop_table("claims")
