"""The sentences of a letter that depend on the whole application and the calendar:
the outcome, the next step with its date, and the corrected model sent back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from intake.campaign.rules import Rules
from intake.campaign.templates import TemplateFamily
from intake.domain import Verdict, fmt, kenmerk
from intake.domain.carry_over import migrated_name, refusal
from intake.report import wording
from intake.report.outcome import Outcome


def _nouns(rules: Rules, verdicts: Sequence[Verdict]) -> str:
    names = [wording.text(rules, f"noun_{v.document.value}", file=v.file) for v in verdicts]
    names = list(dict.fromkeys(names))
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {wording.text(rules, 'and')} {names[-1]}"


def _missing(rules: Rules, outcome: Outcome) -> str:
    names = [wording.text(rules, f"noun_{k.value}") for k in outcome.missing]
    return f" {wording.text(rules, 'and')} ".join(names)


def outcome_sentence(rules: Rules, outcome: Outcome) -> str:
    key = outcome.key.replace(":", "_")
    return wording.text(
        rules,
        f"outcome_{key}",
        broken=_nouns(rules, outcome.broken),
        missing=_missing(rules, outcome),
    )


def next_step(
    rules: Rules,
    family: TemplateFamily,
    outcome: Outcome,
    today: date,
    letter: Sequence[Verdict] = (),
    deadline: date | None = None,
) -> str:
    """What to do and by when; after the deadline, what happens now instead.

    `deadline` is the provider's own when staff granted uitstel (else the campaign's).
    When a document to fix is not in this letter (a plan's letter while the model must
    be fixed), the provider is pointed to the letter about it by its kenmerk.
    """
    status = outcome.decision.status.value if outcome.decision else outcome.key
    if status not in ("rejected", "incomplete"):
        return wording.text(rules, f"next_{status}", family)
    due = max(deadline or rules.deadline, rules.deadline)
    late = "_late" if today > due else ""
    broken = _nouns(rules, outcome.broken) or wording.text(rules, "noun_aanvraag")
    missing = _missing(rules, outcome)
    step = wording.text(
        rules,
        f"next_{status}{late}",
        family,
        broken=broken,
        missing=missing,
        deadline=fmt.day(due),
    )
    here = {v.sha256 for v in letter}
    elsewhere = [v for v in outcome.broken if v.sha256 not in here]
    if status == "rejected" and elsewhere:
        prefix = wording.kenmerk_prefix(rules)
        references = ", ".join(kenmerk(prefix, v.sha256) for v in elsewhere)
        found = wording.text(
            rules, "broken_elsewhere", broken=_nouns(rules, elsewhere), kenmerk=references
        )
        step = f"{found} {step}"
    return step


def migration_note(
    rules: Rules, family: TemplateFamily, verdict: Verdict, today: date, attached: str | None
) -> str:
    """The corrected model sent back with an old-model workbook, or why there is none."""
    if verdict.template_version in (None, rules.current_version):
        return ""
    reason = refusal(verdict, rules.current_version)
    if reason or attached is None:
        return wording.refusal_text(rules, reason or "other", family)
    before = rules.local_date(verdict.received) < rules.corrected_model_from
    key = "migrated_before_cutoff" if before else "migrated_after_cutoff"
    if not before and wording.after_deadline(rules, today):
        key += "_late"
    return wording.text(rules, key, family, file=attached or migrated_name(verdict.file, ""))
