"""What a rules file may contain, and the check that every file is held to when loaded.

Every problem is collected (file, key, why) rather than stopping at the first, so a
campaign owner fixes a file in one round. A placeholder in a message that the
check raising it never fills would reach a provider as `{naam}`: it is refused here.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intake.domain import Severity

Problem = tuple[str, str, str]

# Keys of the closed tables: name -> (type, required).
CAMPAIGN = {
    "id": (str, True),
    "template_family": (str, True),
    "timezone": (str, True),
    "deadline": (date, True),
    "corrected_model_from": (date, True),
    "current_version": (str, True),
    "reminder_interval_days": (int, False),
    "received_from": (date, False),  # first day a document counts for this campaign
    "advance_later_after": (date, False),  # received after it: the advance may start later
    "version": (str, False),  # an explicit rules version instead of the content hash
}
CARE_OFFICE = {
    "name": (str, True),
    "department": (str, True),
    "mailbox": (str, True),
    "phone": (str, True),
    "regions": (list, True),
    "kenmerk_prefix": (str, False),  # the reference on every letter: KB-1A2B3C4D
    "website": (str, False),
    "address": (str, False),
}
REGISTER = {"reserved_column": (str, True), "compensation_column": (str, True)}
AGB = {"usual_kinds": (list, True)}
FINDING_KEYS = {"severity": str, "title": str, "message": str, "review_before_cutoff": bool}

# Open tables: any key, values of these types. Other parts of intake add keys here.
OPEN = {
    "thresholds": (int, float),
    "limits": (int, float),
    "plan": (str, int, float, bool, list, dict),
    "mail": (str, int, float, bool, list),
    "texts": (str,),
    "letter": (str,),  # the provider's letter (intake.report.wording)
    "mailbox": (int, float, list),  # the mailbox channel's limits and no-reply senders
}
# What `intake.report.wording.text` fills in a `[letter]` sentence.
LETTER_FILLS = frozenset(
    {"year", "deadline", "cutoff", "model", "office", "department", "mailbox", "phone"}
    | {"kenmerk", "broken", "missing", "file", "reason", "received", "count", "version"}
    | {"cell", "sheet", "page", "pages", "covered", "total"}
)
# `[letter]` headings the letter asks for by name (intake.report.wording.headings).
LETTER_HEADINGS = tuple(
    f"heading_{name}"
    for name in (
        "kenmerk", "date", "received", "sender", "documents", "document_kenmerk", "outcome",
        "version", "severity", "sheet", "cell", "what", "code", "no_findings", "amounts",
        "difference", "next", "internal", "page", "themes", "theme", "theme_found",
        "theme_sentences", "theme_evidence", "theme_page", "yes", "no",
    )
)  # fmt: skip
# The kinds of file intake.detect.filetype.FileType tells apart (its values).
FILE_TYPES = (
    "xlsx", "xlsx-strict", "xlsb", "docx", "pdf", "zip", "broken-zip", "encrypted-office",
    "xls", "doc", "ods", "odt", "rtf", "numbers", "csv", "text", "image", "other-spreadsheet",
    "empty", "unknown",
)  # fmt: skip
# `[texts]` the code asks for by name: the Dutch {reason} of MESSAGE_TOO_LARGE, per limit,
# the {format} of a file's kind, the {reason} of an unreadable workbook part, the {extent}
# of PLAN_FILLER, what staff read about OCR and about uitstel (intake.casework.extensions).
REQUIRED_TEXTS = (
    tuple(
        f"message_too_large_{limit}"
        for limit in ("documents", "bytes", "members", "member_size", "structure")
    )
    + tuple(f"format_{kind}" for kind in FILE_TYPES)
    + tuple(f"reason_{key}" for key in ("workbook_damaged", "truncated", "empty", "not_a_document"))
    + tuple(f"workbook_unreadable_{what}" for what in ("sheet", "sheets", "strict"))
    + tuple(
        f"modification_{key}"
        for key in ("sheet_renamed", "sheet_missing", "label_changed", "label_empty", "more")
    )
    + ("plan_filler_share", "plan_filler_not_running_text")
    + ("plan_read_by_ocr", "plan_ocr_failed", "plan_ocr_unavailable", "plan_ocr_time")
    + ("plan_ocr_partial", "plan_ocr_empty")
    + tuple(
        f"extension_{key}"
        for key in (
            "until_format",
            "until_after_deadline",
            "reason_missing",
            "reason_too_long",
            "unknown",
            "already_revoked",
            "agb_invalid",
            "provider_unknown",
            "audit_granted",
            "audit_revoked",
            "granted",
            "revoked",
        )
    )
)
# The staff work queue's words (intake.casework.todo), one set per campaign.
REQUIRED_TEXTS += tuple(
    f"queue_{key}"
    for key in (
        "review_title", "review_action", "reopened_title", "reopened_action",
        "overdue_title", "overdue_why", "overdue_action",
        "notification_pending_title", "notification_pending_action",
        "notification_uncertain_title", "notification_uncertain_action",
        "mail_title", "mail_failed_action", "mail_uncertain_action", "mail_unanswered_action",
        "encrypted_title", "encrypted_why", "encrypted_action",
        "quarantine_title", "quarantine_action", "given_up_title", "given_up_action",
        "deadline_submission", "deadline_reminder", "deadline_extension", "no_subject",
        "unknown_error",
    )
)  # fmt: skip
# Keys that used to live in `[letter]`: one place each, so letters and staff cannot disagree.
MOVED = {"kenmerk_prefix": "moved: use [care_office] kenmerk_prefix"}
CLOSED = {"campaign": CAMPAIGN, "care_office": CARE_OFFICE, "register": REGISTER, "agb": AGB}
REQUIRED_SECTIONS = ("campaign", "care_office", "register", "thresholds", "limits", "findings")

# Placeholders that every message may use (see `Rules.common_values`).
COMMON = frozenset(
    {"cell", "office", "department", "mailbox", "phone", "deadline", "corrected_model_from", "year"}
)
_TABLE = frozenset({"label", "value", "allowed", "council", "regions", "row", "minimum", "maximum"})
_FILE = frozenset({"file", "reason", "format", "extension"})

# What each check fills in besides COMMON. A check that adds a code adds its placeholders
# here; a code not listed (one only a schema's `on_no` raises, say) may use COMMON only.
FILLS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            "FILE_UNREADABLE",
            "FILE_ENCRYPTED",
            "FILE_FORMAT_UNSUPPORTED",
            "FILE_TOO_LARGE",
            "EXTENSION_MISMATCH",
            "DOCUMENT_UNKNOWN",
            "TEMPLATE_UNKNOWN",
            "PLAN_EMPTY",
            "PLAN_NO_TEXT",
            "INTERNAL_ERROR",
        ),
        _FILE,
    ),
    "PLAN_WRONG_YEAR": _FILE | {"other_years", "year"},
    "TEMPLATE_MODIFIED": frozenset({"reason"}),
    "TEMPLATE_OUTDATED": frozenset(),
    "TEMPLATE_VERSION_CONFLICT": frozenset({"claimed", "detected"}),
    "FORMULA_OVERWRITTEN": frozenset({"label", "expected", "found"}),
    "TOTAL_MISMATCH": frozenset({"label", "expected", "found"}),
    "VALUES_NOT_CALCULATED": frozenset(),
    **dict.fromkeys(
        (
            "REQUIRED_MISSING",
            "VALUE_NOT_ALLOWED",
            "AGB_INVALID",
            "VALUE_NOT_NUMERIC",
            "FTE_NEGATIVE",
            "FTE_IMPLAUSIBLE",
            "WAGE_IMPLAUSIBLE",
            "AMOUNT_NEGATIVE",
            "DESCRIPTION_MISSING",
            "PLAN_NOT_DISCUSSED",
            "REGION_NOT_SERVED",
        ),
        _TABLE,
    ),
    "BUDGET_EMPTY": frozenset({"share", "minimum"}),
    "PERSONNEL_SHARE_LOW": frozenset({"share", "minimum"}),
    "PROVIDER_UNKNOWN": frozenset({"value"}),
    "PROVIDER_NAME_MISMATCH": frozenset({"value", "agb", "expected"}),
    "RESERVED_MISMATCH": frozenset({"value", "expected"}),
    "COMPENSATION_MISMATCH": frozenset({"value", "expected"}),
    "COMPENSATION_EXCEEDS_RESERVED": frozenset({"value", "expected"}),
    "AGB_KIND_UNUSUAL": frozenset({"value", "kind"}),
    "ADVANCE_LATER": frozenset({"received", "after"}),
    "SUBMISSION_LATE": frozenset({"received"}),
    "EXTENSION_APPLIED": frozenset({"received", "until"}),
    "SENDER_NOT_REGISTERED": frozenset({"sender"}),
    "PLAN_MISSING": frozenset(),
    "MODEL_MISSING": frozenset(),
    "DUPLICATE": frozenset({"first_seen"}),
    "CONSENT_MISSING": _TABLE,
    "MESSAGE_TOO_LARGE": frozenset({"reason", "max_documents", "max_megabytes", "max_parts"}),
    "MAIL_ENCRYPTED": frozenset(),
    "FTE_TOTAL_IMPLAUSIBLE": frozenset({"value", "maximum"}),
    "AMOUNT_IMPLAUSIBLE": frozenset({"label", "value", "maximum"}),
    # The kwaliteitsplan (intake.checks.plan_*).
    "PLAN_LAST_YEAR": _FILE | {"years", "also", "year"},
    "PLAN_PROVIDER_NOT_NAMED": frozenset(),
    "PLAN_PROVIDER_NAME_MISSING": frozenset({"agb", "naam"}),
    "PLAN_PROVIDER_CONFLICT": frozenset({"providers"}),
    "PLAN_FILLER": frozenset({"quote", "extent"}),
    "PLAN_TOO_SHORT": frozenset({"words"}),
    "PLAN_PLACEHOLDER": frozenset({"quote", "count"}),
    "PLAN_THEME_MISSING": frozenset({"theme", "found"}),
    "PLAN_COUNCILS": frozenset({"summary"}),
    "PLAN_COUNCIL_CONSENT_MISSING": frozenset({"council", "required"}),
    **dict.fromkeys(
        ("PLAN_FTE_MISMATCH", "PLAN_BUDGET_MISMATCH"),
        frozenset({"plan_value", "quote", "page", "model_value"}),
    ),
    "PLAN_FIGURES_MISSING": frozenset({"fte_model", "amount_model"}),
    "PLAN_SHARE_UNEXPLAINED": frozenset({"share", "minimum"}),
}
# Codes a campaign needs only when its schema asks for them (a field's `on_no`).
OPTIONAL = frozenset({"CONSENT_MISSING"})
MAIL_FILLS: dict[str, frozenset[str]] = {
    "reminder": frozenset({"naam", "agb", "missing"}),
    "decision_subject": frozenset({"agb"}),
}


def placeholders(template: str) -> set[str]:
    """The names in `{name}` fields of a message; a malformed one raises ValueError."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _typed(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _closed(file: str, section: str, table: Any, spec: dict) -> list[Problem]:
    if not isinstance(table, dict):
        return [(file, f"[{section}]", "must be a table")]
    problems = [(file, f"[{section}] {k}", "unknown key") for k in table if k not in spec]
    for key, (kind, required) in spec.items():
        if key not in table:
            if required:
                problems.append((file, f"[{section}] {key}", "missing"))
        elif not _typed(table[key], kind):
            problems.append((file, f"[{section}] {key}", f"must be a {_names(kind)}"))
    return problems


