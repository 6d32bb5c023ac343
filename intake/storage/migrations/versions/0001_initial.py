"""initial ledger: mails, documents, findings, replies, providers

Revision ID: 0001
Revises:
Create Date: 2019-10-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_key", sa.String(998), nullable=False, unique=True),
        sa.Column("message_id", sa.String(998)),
        sa.Column("folder", sa.String(255)),
        sa.Column("uidvalidity", sa.BigInteger),
        sa.Column("uid", sa.BigInteger),
        sa.Column("sender", sa.String(320)),
        sa.Column("subject", sa.Text),
        sa.Column("received", TZ),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("reply_message_id", sa.String(998)),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("filename", sa.String(1024), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("mail_id", sa.Integer, sa.ForeignKey("mails.id")),
        sa.Column("source", sa.Text),
        sa.Column("sender", sa.String(320)),
        sa.Column("received", TZ, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider_agb", sa.String(16), index=True),
        sa.Column("template_version", sa.String(32)),
        sa.Column("verdict_json", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False,
                  index=True),
        sa.Column("code", sa.String(64), nullable=False, index=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("location", sa.String(255)),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_table(
        "replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mail_id", sa.Integer, sa.ForeignKey("mails.id")),
        sa.Column("provider_agb", sa.String(16)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("sent_at", TZ, nullable=False),
    )
    op.create_table(
        "providers",
        sa.Column("agb", sa.String(16), primary_key=True),
        sa.Column("naam", sa.String(512)),
        sa.Column("model_document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("plan_document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("contact", sa.String(320)),
        sa.Column("last_reminder_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("providers", "replies", "findings", "documents", "mails"):
        op.drop_table(table)
