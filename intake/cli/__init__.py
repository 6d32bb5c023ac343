"""The `intake` command: thin wiring from arguments to the pipeline and the channels.

Exit codes: `check` and `report` exit 0 when no file is rejected, 1 when any is;
the channel commands (`watch --once`, `mail --once`, `sweep`) exit 0 when they did
their job whatever the verdicts, 1 when part of the work could not be done; 2 is a
usage or configuration error. No traceback reaches the user; details go to the log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from intake import __version__
from intake.cli import channels, desk, extensions, herschikking, judging, migrating
from intake.cli.argv import hoist_global_options
from intake.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    install_excepthooks,
    log,
    setup_logging,
)


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
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="INTAKE_LOG_FORMAT",
    help="Log lines as text (default) or one JSON object per line with file, mail and "
    "outcome fields (or [log] format, INTAKE_LOG_FORMAT).",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, config_path: Path | None, log_format: str | None) -> None:
    """Take in, judge and answer kwaliteitsbudget applications of nursing-home providers.

    Judge files by hand with `check` and `report`; run the channels with `watch`
    (drop folder), `mail` (mailbox) and `sweep` (the nightly job).

    Exit codes: check/report 0 no file rejected, 1 some rejected; watch --once,
    mail --once and sweep 0 job done whatever the verdicts, 1 part of the work
    not done (the rest was); 2 usage or configuration error.
    """
    setup_logging(verbose, log_format)
    ctx.ensure_object(dict)
    ctx.obj["log_format"] = log_format
    ctx.obj["config_path"] = config_path
    ctx.obj["verbose"] = verbose


for command in (
    judging.check,
    judging.report,
    channels.config_group,
    channels.watch,
    channels.mail,
    channels.sweep,
    channels.rejudge,
    channels.demo,
    migrating.migrate,
    herschikking.herschikking,
    extensions.extension_group,
    desk.serve,
    desk.user_group,
):
    cli.add_command(command)


def main() -> None:
    """The console entry point: Dutch messages and exit codes, never a traceback."""
    os.umask(0o027)  # nothing intake writes is readable by other users of the machine
    install_excepthooks()
    try:
        cli.main(args=hoist_global_options(sys.argv[1:]), prog_name="intake", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("Afgebroken door de gebruiker.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code == 2 else exc.exit_code)
    except Exception as exc:  # the last line of defence: no traceback for the user
        log.debug("unexpected error", exc_info=True)
        click.echo(f"Onverwachte fout: {type(exc).__name__}: {exc} (details met -vv)", err=True)
        sys.exit(EXIT_USAGE)