def _open(file: str, section: str, table: Any, kinds: tuple[type, ...]) -> list[Problem]:
    if not isinstance(table, dict):
        return [(file, f"[{section}]", "must be a table")]
    return [
        (file, f"[{section}] {key}", f"must be a {_names(kinds)}")
        for key, value in table.items()
        if not _typed(value, kinds)
    ]


def _template(file: str, key: str, template: Any, allowed: frozenset[str] | None) -> list[Problem]:
    if not isinstance(template, str):
        return [(file, key, "must be a string")]
    try:
        names = placeholders(template)
    except ValueError as exc:
        return [(file, key, f"malformed placeholder: {exc}")]
    if allowed is None:
        return []
    return [
        (file, key, f"placeholder {{{name}}} is not filled in by any check")
        for name in sorted(names - allowed)
    ]


def _finding(file: str, code: str, entry: Any, texts: set[str]) -> list[Problem]:
    key = f"[findings.{code}]"
    if not isinstance(entry, dict):
        return [(file, key, "must be a table")]
    problems: list[Problem] = []
    allowed = COMMON | FILLS.get(code, frozenset()) | texts
    for name, value in entry.items():
        if name == "message" or name.startswith("message_"):
            problems += _template(file, f"{key} {name}", value, allowed)
        elif name not in FINDING_KEYS:
            problems.append((file, f"{key} {name}", "unknown key"))
        elif not _typed(value, FINDING_KEYS[name]):
            problems.append((file, f"{key} {name}", f"must be a {FINDING_KEYS[name].__name__}"))
    for name in ("severity", "title", "message"):
        if name not in entry:
            problems.append((file, f"{key} {name}", "missing"))
    severity = entry.get("severity")
    if isinstance(severity, str) and severity not in {s.value for s in Severity}:
        known = ", ".join(s.value for s in Severity)
        problems.append((file, f"{key} severity", f"'{severity}' does not exist ({known})"))
    return problems


