"""The ledger's tables (SQLAlchemy Core). The domain never sees these."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

mails = sa.Table(
    "mails",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Message-ID, or sha256 of the raw message when a sender's client left it out.
    sa.Column("message_key", sa.String(998), nullable=False, unique=True),
    sa.Column("message_id", sa.String(998)),
    sa.Column("folder", sa.String(255)),
    sa.Column("uidvalidity", sa.BigInteger),
    sa.Column("uid", sa.BigInteger),
    sa.Column("sender", sa.String(320)),
    sa.Column("subject", sa.Text),
    sa.Column("received", sa.DateTime(timezone=True)),
    # received -> judged -> sending -> replied -> moved; or failed / no_reply / reply_uncertain
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Column("reply_message_id", sa.String(998)),
    sa.Column("duplicates", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # sha256 of From, Subject and body: tells a reused Message-ID from a redelivery.
    sa.Column("content_sha256", sa.String(64)),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("filename", sa.String(1024), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("mail_id", sa.Integer, sa.ForeignKey("mails.id")),
    sa.Column("source", sa.Text),
    sa.Column("sender", sa.String(320)),
    sa.Column("received", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("provider_agb", sa.String(16), index=True),
    sa.Column("template_version", sa.String(32)),
    sa.Column("campaign", sa.String(64), index=True),  # the campaign whose rules judged it
    sa.Column("rules_version", sa.String(64)),
    sa.Column("verdict_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("code", sa.String(64), nullable=False, index=True),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("location", sa.String(255)),
    sa.Column("message", sa.Text, nullable=False),
)

replies = sa.Table(
    "replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mail_id", sa.Integer, sa.ForeignKey("mails.id")),
    sa.Column("provider_agb", sa.String(16)),
    sa.Column("kind", sa.String(32), nullable=False),  # feedback | no_attachments | reminder
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("message_id", sa.String(998), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("campaign", sa.String(64)),  # the case's campaign; null when a mail spans two
)

providers = sa.Table(
    "providers",
    metadata,
    sa.Column("campaign", sa.String(64), primary_key=True),  # one case per provider per campaign
    sa.Column("agb", sa.String(16), primary_key=True),
    sa.Column("naam", sa.String(512)),
    sa.Column("model_document_id", sa.Integer, sa.ForeignKey("documents.id")),
    sa.Column("plan_document_id", sa.Integer, sa.ForeignKey("documents.id")),
    sa.Column("contact", sa.String(320)),  # who to remind: the last sender
    sa.Column("last_reminder_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# The outcome of an application as last told to the provider: one row per change,
# written before the mail goes out (state due -> sent), so it goes out once.
letters = sa.Table(
    "letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("provider_agb", sa.String(16), nullable=False, index=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),  # pair | rejudge | decision
    sa.Column("message_id", sa.String(998), nullable=False, unique=True),
    sa.Column("recipient", sa.String(320)),
    sa.Column("state", sa.String(16), nullable=False),  # due | sent | no_recipient
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("campaign", sa.String(64)),  # the case's campaign (one case per campaign)
    sa.Index("ix_letters_case", "campaign", "provider_agb"),
)

# --- the staff desk: accounts, decisions, notes, notifications, audit trail ----------

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),  # staff | admin
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign", sa.String(64), nullable=False),
    sa.Column("agb", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("notify", sa.Boolean, nullable=False, default=False),
    # The key of the form that was posted: a repeated POST finds its decision again.
    sa.Column("form_key", sa.String(64), nullable=False, unique=True),
    sa.Index("ix_decisions_case", "campaign", "agb"),
)

# Uitstel for one provider in one campaign: documents received on or before `until` are
# not late. Revoking keeps the row, so the case's history shows the grant and its end.
extensions = sa.Table(
    "extensions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign", sa.String(64), nullable=False),
    sa.Column("agb", sa.String(16), nullable=False),
    sa.Column("until", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(64)),
    sa.Index("ix_extensions_case", "campaign", "agb"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False, unique=True
    ),
    sa.Column("campaign", sa.String(64), nullable=False),
    sa.Column("agb", sa.String(16), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("message_id", sa.String(998), nullable=False),
    # pending -> sending -> sent; a row left in `sending` is uncertain and never resent
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign", sa.String(64), nullable=False),
    sa.Column("agb", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_notes_case", "campaign", "agb"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64)),
    # login, login_failed, logout, decision, note, download, register, rejudge, user
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("campaign", sa.String(64)),
    sa.Column("agb", sa.String(16)),
    sa.Column("detail", sa.Text),
    sa.Index("ix_audit_action_at", "action", "at"),
    sa.Index("ix_audit_case", "campaign", "agb"),
)

# --- claims and locks: which worker handles which mail or file, and for how long ---
claims = sa.Table(
    "claims",
    metadata,
    # "mail-at:<folder>:<uidvalidity>:<uid>", "mail:<message key>", "file:<sha256>:<name>",
    # "channel:<name>#<slot>"
    sa.Column("name", sa.String(1200), primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False),  # host:pid:token of the worker
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
)

# --- the drop folder's own state: a retry resumes where the last attempt stopped ---
folder_items = sa.Table(
    "folder_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(1024), nullable=False),
    # stored -> published -> done; or given_up after too many failed attempts
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id")),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# --- events that leave no other trace: counted here so every process reports the same ---
counters = sa.Table(
    "counters",
    metadata,
    # extraction_timeouts | smtp_failures | claims_taken_over | sweeps_succeeded
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),  # the last event
)
# --- the desk's login attempts: what throttling counts (failures and successes) ---
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_account", "account", "at"),
    sa.Index("ix_login_attempts_address", "address", "at"),
)

# --- the desk's sessions: the signed cookie names one of these rows, which can end ---
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the token in the cookie
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("address", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("end_reason", sa.String(16)),  # logout | disabled | idle | expired
)

# A case's documents: by provider within a campaign. Without it SQLite picks the campaign
# index (every document of the campaign) and a case page reads the whole campaign.
sa.Index("ix_documents_case", documents.c.provider_agb, documents.c.campaign)

# --- the case's status history: one record per change, as zaakgericht systems keep it ---
status_history = sa.Table(
    "status_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign", sa.String(64), nullable=False),
    sa.Column("agb", sa.String(16), nullable=False),
    sa.Column("from_status", sa.String(16)),  # null: the case's first recorded status
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),  # a staff account, a sender, "intake"
    # what changed it: document | pair | decision | rejudge | extension | sync
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text),  # the file, the decision's reason, what was re-judged
    sa.Index("ix_status_history_case", "campaign", "agb"),
)
