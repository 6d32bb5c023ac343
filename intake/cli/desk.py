"""The desk commands: `serve` and `user add/list/disable`."""

from __future__ import annotations

import sys

import click

from intake.cli.common import EXIT_OK, EXIT_USAGE, load_config, open_app


@click.command(short_help="Run the staff desk (web application).")
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Run the staff desk (web) on [desk] listen; put a TLS reverse proxy in front.

    Needs [desk] secret_key (INTAKE_DESK_SECRET_KEY), at least 32 characters.
    """
    from intake.web.app import SecretKeyError, check_secret
    from intake.web.server import parse_listen
    from intake.web.server import serve as run

    config = load_config(ctx.find_root())
    try:
        check_secret(config.desk.secret_key)
        parse_listen(config.desk.listen)
    except (SecretKeyError, ValueError) as exc:
        click.echo(f"Configuratiefout: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    run(open_app(ctx.find_root()))


@click.group("user")
def user_group() -> None:
    """Manage the desk's accounts (roles: staff, admin)."""


def _book(ctx: click.Context):  # type: ignore[no-untyped-def]
    from intake.storage.casebook import Casebook

    return Casebook(open_app(ctx.find_root()).ledger.engine)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["staff", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add an account; the password is hashed with argon2."""
    from intake.casework.accounts import AccountError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Wachtwoord", hide_input=True, confirmation_prompt="Wachtwoord (nogmaals)"
        )
    book = _book(ctx)
    try:
        add_user(book, name, role, password)
    except AccountError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    book.audit.record("cli", "user", detail=f"toegevoegd: {name} ({role})")
    click.echo(f"Gebruiker {name} ({role}) toegevoegd.")
    sys.exit(EXIT_OK)


@user_group.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List the accounts with role and state."""
    for row in _book(ctx).accounts.all():
        state = "uitgeschakeld" if row["disabled"] else "actief"
        click.echo(f"{row['name']}\t{row['role']}\t{state}")


@user_group.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """Disable an account: it can no longer log in and its sessions end."""
    from intake.storage.sessions import Sessions

    book = _book(ctx)
    if not book.accounts.update(name, disabled=True):
        click.echo(f"Gebruiker {name} bestaat niet.", err=True)
        sys.exit(EXIT_USAGE)
    ended = Sessions(book.engine).end_all_of(name, "disabled")
    book.audit.record("cli", "user", detail=f"uitgeschakeld: {name} ({ended} sessies beëindigd)")
    click.echo(f"Gebruiker {name} uitgeschakeld.")
