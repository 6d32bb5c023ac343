"""Rules and schema files are checked when loaded: every problem, with file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from intake.campaign.resources import rules_dir, schemas_dir
from intake.campaign.rulecheck import check_rules
from intake.campaign.rules import RulesError, load_rules, read_chain
from intake.campaign.schemacheck import check_family

RULES_2020 = rules_dir() / "kwaliteitsbudget-2020.toml"
SCHEMA_2020 = schemas_dir() / "kwaliteitsbudget-2020.toml"


def _rules() -> dict:
    return tomllib.loads(RULES_2020.read_text(encoding="utf-8"))


def _schema() -> dict:
    return tomllib.loads(SCHEMA_2020.read_text(encoding="utf-8"))


def _keys(problems) -> set[str]:
    return {key for _file, key, _why in problems}


def test_the_shipped_campaigns_are_clean():
    for campaign in ("kwaliteitsbudget-2020", "kwaliteitsbudget-2021"):
        data, _ = read_chain(rules_dir() / f"{campaign}.toml")
        assert check_rules(data, campaign) == []
        family = tomllib.loads((schemas_dir() / f"{campaign}.toml").read_text(encoding="utf-8"))
        assert check_family(family, campaign) == []


def test_every_rules_problem_is_reported_at_once():
    data = _rules()
    data["campaign"]["deadlin"] = data["campaign"].pop("deadline")  # a typo
    data["thresholds"]["wage_min"] = "twintigduizend"
    data["findings"]["FTE_NEGATIVE"]["severity"] = "fatal"
    data["findings"]["AGB_INVALID"]["message"] = "AGB-code {agb_code} in {cell} is fout."
    data["findings"]["BUDGET_EMPTY"]["messsage_review"] = "x"
    del data["findings"]["DUPLICATE"]
    data["brieven"] = {"x": 1}
    problems = check_rules(data, "rules.toml")
    keys = _keys(problems)
    assert {
        "[campaign] deadlin",
        "[campaign] deadline",
        "[thresholds] wage_min",
        "[findings.FTE_NEGATIVE] severity",
        "[findings.AGB_INVALID] message",
        "[findings.BUDGET_EMPTY] messsage_review",
        "[findings.DUPLICATE]",
        "[brieven]",
    } <= keys
    why = {key: reason for _f, key, reason in problems}
    assert "{agb_code}" in why["[findings.AGB_INVALID] message"]
    assert "'fatal' does not exist" in why["[findings.FTE_NEGATIVE] severity"]
    assert all(file == "rules.toml" for file, _k, _w in problems)


def test_a_campaign_extends_another_and_states_only_what_differs(tmp_path: Path):
    (tmp_path / "base.toml").write_bytes(RULES_2020.read_bytes())
    (tmp_path / "next.toml").write_text(
        'extends = "base"\n[campaign]\nid = "next"\ndeadline = 2020-12-31\n'
        "[thresholds]\npersonnel_share_min = 0.9\n",
        encoding="utf-8",
    )
    rules = load_rules("next", tmp_path / "next.toml")
    assert rules.campaign == "next" and str(rules.deadline) == "2020-12-31"
    assert rules.thresholds["personnel_share_min"] == 0.9
    assert rules.thresholds["wage_max"] == 150000.0  # from the base
    assert rules.sources == (tmp_path / "next.toml", tmp_path / "base.toml")


def test_a_broken_rules_file_raises_with_every_problem(tmp_path: Path):
    text = RULES_2020.read_text(encoding="utf-8").replace('severity = "warning"', 'severity = "w"')
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules("broken", path)
    assert len(caught.value.problems) == text.count('severity = "w"') > 3
    assert str(path) in caught.value.report()


def test_schema_cells_outside_their_sheet_and_unknown_functions():
    data = _schema()
    data["fields"]["naam"]["cell"] = "'1. Algemene gegevens'!C0"
    data["fields"]["agb"]["cell"] = "'Algemeen'!C5"
    data["fields"]["regio"]["cell"] = "'1. Algemene gegevens'!XFE4"
    data["fields"]["clientenraad"]["choices"] = "jaofnee"
    data["formulas"][-1]["formula"] = "ROUND(MAX(0,C7-C9),2)"
    data["tables"]["personeel"]["last_row"] = 1048577
    problems = check_family(data, "family.toml")
    why = {key: reason for _f, key, reason in problems}
    assert "C0" in why["[fields.naam] cell"]
    assert "'Algemeen' is not one of the family's sheets" in why["[fields.agb] cell"]
    assert "XFE4" in why["[fields.regio] cell"]
    assert "jaofnee" in why["[fields.clientenraad] choices"]
    assert any("function ROUND is not supported" in w for w in why.values())
    assert any(key.startswith("[tables.personeel]") for key in why)


def test_the_kenmerk_prefix_has_one_home_for_letters_and_staff_search(tmp_path: Path):
    from intake.report import wording

    data = _rules()
    data["letter"]["kenmerk_prefix"] = "BR"
    why = {key: reason for _f, key, reason in check_rules(data, "rules.toml")}
    assert "[care_office] kenmerk_prefix" in why["[letter] kenmerk_prefix"]
    text = RULES_2020.read_text(encoding="utf-8").replace(
        'kenmerk_prefix = "KB"', 'kenmerk_prefix = "ZZ"'
    )
    (tmp_path / "zz.toml").write_text(text, encoding="utf-8")
    assert wording.kenmerk_prefix(load_rules("zz", tmp_path / "zz.toml")) == "ZZ"
    assert wording.kenmerk_prefix(load_rules("kb", RULES_2020)) == "KB"


def test_every_code_a_check_raises_has_its_placeholders_listed():
    import re

    import intake
    from intake.campaign import rulecheck

    raised = set()
    for path in Path(intake.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r'finding\(\s*"([A-Z][A-Z_]+)"', text))
        raised |= set(re.findall(r'file_finding\(\s*\w+,\s*"([A-Z][A-Z_]+)"', text))
        raised |= set(re.findall(r'_mismatch\(\s*\w+,\s*"([A-Z][A-Z_]+)"', text))
    assert {"PLAN_TOO_SHORT", "AMOUNT_IMPLAUSIBLE", "MESSAGE_TOO_LARGE"} <= raised
    assert sorted(raised - set(rulecheck.FILLS)) == []


def test_a_placeholder_no_check_fills_is_refused_for_every_code():
    data = _rules()
    data["findings"]["PLAN_TOO_SHORT"]["message"] = "Het plan telt {woorden} woorden."
    data["findings"]["AMOUNT_IMPLAUSIBLE"]["message"] = "{label}: {bedrag} is te hoog."
    data["findings"]["NEW_CHECK"] = {"severity": "error", "title": "x", "message": "{iets}"}
    why = {key: reason for _f, key, reason in check_rules(data, "rules.toml")}
    assert "{woorden}" in why["[findings.PLAN_TOO_SHORT] message"]
    assert "{bedrag}" in why["[findings.AMOUNT_IMPLAUSIBLE] message"]
    assert "{iets}" in why["[findings.NEW_CHECK] message"]
