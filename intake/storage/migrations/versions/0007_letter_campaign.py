"""letters: the campaign whose case a letter is about

Revision ID: 0007_letter_campaign
Revises: 0003_campaigns
Create Date: 2020-10-01

One provider has one case per campaign, so what it was last told is kept per
campaign too. Rows from before belong to the campaign the ledger is opened with.
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0007_letter_campaign"
down_revision = "0003_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("campaign", sa.String(64)))
        batch.create_index("ix_letters_case", ["campaign", "provider_agb"])
    default = context.config.attributes.get("default_campaign")
    if default:
        op.get_bind().execute(
            sa.text("UPDATE letters SET campaign = :c WHERE campaign IS NULL"), {"c": default}
        )


def downgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.drop_index("ix_letters_case")
        batch.drop_column("campaign")
