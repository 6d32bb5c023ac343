"""campaigns: every document and provider case belongs to one campaign

Revision ID: 0003_campaigns
Revises: 0002_claims
Create Date: 2020-09-01

Rows from before this revision belong to the campaign the ledger is opened with
(`Ledger.open(..., default_campaign=...)`, handed over in the Alembic attributes).
A provider has one case per campaign, so its key becomes (campaign, agb).
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0003_campaigns"
down_revision = "0002_claims"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _default() -> str | None:
    return context.config.attributes.get("default_campaign")


def _provider_columns(keyed_by_campaign: bool) -> list[sa.Column]:
    key = [sa.Column("campaign", sa.String(64), primary_key=True)] if keyed_by_campaign else []
    return [
        *key,
        sa.Column("agb", sa.String(16), primary_key=True),
        sa.Column("naam", sa.String(512)),
        sa.Column("model_document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("plan_document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("contact", sa.String(320)),
        sa.Column("last_reminder_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    ]


COPIED = "agb, naam, model_document_id, plan_document_id, contact, last_reminder_at, updated_at"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("campaign", sa.String(64)))
        batch.add_column(sa.Column("rules_version", sa.String(64)))
        batch.create_index("ix_documents_campaign", ["campaign"])
    bind = op.get_bind()
    default = _default()
    if default:
        bind.execute(
            sa.text("UPDATE documents SET campaign = :c WHERE campaign IS NULL"), {"c": default}
        )
    op.create_table("providers_campaigns", *_provider_columns(True))
    bind.execute(
        sa.text(
            f"INSERT INTO providers_campaigns (campaign, {COPIED}) "
            f"SELECT :c, {COPIED} FROM providers"
        ),
        {"c": default or ""},
    )
    op.drop_table("providers")
    op.rename_table("providers_campaigns", "providers")


def downgrade() -> None:
    op.create_table("providers_single", *_provider_columns(False))
    op.get_bind().execute(
        sa.text(
            f"INSERT INTO providers_single ({COPIED}) SELECT {COPIED} FROM providers "
            "WHERE campaign = (SELECT MIN(campaign) FROM providers)"
        )
    )
    op.drop_table("providers")
    op.rename_table("providers_single", "providers")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_campaign")
        batch.drop_column("rules_version")
        batch.drop_column("campaign")
