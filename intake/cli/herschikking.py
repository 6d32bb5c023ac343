"""`intake herschikking`: the autumn re-division of a region's Wlz budgets, by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from intake.cli.common import EXIT_OK, EXIT_USAGE, REGISTER


@click.command(short_help="Compute and write the herschikking 2020 of a region.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for herschikking-2020.json, the staff workbook and brieven/ (a letter each).",
)
@click.option(
    "--regional-budget",
    "budget_text",
    metavar="EUR",
    help="The region's means (1250000.00 or 1.250.000,00). Below the sum of all "
    "herschikkingen, one discount rate on every extrapolated production makes it fit.",
)
@REGISTER
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another herschikking rules file (default: the shipped herschikking-2020.toml).",
)
def herschikking(
    file: Path,
    out: Path,
    budget_text: str | None,
    register: Path | None,
    rules_path: Path | None,
) -> None:
    """Compute the herschikking of every provider in FILE and write JSON, workbook and letters.

    FILE is CSV or XLSX with the columns agb_code, naam, goedgekeurd_jan_jun,
    omzetderving and maatwerk. A file with bad rows is refused whole (exit 2, every
    bad row with its line) and nothing is written; a provider that is not in the
    register is computed and flagged.
    """
    from intake.campaign.herschikking import (
        DeclarationsError,
        load_declarations,
        load_herschikking_rules,
        parse_budget,
    )
    from intake.campaign.rules import RulesError
    from intake.cli.common import judging_context
    from intake.domain import fmt
    from intake.domain.herschikking import BudgetTooSmall
    from intake.service.herschikking import compute, write_outputs
    from intake.service.herschikking_letter import rate_text

    try:
        rules = load_herschikking_rules(rules_path)
    except RulesError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(EXIT_USAGE)
    try:
        budget = parse_budget(budget_text, rules) if budget_text is not None else None
        declarations = load_declarations(file, rules)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    except DeclarationsError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(EXIT_USAGE)
    ctx = judging_context(register)
    try:
        result = compute(declarations, rules, budget, ctx.register, str(file))
    except BudgetTooSmall as exc:
        click.echo(
            rules.problem(
                "budget_too_small",
                budget=fmt.euro(float(exc.budget)),
                fixed=fmt.euro(float(exc.fixed)),
            ),
            err=True,
        )
        sys.exit(EXIT_USAGE)
    write_outputs(result, out)
    division = result.division
    if ctx.register is None:
        click.echo(rules.message("no_register"), err=True)
    for share in result.unregistered:
        click.echo(rules.message("not_registered", agb=share.agb, naam=share.naam), err=True)
    click.echo(
        rules.message(
            "written",
            count=len(division.shares),
            out=out,
            total=fmt.euro(float(division.total)),
            rate=rate_text(division.rate, rules.rate_decimals),
        )
    )
    sys.exit(EXIT_OK)
