"""desk security: login attempts for throttling, server-side sessions

Revision ID: 0011_sessions
Revises: 0008_extensions
Create Date: 2026-12-02

Throttling counts attempts per account and per (account, address) in a table of its
own rather than in the audit trail, which it used to scan. A session is a row the
signed cookie points at, so logout, a disabled account or an idle timeout end it on
the server: a copied cookie opens nothing afterwards. And an index for a case's
documents (provider within campaign): without it SQLite searched the campaign index,
every document of the campaign, for each case page.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_sessions"
down_revision = "0008_extensions"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_account", "login_attempts", ["account", "at"])
    op.create_index("ix_login_attempts_address", "login_attempts", ["address", "at"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
        sa.Column("ended_at", TZ),
        sa.Column("end_reason", sa.String(16)),
    )
    op.create_index("ix_sessions_user_name", "sessions", ["user_name"])
    op.create_index("ix_documents_case", "documents", ["provider_agb", "campaign"])


def downgrade() -> None:
    op.drop_index("ix_documents_case", "documents")
    op.drop_table("sessions")
    op.drop_table("login_attempts")
