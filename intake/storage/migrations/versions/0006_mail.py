"""mails: a content hash, so that a reused Message-ID is a different mail

Revision ID: 0006_mail
Revises: 0005_letters
Create Date: 2019-11-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_mail"
down_revision = "0005_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mails") as batch:
        batch.add_column(sa.Column("content_sha256", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("mails") as batch:
        batch.drop_column("content_sha256")
