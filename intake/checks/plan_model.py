"""The plan's figures against the model of the same provider.

The aanvraagmodel "sluit aan op de begroting van het kwaliteitsplan": the extra fte
and the money in the plan should be those of the model. This runs only when both
halves of a pair are known (the service layer pairs them, also when the second
half arrives later), from what the plan's verdict recorded, so the plan's text is
not read again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from intake.campaign.rules import Rules
from intake.checks.plan_figures import Figure, figure_from_json
from intake.checks.plan_text import where
from intake.domain import Finding, Verdict, fmt

PAIR_CODES = frozenset(
    {"PLAN_FTE_MISMATCH", "PLAN_BUDGET_MISMATCH", "PLAN_FIGURES_MISSING", "PLAN_SHARE_UNEXPLAINED"}
)
AMOUNT_TARGETS = ("requested", "total_budget")


def _close(figure: Figure, target: float, tolerance: Decimal) -> bool:
    allowed = max(figure.precision, tolerance)
    return abs(figure.value - Decimal(str(target))) <= allowed


def _judge(
    figures: list[Figure], targets: list[float], tolerance: Any
) -> tuple[str, Figure | None]:
    """("match" | "mismatch" | "absent", the figure that decided it)."""
    if not targets:
        return "unknown", None
    for figure in figures:
        if any(_close(figure, t, tolerance(t)) for t in targets):
            return "match", figure
    relevant = [f for f in figures if f.context]
    if not relevant:
        return "absent", None
    return "mismatch", max(relevant, key=lambda f: f.value)


def _model_values(model: Verdict) -> dict[str, float]:
    corrected = model.figures.get("corrected") or {}
    workbook = model.figures.get("workbook") or {}
    # Amounts are Decimal in a fresh verdict and numbers in one read back from JSON.
    number = (int, float, Decimal)
    values = {k: float(v) for k, v in corrected.items() if isinstance(v, number)}
    if isinstance(workbook.get("requested"), number):
        values.setdefault("requested_workbook", float(workbook["requested"]))
    return values


def _mismatch(rules: Rules, code: str, figure: Figure, model: str) -> Finding:
    return rules.finding(
        code,
        where(figure.page),
        plan_value=figure.written,
        quote=figure.quote,
        page=f"pagina {figure.page}" if figure.page else "het plan",
        model_value=model,
        evidence={"plan": figure.to_json(), "model": model},
    )


Outcome = tuple[str, Figure | None]


def _outcomes(figures: list[Figure], values: dict[str, float], rules: Rules) -> dict[str, Outcome]:
    """Per kind (fte, euro): does a plan figure match the model, contradict it, or neither."""
    section = rules.plan.get("figures", {})
    fte_tol = Decimal(str(section.get("fte_tolerance", 0.5)))
    rel_tol = Decimal(str(section.get("amount_tolerance", 0.02)))
    fte_targets = [values["fte_increase"]] if "fte_increase" in values else []
    amount_targets = [values[k] for k in (*AMOUNT_TARGETS, "requested_workbook") if k in values]
    ftes = [f for f in figures if f.kind == "fte"]
    euros = [f for f in figures if f.kind == "euro"]
    return {
        "fte": _judge(ftes, fte_targets, lambda _t: fte_tol),
        "euro": _judge(euros, amount_targets, lambda t: rel_tol * Decimal(str(t))),
    }


def compare(plan: Verdict, model: Verdict, rules: Rules) -> tuple[list[Finding], dict[str, Any]]:
    """Findings for the plan verdict, and a summary for staff (signals)."""
    reading = plan.signals.get("plan") or {}
    if "figures" not in reading:
        return [], {}  # a scan, or a plan without a readable text
    values = _model_values(model)
    outcome = _outcomes([figure_from_json(f) for f in reading["figures"]], values, rules)
    (fte_state, fte_fig), (euro_state, euro_fig) = outcome["fte"], outcome["euro"]
    fte_model = fmt.number(values.get("fte_increase"))
    euro_model = fmt.euro(values.get("requested"))
    findings = []
    if fte_state == "mismatch" and fte_fig:
        findings.append(_mismatch(rules, "PLAN_FTE_MISMATCH", fte_fig, fte_model))
    if euro_state == "mismatch" and euro_fig:
        findings.append(_mismatch(rules, "PLAN_BUDGET_MISMATCH", euro_fig, euro_model))
    if {fte_state, euro_state} <= {"absent", "unknown"} and {fte_state, euro_state} != {"unknown"}:
        findings.append(
            rules.finding("PLAN_FIGURES_MISSING", fte_model=fte_model, amount_model=euro_model)
        )
    findings += _share(reading, values, rules)
    summary = {
        "model": model.file,
        "fte": {"state": fte_state, "model": values.get("fte_increase"), "plan": _brief(fte_fig)},
        "euro": {"state": euro_state, "model": values.get("requested"), "plan": _brief(euro_fig)},
    }
    return findings, summary


def _brief(figure: Figure | None) -> dict[str, Any] | None:
    return None if figure is None else {"written": figure.written, "page": figure.page}


def _share(reading: dict[str, Any], values: dict[str, float], rules: Rules) -> list[Finding]:
    share = values.get("personnel_share")
    minimum = rules.thresholds.get("personnel_share_min", 0.85)
    if share is None or share >= minimum or reading.get("share_explanation"):
        return []
    return [
        rules.finding(
            "PLAN_SHARE_UNEXPLAINED", share=fmt.percent(share), minimum=fmt.percent(minimum)
        )
    ]