def _findings(file: str, table: Any, texts: set[str]) -> list[Problem]:
    if not isinstance(table, dict):
        return [(file, "[findings]", "must be a table")]
    problems = [p for code, e in table.items() for p in _finding(file, code, e, texts)]
    problems += [
        (file, f"[findings.{code}]", "missing: a check raises this code")
        for code in sorted(set(FILLS) - OPTIONAL - set(table))
    ]
    return problems


def _campaign_values(file: str, data: dict[str, Any]) -> list[Problem]:
    campaign = data.get("campaign", {})
    problems: list[Problem] = []
    zone = campaign.get("timezone")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append((file, "[campaign] timezone", f"'{zone}' is not a time zone"))
    regions = data.get("care_office", {}).get("regions")
    if isinstance(regions, list) and not all(isinstance(r, str) for r in regions):
        problems.append((file, "[care_office] regions", "must be a list of strings"))
    kinds = data.get("agb", {}).get("usual_kinds")
    if isinstance(kinds, list) and not all(isinstance(k, str) and len(k) == 2 for k in kinds):
        problems.append((file, "[agb] usual_kinds", 'must be two-digit strings, e.g. "73"'))
    return problems


def check_rules(data: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a merged rules document; an empty list means it can be used."""
    known = set(CLOSED) | set(OPEN) | {"findings"}
    problems = [(file, f"[{s}]", "unknown section") for s in data if s not in known]
    problems += [(file, f"[{s}]", "missing") for s in REQUIRED_SECTIONS if s not in data]
    for section, spec in CLOSED.items():
        if section in data:
            problems += _closed(file, section, data[section], spec)
    for section, kinds in OPEN.items():
        if section in data:
            problems += _open(file, section, data[section], kinds)
    texts = data.get("texts", {})
    names = {k for k in texts if k.startswith("name_")} if isinstance(texts, dict) else set()
    problems += _findings(file, data.get("findings", {}), names)
    for key, value in (data.get("mail") or {}).items():
        if isinstance(value, str):
            fills = MAIL_FILLS.get(key, frozenset())
            problems += _template(file, f"[mail] {key}", value, COMMON | fills | names)
    if isinstance(texts, dict):
        for key, value in texts.items():
            problems += _template(file, f"[texts] {key}", value, None)
        problems += [(file, f"[texts] {k}", "missing") for k in REQUIRED_TEXTS if k not in texts]
    letter = data.get("letter") or {}
    problems += [(file, f"[letter] {k}", "missing") for k in LETTER_HEADINGS if k not in letter]
    for key, value in letter.items():
        if key in MOVED:
            problems.append((file, f"[letter] {key}", MOVED[key]))
            continue
        problems += _template(file, f"[letter] {key}", value, LETTER_FILLS)
    return problems + _campaign_values(file, data)


# What the code asks of every template family, by name.
FAMILY_NEEDS = {
    "fields": {"naam", "agb", "gereserveerd", "compensatie", "toelichting_personeel"},
    "tables": {"personeel", "overige_kosten"},
    "figures": {"personnel_cost", "other_cost", "total_budget", "personnel_share", "requested"},
}
TABLE_NEEDS = {
    "personeel": {"fte_start", "fte_planned", "loonkosten"},
    "overige_kosten": {"omschrijving", "categorie", "bedrag"},
}


def check_campaign(rules: Any, family: Any) -> list[Problem]:
    """Rules and family together: the versions and codes one names must exist in the other."""
    file, schema = str(rules.source), str(family.source)
    problems: list[Problem] = []
    if rules.current_version not in family.versions:
        known = ", ".join(family.versions)
        problems.append(
            (file, "[campaign] current_version", f"not a version of the family ({known})")
        )
    for name, spec in family.fields.items():
        if spec.on_no and spec.on_no not in rules.catalogue:
            problems.append(
                (schema, f"[fields.{name}] on_no", f"{spec.on_no} is not in [findings]")
            )
    for part, names in FAMILY_NEEDS.items():
        for name in sorted(names - set(getattr(family, part))):
            problems.append((schema, f"[{part}.{name}]", "missing: the checks need it"))
    for table, columns in TABLE_NEEDS.items():
        present = set(family.tables[table].inputs) if table in family.tables else columns
        for column in sorted(columns - present):
            problems.append((schema, f"[tables.{table}] inputs.{column}", "missing"))
    return problems
