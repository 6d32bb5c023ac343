"""The `intake` command: thin wiring from arguments to the pipeline and the channels.

Exit codes: 0 when no file is rejected, 1 when any is, 2 on a usage or
configuration error. No traceback reaches the user; details go to the log.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, time
from pathlib import Path

import click

from intake import __version__

log = logging.getLogger("intake")

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date as YYYY-MM-DD", param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="intake")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="INTAKE_CONFIG",
    help="TOML configuration file (or INTAKE_CONFIG). Keys can be overridden by "
    "INTAKE_<SECTION>_<KEY> environment variables.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, config_path: Path | None) -> None:
    """Take in, judge and answer kwaliteitsbudget 2020 applications.

    Judge files by hand with `check` and `report`; run the channels with `watch`
    (drop folder), `mail` (mailbox) and `sweep` (the nightly job).
    """
    _setup_logging(verbose)
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbose"] = verbose


def _config(ctx: click.Context):  # type: ignore[no-untyped-def]
    from intake.config import ConfigError, load

    try:
        return load(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(f"Configuratiefout: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _app(ctx: click.Context):  # type: ignore[no-untyped-def]
    from intake.bootstrap import build_app
    from intake.register import RegisterError

    config = _config(ctx)
    if ctx.obj.get("verbose", 0) == 0:
        logging.getLogger().setLevel(logging.INFO)  # channels say what happened to which file
    try:
        return build_app(config)
    except RegisterError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # database unreachable, unreadable rules: configuration problems
        log.debug("start-up failed", exc_info=True)
        click.echo(f"Kan niet starten: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _context(register: Path | None, reader: str = "fastxml"):  # type: ignore[no-untyped-def]
    from intake.pipeline import Context
    from intake.register import RegisterError, load_register

    loaded = None
    if register is not None:
        try:
            loaded = load_register(register)
        except RegisterError as exc:
            click.echo(exc.report(), err=True)
            sys.exit(EXIT_USAGE)
    return Context.default(loaded, reader)


def _received_for(path: Path, received: datetime | None, rules) -> datetime:  # type: ignore[no-untyped-def]
    if received is not None:
        moment = (
            received if received.time() != time(0) else datetime.combine(received.date(), time(12))
        )
        return moment if moment.tzinfo else moment.replace(tzinfo=rules.timezone)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=rules.timezone)


def _submissions(files: tuple[Path, ...], received: datetime | None, rules):  # type: ignore[no-untyped-def]
    from intake.domain import Submission

    for path in files:
        yield Submission(path.name, path.read_bytes(), _received_for(path, received, rules), "cli")


FILES = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
REGISTER = click.option(
    "--register",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="INTAKE_REGISTER_PATH",
    help="Reserved-budget register (CSV or XLSX) to check providers and amounts against.",
)
RECEIVED = click.option(
    "--received",
    type=_Date(),
    help="Date of receipt for all files (default: each file's modification time).",
)


@cli.command()
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
    from intake.pipeline import judge_many

    ctx = _context(register, reader)
    verdicts = judge_many(list(_submissions(files, received, ctx.rules)), ctx)
    if as_json:
        click.echo(
            json.dumps([v.to_json() for v in verdicts], ensure_ascii=False, indent=2, default=str)
        )
    else:
        from intake.textreport import render_table

        click.echo(render_table(verdicts, ctx.rules))
    sys.exit(EXIT_REJECTED if any(v.status.value == "rejected" for v in verdicts) else EXIT_OK)


@cli.command()
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
    from intake.pipeline import judge_many
    from intake.report.audience import sender_registered
    from intake.report.files import write_report_files
    from intake.report.model import build

    ctx = _context(register)
    verdicts = judge_many(list(_submissions(files, received, ctx.rules)), ctx)
    for verdict in verdicts:
        model = build(
            [verdict],
            ctx.rules,
            ctx.family,
            audience="staff" if staff else "provider",
            sender=sender,
            channel="cli",
            sender_registered=sender_registered([verdict], ctx.register, sender),
        )
        paths = write_report_files(verdict, model, out, verdict.file)
        click.echo(f"{verdict.file}: {verdict.status.value} -> {', '.join(p.name for p in paths)}")
    sys.exit(EXIT_REJECTED if any(v.status.value == "rejected" for v in verdicts) else EXIT_OK)


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the effective configuration (file + environment), secrets masked."""
    click.echo(_config(ctx.find_root()).as_toml(), nl=False)


