"""`intake check` and `intake report`: judge files by hand, without the channels."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import click

from intake.cli.batches import PROGRESS, REPORT_WORKERS, WORKERS, judged, progress
from intake.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    FILES,
    RECEIVED,
    REGISTER,
    judging_context,
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
@PROGRESS
@WORKERS
def check(
    files: tuple[Path, ...],
    register: Path | None,
    received: datetime | None,
    as_json: bool,
    reader: str,
    progress_wanted: bool | None,
    workers: int | None,
) -> None:
    """Judge each FILE on its own, without side effects.

    No ledger is used, so there are no pairing, sender or duplicate findings. Verdicts
    are printed as they are made: a thousand files are never all in memory at once.
    """
    from intake.cli.textreport import summary_line, verdict_lines

    ctx = judging_context(register, reader)
    statuses = []
    with progress(len(files), progress_wanted) as bar:
        for n, (_, verdict) in enumerate(judged(files, received, ctx, bar, workers=workers)):
            statuses.append(verdict.status.value)
            if as_json:
                text = json.dumps(
                    verdict.to_json(), ensure_ascii=False, indent=2, default=str, allow_nan=False
                )
                click.echo(("[\n" if n == 0 else ",\n") + textwrap.indent(text, "  "), nl=False)
            else:
                click.echo("\n".join(verdict_lines(verdict, ctx.rules)))
    click.echo("\n]" if as_json else summary_line(statuses))
    sys.exit(EXIT_REJECTED if "rejected" in statuses else EXIT_OK)


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
@PROGRESS
@REPORT_WORKERS
def report(
    files: tuple[Path, ...],
    out: Path,
    register: Path | None,
    received: datetime | None,
    staff: bool,
    sender: str | None,
    progress_wanted: bool | None,
    workers: int,
) -> None:
    """Write the feedback report of each FILE as HTML, PDF and verdict JSON."""
    from intake.service.letters import corrected_models

    ctx = judging_context(register)
    rejected = False
    with progress(len(files), progress_wanted) as bar:
        for submission, verdict in judged(files, received, ctx, bar, workers=workers):
            rejected = rejected or verdict.status.value == "rejected"
            contents = {verdict.sha256: submission.content}
            corrected = {} if staff else corrected_models(ctx, [verdict], contents)
            _write_report(verdict, corrected, ctx, out, staff=staff, sender=sender)
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


def _write_report(  # type: ignore[no-untyped-def]
    verdict, corrected: dict, ctx, out: Path, *, staff: bool, sender: str | None
) -> None:
    """One file's HTML, PDF and verdict JSON (and a corrected model where one was made)."""
    from intake.report.audience import sender_registered
    from intake.report.model import build
    from intake.service.reports import write_report_files
    from intake.storage.files import atomic_write

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
