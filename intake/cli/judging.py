"""`intake check` and `intake report`: judge files by hand, without the channels."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from intake.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    FILES,
    RECEIVED,
    REGISTER,
    judging_context,
    submissions_from,
)


@click.command()
@FILES
@REGISTER
@RECEIVED
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of verdicts.")
@click.option(
    "--reader",
    type=click.Choice(["fastxml", "openpyxl"]),
    default="fastxml",
    show_default=True,
    help="Workbook reader; both give identical results.",
)
def check(
    files: tuple[Path, ...],
    register: Path | None,
    received: datetime | None,
    as_json: bool,
    reader: str,
) -> None:
    """Judge each FILE on its own, without side effects.

    No ledger is used, so there are no pairing, sender or duplicate findings.
    """
    from intake.judging.pipeline import judge_many

    ctx = judging_context(register, reader)
    verdicts = judge_many(list(submissions_from(files, received, ctx.rules)), ctx)
    if as_json:
        click.echo(
            json.dumps(
                [v.to_json() for v in verdicts],
                ensure_ascii=False,
                indent=2,
                default=str,
                allow_nan=False,
            )
        )
    else:
        from intake.cli.textreport import render_table

        click.echo(render_table(verdicts, ctx.rules))
    sys.exit(EXIT_REJECTED if any(v.status.value == "rejected" for v in verdicts) else EXIT_OK)


@click.command(short_help="Write each FILE's report as HTML, PDF and JSON.")
@FILES
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <file>.html, <file>.pdf and <file>.verdict.json.",
)
@REGISTER
@RECEIVED
@click.option("--staff", is_flag=True, help="Write the internal staff report instead.")
@click.option(
    "--sender",
    metavar="EMAIL",
    help="Mail sender: figures are left out unless it is a registered contact.",
)
def report(
    files: tuple[Path, ...],
    out: Path,
    register: Path | None,
    received: datetime | None,
    staff: bool,
    sender: str | None,
) -> None:
    """Write the feedback report of each FILE as HTML, PDF and verdict JSON."""
    from intake.judging.pipeline import judge_many
    from intake.report.audience import sender_registered
    from intake.report.model import build
    from intake.service.letters import corrected_models
    from intake.service.reports import write_report_files
    from intake.storage.files import atomic_write

    ctx = judging_context(register)
    submissions = list(submissions_from(files, received, ctx.rules))
    verdicts = judge_many(submissions, ctx)
    contents = {v.sha256: s.content for v, s in zip(verdicts, submissions, strict=True)}
    corrected = {} if staff else corrected_models(ctx, verdicts, contents)
    for verdict in verdicts:
        case_ctx = ctx.for_campaign(verdict.campaign)  # the campaign that judged it
        model = build(
            [verdict],
            case_ctx.rules,
            case_ctx.family,
            audience="staff" if staff else "provider",
            sender=sender,
            channel="cli",
            sender_registered=sender_registered([verdict], case_ctx.register, sender),
            attached={k: m.filename for k, m in corrected.items() if k == verdict.sha256},
        )
        paths = write_report_files(verdict, model, out, verdict.file)
        if verdict.sha256 in corrected and not model.confidential:
            migrated = corrected[verdict.sha256]
            atomic_write(out / migrated.filename, migrated.content)
            paths.append(out / migrated.filename)
        click.echo(f"{verdict.file}: {verdict.status.value} -> {', '.join(p.name for p in paths)}")
    sys.exit(EXIT_REJECTED if any(v.status.value == "rejected" for v in verdicts) else EXIT_OK)