@cli.command()
@click.option("--once", is_flag=True, help="One pass over the inbox, then exit (for cron).")
@click.pass_context
def watch(ctx: click.Context, once: bool) -> None:
    """Take in files dropped in the [folder] inbox.

    Files are taken once their size and modification time have been stable for
    [folder] stable_seconds; the original is archived by content hash, the verdict,
    HTML and PDF go to the outbox, unreadable files also to quarantine.
    """
    from intake.channels import folder

    app = _app(ctx.find_root())
    if once:
        verdicts = folder.run_once(app)
        click.echo(f"{len(verdicts)} bestand(en) verwerkt")
        sys.exit(EXIT_REJECTED if any(v.status.value == "rejected" for v in verdicts) else EXIT_OK)
    folder.watch(app)


@cli.command()
@click.option("--once", is_flag=True, help="One pass over the mailbox, then exit.")
@click.pass_context
def mail(ctx: click.Context, once: bool) -> None:
    """Take in, judge and answer messages in the [imap] mailbox.

    Without --once, waits for new mail with IMAP IDLE and reconnects after errors.
    """
    from intake.channels.mail import MailChannel

    app = _app(ctx.find_root())
    if not app.config.mail_enabled:
        click.echo("Configuratiefout: geen mailbox ingesteld ([imap] host).", err=True)
        sys.exit(EXIT_USAGE)
    channel = MailChannel(app)
    if once:
        stats = channel.run_once()
        click.echo(
            f"{stats.seen} bericht(en): {stats.answered} beantwoord, "
            f"{stats.skipped} overgeslagen, {stats.failed} mislukt"
        )
        sys.exit(EXIT_REJECTED if stats.failed else EXIT_OK)
    channel.watch()


@cli.command()
@click.pass_context
def sweep(ctx: click.Context) -> None:
    """The nightly job: both channels once, retries, pairs, reminders and the digest."""
    from intake.channels.sweep import sweep as run_sweep

    app = _app(ctx.find_root())
    result = run_sweep(app)
    click.echo(f"Dagoverzicht: {result.digest[0] if result.digest else '-'}")
    sys.exit(EXIT_REJECTED if result.rejected or result.failed else EXIT_OK)


@cli.command()
@click.argument(
    "source", type=click.Path(exists=True, file_okay=False, path_type=Path), default="fixtures"
)
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Data folder for the demo.",
)
@click.option(
    "--received",
    type=_Date(),
    default="2019-11-20",
    show_default=True,
    help="Date of receipt given to the example files.",
)
@click.pass_context
def demo(ctx: click.Context, source: Path, target: Path, received: datetime) -> None:
    """Run the sweep on the bundled example data (SOURCE: the repository's fixtures/).

    Copies the example submissions into a fresh drop folder under --dir, uses the
    example register and SQLite ledger there, and runs one sweep.
    """
    import os
    import shutil

    from intake.bootstrap import build_app
    from intake.channels.sweep import sweep as run_sweep
    from intake.config import load

    submissions, register = source / "submissions", source / "registers"
    if not submissions.is_dir():
        click.echo(f"{source} heeft geen map submissions/", err=True)
        sys.exit(EXIT_USAGE)
    if target.exists():
        shutil.rmtree(target)
    inbox = target / "inbox"
    inbox.mkdir(parents=True)
    stamp = received.replace(hour=12).timestamp()
    for path in sorted(submissions.iterdir()):
        if path.name != "manifest.json":
            shutil.copyfile(path, inbox / path.name)
            os.utime(inbox / path.name, (stamp, stamp))
    env = {
        "INTAKE_DATA_DIR": str(target),
        "INTAKE_REGISTER_PATH": str(register / "gereserveerde-kwaliteitsmiddelen-2020.csv"),
    }
    logging.getLogger().setLevel(logging.INFO)
    app = build_app(load(None, env))
    result = run_sweep(app)
    # As they stand after the sweep: pairs completed later in the run are settled.
    final = [d.verdict.status.value for d in app.ledger.all_documents()]
    counts = {s: final.count(s) for s in ("accepted", "review", "rejected")}
    click.echo(
        f"{len(result.folder)} bestanden beoordeeld: {counts['accepted']} geaccepteerd, "
        f"{counts['review']} te beoordelen, {counts['rejected']} afgewezen"
    )
    click.echo(f"Rapporten: {app.config.folder_path('outbox')}/")
    click.echo(f"Dagoverzicht: {result.digest[0]}")


def main() -> None:
    try:
        cli(obj={})
    except KeyboardInterrupt:
        click.echo("Afgebroken.", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: no traceback for the user
        log.debug("unexpected error", exc_info=True)
        click.echo(f"Onverwachte fout: {type(exc).__name__}: {exc} (details met -vv)", err=True)
        sys.exit(EXIT_USAGE)
