"""`intake migrate`: an old-model workbook carried over to the corrected model by hand."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from intake.cli.common import EXIT_OK, EXIT_REJECTED, FILES, RECEIVED, REGISTER, judging_context


@click.command(short_help="Carry old-model workbooks over to the corrected model.")
@FILES
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <file>-<version>.xlsx, the corrected model with the provider's inputs.",
)
@REGISTER
@RECEIVED
def migrate(
    files: tuple[Path, ...], out: Path, register: Path | None, received: datetime | None
) -> None:
    """Write each old-model FILE's inputs into the corrected published model.

    The totals are computed and stored in the workbook, so Excel and LibreOffice show
    them on opening. A workbook whose inputs cannot be carried over safely (a
    modified model, overwritten formulas) or that already is the current model is
    named with the reason and gets no copy; the exit code is then 1.
    """
    from intake.cli.common import submissions_from
    from intake.judging.pipeline import judge_many
    from intake.report.wording import refusal_text
    from intake.service.migration import MigrationRefused
    from intake.service.migration import migrate as carry_over
    from intake.storage.files import atomic_write

    ctx = judging_context(register)
    submissions = list(submissions_from(files, received, ctx.rules))
    refused = False
    for sub, verdict in zip(submissions, judge_many(submissions, ctx), strict=True):
        try:
            migrated = carry_over(sub.content, sub.filename, ctx, verdict)
        except MigrationRefused as exc:
            refused = True
            why = refusal_text(ctx.rules, exc.reason, ctx.family)
            click.echo(f"{sub.filename}: geen kopie ({exc.reason}): {why}")
            continue
        target = out / migrated.filename
        atomic_write(target, migrated.content)
        click.echo(f"{sub.filename}: -> {target}")
    sys.exit(EXIT_REJECTED if refused else EXIT_OK)
