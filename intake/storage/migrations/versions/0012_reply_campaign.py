"""replies: the campaign whose case a reply, letter, reminder or decision mail is about

Revision ID: 0012_reply_campaign
Revises: 0010_status_history
Create Date: 2020-11-20

A provider has one case per campaign, so every mail out names the campaign of its
case. Rows from before belong to the campaign the ledger is opened with.
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0012_reply_campaign"
down_revision = "0010_status_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("campaign", sa.String(64)))
    default = context.config.attributes.get("default_campaign")
    if default:
        op.get_bind().execute(
            sa.text("UPDATE replies SET campaign = :c WHERE campaign IS NULL"), {"c": default}
        )


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_column("campaign")
