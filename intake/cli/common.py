"""What every `intake` command shares: exit codes, options, configuration, logging."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path

import click

log = logging.getLogger("intake")

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_PARTIAL = 1  # a channel command: part of the work could not be done (the rest was)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


# Control characters and line separators, as escapes: a file name or mail subject with a
# newline in it cannot start a log line of its own (a forged "ERROR" line, a split record).
_CONTROL = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029)
}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def one_line(text: str) -> str:
    return text.translate(_CONTROL)


class OneLineFormatter(logging.Formatter):
    """A log record on one line: the exception's type and message, its traceback only at -vv.

    Code everywhere may call `log.exception`; what reaches stderr still names the file
    or mail in one line, and the full detail is one `-vv` away. Whatever the message
    quotes (a file name, a subject) is escaped, so one record is always one line.
    """

    def __init__(self, fmt: str, detail: bool) -> None:
        super().__init__(fmt)
        self.detail = detail

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        if self.detail or not record.exc_info:
            return super().format(record)
        exc = record.exc_info[1]
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        if exc is not None and type(exc).__name__ not in line:
            line += one_line(f" ({type(exc).__name__}: {exc})")
        return line


def setup_logging(verbose: int, style: str | None = None) -> None:
    """Text lines (one per record) or JSON objects (`--log-format json`, [log] format)."""
    from intake.cli.logformat import TEXT_FORMAT, JsonFormatter, configure

    detail = verbose >= 2
    formatter: logging.Formatter = (
        JsonFormatter(detail) if style == "json" else OneLineFormatter(TEXT_FORMAT, detail)
    )
    configure(max(logging.WARNING - 10 * verbose, logging.DEBUG), formatter)


def install_excepthooks() -> None:
    """An exception escaping a thread (watchdog, server) is logged in one line, not dumped."""
    import threading

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "thread"
        log.error("%s stopped: %s: %s", name, args.exc_type.__name__, args.exc_value)
        log.debug("detail", exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    threading.excepthook = thread_hook


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date as YYYY-MM-DD", param, ctx)


def load_config(ctx: click.Context):  # type: ignore[no-untyped-def]
    from intake.config import ConfigError, load

    try:
        config = load(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(f"Configuratiefout: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if not ctx.obj.get("log_format") and config.log.format != "text":
        setup_logging(ctx.obj.get("verbose", 0), config.log.format)  # [log] format
    return config


def open_app(ctx: click.Context, config=None, context=None):  # type: ignore[no-untyped-def]
    """The App of this run: configuration, rules and register (unless already read and
    given) and the ledger; every problem with them exits 2."""
    from intake.bootstrap import build_app

    config = config if config is not None else load_config(ctx)
    if ctx.obj.get("verbose", 0) == 0:
        logging.getLogger().setLevel(logging.INFO)  # channels say what happened to which file
    with configuration_errors():
        return build_app(config, context)


@contextmanager
def configuration_errors() -> Iterator[None]:
    """Broken rules, schemas or register, an unreachable ledger: exit 2 with every problem."""
    from intake.campaign.register import RegisterError
    from intake.campaign.rules import RulesError

    try:
        yield
    except (RegisterError, RulesError) as exc:
        click.echo(exc.report(), err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # database unreachable and the like: configuration problems
        log.debug("start-up failed", exc_info=True)
        click.echo(f"Kan niet starten: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def judging_context(register: Path | None, reader: str = "fastxml"):  # type: ignore[no-untyped-def]
    """The campaigns of the configuration (`--config`, INTAKE_CONFIG), for check and report."""
    from intake.bootstrap import build_context

    config = load_config(click.get_current_context().find_root())
    with configuration_errors():
        return build_context(config, register=register, reader=reader)
    raise AssertionError("unreachable")  # pragma: no cover


def received_for(path: Path, received: datetime | None, rules) -> datetime:  # type: ignore[no-untyped-def]
    if received is not None:
        moment = (
            received if received.time() != time(0) else datetime.combine(received.date(), time(12))
        )
        return moment if moment.tzinfo else moment.replace(tzinfo=rules.timezone)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=rules.timezone)


def submissions_from(files: tuple[Path, ...], received: datetime | None, rules):  # type: ignore[no-untyped-def]
    from intake.domain import Submission

    for path in files:
        yield Submission(path.name, path.read_bytes(), received_for(path, received, rules), "cli")


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
    type=DateParam(),
    help="Date of receipt for all files (default: each file's modification time).",
)
