"""The channel commands: `config show`, `watch`, `mail`, `sweep` and `demo`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from intake.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    DateParam,
    configuration_errors,
    load_config,
    log,
    open_app,
)


@contextmanager
def metrics_written(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A one-shot run leaves `[general] metrics_file` behind however it ends; a file that
    cannot be written is logged and never changes the run's exit code."""
    try:
        yield
    finally:
        if app.config.general.metrics_file:
            _write_metrics(app)


def _write_metrics(app) -> None:  # type: ignore[no-untyped-def]
    from intake.casework.metrics import write_metrics_file  # Prometheus' client only when asked

    try:
        write_metrics_file(app)
    except Exception as exc:
        log.error("metrics file not written: %s: %s", type(exc).__name__, exc)


EXIT_CODES = """

Exit codes (for cron and systemd):
  0  the run did its job, whatever the verdicts (rejected files included),
     or another worker was running this channel and this run left it alone
  1  part of the work could not be done (mailbox unreachable, a reply or a
     file that failed); everything else was still done (and the digest written)
  2  configuration error (file, key, register, rules, ledger unreachable;
     mail --once opens the ledger only when there is mail or a metrics file)
"""


@click.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the effective configuration (file + environment), secrets masked."""
    click.echo(load_config(ctx.find_root()).as_toml(), nl=False)


@click.command(epilog=EXIT_CODES)
@click.option("--once", is_flag=True, help="One pass over the inbox, then exit (for cron).")
@click.pass_context
def watch(ctx: click.Context, once: bool) -> None:
    """Take in files dropped in the [folder] inbox.

    Files are taken once their size and modification time have been stable for
    [folder] stable_seconds; the original is archived by content hash, the verdict,
    HTML and PDF go to the outbox, unreadable files also to quarantine.
    """
    from intake.channels import folder

    app = open_app(ctx.find_root())
    if once:
        with metrics_written(app):
            taken = folder.run_once(app)
        if taken.busy:
            click.echo("De map wordt al door een andere verwerking gelezen; niets gedaan.")
            sys.exit(EXIT_OK)
        click.echo(f"{len(taken)} bestand(en) verwerkt, {len(taken.failed)} mislukt")
        sys.exit(EXIT_PARTIAL if taken.failed else EXIT_OK)
    folder.watch(app)


@click.command(epilog=EXIT_CODES)
@click.option("--once", is_flag=True, help="One pass over the mailbox, then exit.")
@click.pass_context
def mail(ctx: click.Context, once: bool) -> None:
    """Take in, judge and answer messages in the [imap] mailbox.

    Without --once, waits for new mail with IMAP IDLE and reconnects after errors.
    With --once on an empty mailbox, the ledger is opened only to write
    [general] metrics_file; the rules and the register are always read.
    """
    root = ctx.find_root()
    config = load_config(root)
    if not config.mail_enabled:
        click.echo("Configuratiefout: geen mailbox ingesteld ([imap] host).", err=True)
        sys.exit(EXIT_USAGE)
    if once:
        sys.exit(_mail_once(root, config))
    from intake.channels.mail import MailChannel

    MailChannel(open_app(root, config)).watch()


def _mail_once(root: click.Context, config) -> int:  # type: ignore[no-untyped-def]
    """A timer may start this every few minutes, and most runs find nothing: the mailbox
    is asked before the ledger (SQLAlchemy and the database driver, about a third of a
    second) is opened, which happens only when there is mail, or a metrics file that
    every run rewrites from it however the run ends."""
    from intake.adapters.imap import connect, ensure_folders, logout, message_count
    from intake.bootstrap import build_context

    with configuration_errors():
        context = build_context(config)  # broken rules or register: exit 2, mail or not
    if config.general.metrics_file:
        app = open_app(root, config, context)
        with metrics_written(app):
            return _mail_pass(app)
    mailbox = None
    with _mailbox_errors() as failed:
        mailbox = connect(config.imap)
        ensure_folders(mailbox, config.imap)
        waiting = message_count(mailbox, config.imap.folder)
    if failed or not waiting:
        if mailbox is not None:
            logout(mailbox)
        if failed:
            return failed[0]
        log.debug("mailbox %s is empty", config.imap.folder)
        click.echo("0 bericht(en): 0 beantwoord, 0 overgeslagen, 0 mislukt")
        return EXIT_OK
    try:
        app = open_app(root, config, context)
    except BaseException:  # exit 2, or Ctrl-C while the database is slow to answer
        logout(mailbox)
        raise
    return _mail_pass(app, mailbox)


def _mail_pass(app, mailbox=None) -> int:  # type: ignore[no-untyped-def]
    from intake.adapters.imap import logout
    from intake.channels.mail import MailChannel

    try:
        channel = MailChannel(app)
    except BaseException:  # the pass below would have ended the session
        if mailbox is not None:
            logout(mailbox)
        raise
    with _mailbox_errors() as failed:
        stats = channel.run_once(mailbox=mailbox)
    if failed:
        return failed[0]
    if stats.busy:
        click.echo("De mailbox wordt al door een andere verwerking gelezen; niets gedaan.")
        return EXIT_OK
    click.echo(
        f"{stats.seen} bericht(en): {stats.answered} beantwoord, "
        f"{stats.skipped} overgeslagen, {stats.failed} mislukt"
    )
    return EXIT_PARTIAL if stats.failed else EXIT_OK


@contextmanager
def _mailbox_errors() -> Iterator[list[int]]:
    """What went wrong with the mailbox, said in one line; the list yielded receives the
    exit code when something did."""
    from imap_tools.errors import MailboxLoginError

    from intake.adapters.imap import FolderMissing
    from intake.adapters.tls import TlsRefused

    failed: list[int] = []
    try:
        yield failed
    except FolderMissing as exc:
        click.echo(
            f"Configuratiefout: de map {exc} bestaat niet op de mailserver ([imap] folder).",
            err=True,
        )
        failed.append(EXIT_USAGE)
    except TlsRefused as exc:  # before any password was sent: a configuration matter
        click.echo(f"Mailserver geweigerd: {exc}", err=True)
        failed.append(EXIT_USAGE)
    except MailboxLoginError as exc:
        click.echo(f"Configuratiefout: aanmelden bij de mailbox geweigerd ({exc}).", err=True)
        failed.append(EXIT_USAGE)
    except Exception as exc:  # unreachable, dropped connection, server error
        log.debug("mail pass failed", exc_info=True)
        click.echo(f"Mailbox niet bereikbaar: {type(exc).__name__}: {exc}", err=True)
        failed.append(EXIT_PARTIAL)


@click.command(short_help="The nightly job: channels, pairs, reminders, digest.", epilog=EXIT_CODES)
@click.pass_context
def sweep(ctx: click.Context) -> None:
    """The nightly job: both channels once, retries, pairs, reminders and the digest.

    Each part runs on its own: an unreachable mailbox or a reminder that cannot be
    sent is noted, the rest is still done and the digest is always written.
    """
    from intake.channels.sweep import sweep as run_sweep

    app = open_app(ctx.find_root())
    with metrics_written(app):
        result = run_sweep(app)
    if result.busy:
        click.echo("Er loopt al een andere nachtelijke verwerking; niets gedaan.")
        sys.exit(EXIT_OK)
    click.echo(f"Dagoverzicht: {result.digest[0] if result.digest else '-'}")
    for problem in result.problems:
        click.echo(f"Niet gelukt: {problem}", err=True)
    sys.exit(EXIT_PARTIAL if result.failed else EXIT_OK)


@click.command(short_help="Judge every stored document again after a change.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.pass_context
def rejudge(ctx: click.Context, dry_run: bool) -> None:
    """Judge every stored document again, after a change of rules or register.

    Originals come from the archive; verdicts that change are replaced in the ledger.
    Prints each change: file, AGB code, old -> new status, finding codes added/removed.
    """
    from intake.channels.progress import progress
    from intake.service import rejudge as run_rejudge

    app = open_app(ctx.find_root())
    with progress("opnieuw beoordelen", total=app.ledger.count("documents")) as bar:
        changed = run_rejudge(
            app, dry_run=dry_run, progress=lambda n: [bar.advance() for _ in range(n)]
        )
    for change in changed:
        click.echo(describe_change(change))
    verb = "zou(den) wijzigen (proefrun, niets gewijzigd)" if dry_run else "gewijzigd"
    click.echo(f"{len(changed)} beoordeling(en) {verb}")
    sys.exit(EXIT_OK)


def _demo_dates(
    submissions: Path, received: datetime | None, settings: dict
) -> dict[str, datetime]:
    """Each example file's intended date of receipt (noon, local); "" for the rest.

    The default day and time zone come from the examples' own `demo.toml`.
    """
    import json
    from zoneinfo import ZoneInfo

    noon = {"hour": 12, "tzinfo": ZoneInfo(settings["timezone"])}
    fallback = received or datetime.combine(settings["received"], datetime.min.time())
    fallback = fallback.replace(**noon)
    dates = {"": fallback}
    manifest = submissions / "manifest.json"
    if received is None and manifest.is_file():
        for case in json.loads(manifest.read_text(encoding="utf-8")):
            dates[case["file"]] = datetime.fromisoformat(case["received"]).replace(**noon)
    return dates


def describe_change(change) -> str:  # type: ignore[no-untyped-def]
    """One line per document: file, AGB, old -> new status, +added -removed codes."""
    before, after = change.before, change.after
    provider = after.provider or before.provider
    added = sorted(set(after.codes) - set(before.codes))
    removed = sorted(set(before.codes) - set(after.codes))
    codes = " ".join([*(f"+{c}" for c in added), *(f"-{c}" for c in removed)])
    agb = (provider.agb if provider else None) or "-"
    return f"{after.file}  {agb}  {before.status.value} → {after.status.value}  {codes}".rstrip()


DEMO_MARKER = ".intake-demo"


@click.command(short_help="Run the nightly job on the bundled example data.")
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
    type=DateParam(),
    default=None,
    help="Date of receipt for every example file (default: each file's own date from "
    "the examples' manifest.json, so a late file arrives late).",
)
@click.option(
    "--at",
    "clock",
    type=DateParam(),
    default=None,
    help="The moment the night runs (YYYY-MM-DD[THH:MM], local time; default: `clock` in "
    "demo.toml): letters, the digest and the desk read as they would have then.",
)
@click.option("--serve", is_flag=True, help="Then open the desk on the demo ledger.")
@click.option(
    "--listen", default="127.0.0.1:8080", show_default=True, help="Where --serve listens."
)
@click.pass_context
def demo(
    ctx: click.Context,
    source: Path,
    target: Path,
    received: datetime | None,
    clock: datetime | None,
    serve: bool,
    listen: str,
) -> None:
    """Run the sweep on the bundled example data (SOURCE: the repository's fixtures/).

    Copies the example submissions (demo.toml `submissions`) into a fresh drop folder
    under --dir, uses the example register and an SQLite ledger there, and runs one
    sweep at the demo's moment. With --serve the desk then opens on that ledger, with a
    throwaway admin account that is printed. An existing folder is only replaced when
    an earlier demo made it; any other is left alone.
    """
    import os
    import shutil
    import tomllib

    from intake.bootstrap import build_app
    from intake.channels.sweep import sweep as run_sweep
    from intake.config import load
    from intake.domain import clock as clocks

    settings = tomllib.loads((source / "demo.toml").read_text(encoding="utf-8"))
    submissions = source / settings.get("submissions", "submissions")
    if not submissions.is_dir():
        click.echo(f"{source} heeft geen map {submissions.name}/", err=True)
        sys.exit(EXIT_USAGE)
    marker = target / DEMO_MARKER
    if target.exists() and any(target.iterdir()):
        if not marker.exists():
            click.echo(
                f"De map {target} bestaat al en is niet door 'intake demo' gemaakt; "
                "kies met --dir een nieuwe of lege map.",
                err=True,
            )
            sys.exit(EXIT_USAGE)
        shutil.rmtree(target)  # an earlier demo's folder, recognised by its marker
    inbox = target / "inbox"
    inbox.mkdir(parents=True)
    marker.write_text("Gemaakt door 'intake demo'; wordt bij een volgende demo vervangen.\n")
    dates = _demo_dates(submissions, received, settings)
    for path in sorted(submissions.iterdir()):
        if path.name != "manifest.json":
            shutil.copyfile(path, inbox / path.name)
            stamp = dates.get(path.name, dates[""]).timestamp()
            os.utime(inbox / path.name, (stamp, stamp))
    env = {
        "INTAKE_DATA_DIR": str(target),
        "INTAKE_REGISTER_PATH": str(source / settings["register"]),
    }
    logging.getLogger().setLevel(logging.INFO)
    moment = _demo_moment(clock, settings)
    clocks.set_now(moment)
    if serve:
        env.update(_desk_env(listen))
    app = build_app(load(None, env))
    result = run_sweep(app, now=moment)
    # As they stand after the sweep: pairs completed later in the run are settled.
    final = [d.verdict.status.value for d in app.ledger.all_documents()]
    counts = {s: final.count(s) for s in ("accepted", "review", "rejected")}
    click.echo(
        f"{len(result.folder)} bestanden beoordeeld: {counts['accepted']} geaccepteerd, "
        f"{counts['review']} te beoordelen, {counts['rejected']} afgewezen"
    )
    click.echo(f"Rapporten: {app.config.folder_path('outbox')}/")
    click.echo(f"Dagoverzicht: {result.digest[0]}")
    if serve:
        _serve_demo(app)


def _demo_moment(clock: datetime | None, settings: dict) -> datetime | None:
    """The night the demo runs, in the examples' time zone; None: now."""
    from zoneinfo import ZoneInfo

    moment = clock or settings.get("clock")
    if moment is None:
        return None
    if not isinstance(moment, datetime):  # a TOML date without a time
        moment = datetime.combine(moment, datetime.min.time())
    if moment.hour == 0 and moment.minute == 0:
        moment = moment.replace(hour=22)  # the evening: the day's mail is in
    return moment.replace(tzinfo=ZoneInfo(settings["timezone"]))


def _desk_env(listen: str) -> dict[str, str]:
    """A throwaway secret for the demo desk: sessions end with the process."""
    import secrets

    return {
        "INTAKE_DESK_SECRET_KEY": secrets.token_urlsafe(48),
        "INTAKE_DESK_LISTEN": listen,
        "INTAKE_DESK_BASE_URL": f"http://{listen}",
    }


def _serve_demo(app) -> None:  # type: ignore[no-untyped-def]
    """The desk on the demo ledger, with a new admin account whose password is printed."""
    import secrets

    from intake.casework.accounts import add_user
    from intake.storage.casebook import Casebook
    from intake.web.server import serve as run

    name, password = f"demo-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    add_user(Casebook(app.ledger.engine), name, "admin", password)
    click.echo(f"Intakebalie: {app.config.desk.base_url}/  gebruiker {name}  wachtwoord {password}")
    click.echo("Stoppen met Ctrl-C.")
    sys.stdout.flush()
    run(app)
