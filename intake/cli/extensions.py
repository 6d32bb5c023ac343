"""`intake extension grant/list/revoke`: uitstel for one provider, from the command line."""

from __future__ import annotations

import getpass
import re
import sys

import click

from intake.cli.common import EXIT_OK, EXIT_USAGE, open_app
from intake.domain.case_status import DOCUMENT_LABELS

_AGB = re.compile(r"^\d{8}$")


def _actor(given: str | None) -> str:
    """Who grants: `--actor`, else the login name, marked as the command line's."""
    if given:
        return given
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a container
        return "cli"


@click.group("extension", short_help="Uitstel (deadline extension) for one provider.")
def extension_group() -> None:
    """Uitstel for one provider in one campaign (a campaign-wide shift is a rules change)."""


@extension_group.command("grant")
@click.argument("agb")
@click.option("--until", "until", required=True, metavar="YYYY-MM-DD", help="Last day on time.")
@click.option("--reason", required=True, help="Why; recorded with the actor and shown on the case.")
@click.option("--campaign", help="The campaign (default: the configured one).")
@click.option("--actor", help="Who grants it (default: cli:<login name>).")
@click.pass_context
def grant_command(
    ctx: click.Context,
    agb: str,
    until: str,
    reason: str,
    campaign: str | None,
    actor: str | None,
) -> None:
    """Grant AGB uitstel: documents received on or before --until are not late.

    The case's stored documents are judged late or on time again at once; a
    letter goes out where the outcome changed, as after a rejudge.
    """
    from intake.casework.decide import CaseworkError
    from intake.casework.extensions import grant
    from intake.domain import fmt

    app = open_app(ctx.find_root())
    if not _AGB.match(agb):
        click.echo(app.ctx.rules.text("extension_agb_invalid", agb=agb), err=True)
        sys.exit(EXIT_USAGE)
    form = {"until": until, "reason": reason, "campaign": campaign or ""}
    try:
        granted = grant(app, agb, form, _actor(actor), None)
    except CaseworkError as exc:
        click.echo(exc.message, err=True)
        sys.exit(EXIT_USAGE)
    extension = granted.extension
    rules = app.ctx.for_campaign(extension.campaign).rules
    click.echo(
        rules.text(
            "extension_granted",
            id=extension.id,
            agb=agb,
            campaign=extension.campaign,
            until=fmt.day(extension.until),
            changed=len(granted.changed),
        )
    )
    for before, after in granted.changed:
        was, now = DOCUMENT_LABELS[before.status.value], DOCUMENT_LABELS[after.status.value]
        click.echo(f"  {after.file}: {was} → {now}")
    sys.exit(EXIT_OK)


@extension_group.command("list")
@click.option("--campaign", help="Only this campaign.")
@click.option("--all", "everything", is_flag=True, help="Also the revoked ones.")
@click.pass_context
def list_command(ctx: click.Context, campaign: str | None, everything: bool) -> None:
    """List the extensions in force (with --all also the revoked ones), oldest first."""
    from intake.casework.extensions import listed
    from intake.domain import fmt

    app = open_app(ctx.find_root())
    for x in listed(app, campaign, revoked=everything):
        rules = app.ctx.for_campaign(x.campaign).rules
        state = (
            rules.text("extension_state_revoked", actor=x.revoked_by)
            if x.revoked_at
            else rules.text("extension_state_active")
        )
        click.echo(
            f"{x.id}\t{x.campaign}\t{x.agb}\t{fmt.day(x.until)}\t{x.actor}\t{state}\t{x.reason}"
        )


@extension_group.command("revoke")
@click.argument("extension_id", type=int)
@click.option("--actor", help="Who revokes it (default: cli:<login name>).")
@click.pass_context
def revoke_command(ctx: click.Context, extension_id: int, actor: str | None) -> None:
    """End extension EXTENSION_ID (from `list`); the record of it stays."""
    from intake.casework.decide import CaseworkError
    from intake.casework.extensions import revoke

    app = open_app(ctx.find_root())
    try:
        revoked = revoke(app, extension_id, _actor(actor), None)
    except CaseworkError as exc:
        click.echo(exc.message, err=True)
        sys.exit(EXIT_USAGE)
    rules = app.ctx.for_campaign(revoked.extension.campaign).rules
    click.echo(rules.text("extension_revoked", id=extension_id, changed=len(revoked.changed)))
    for before, after in revoked.changed:
        was, now = DOCUMENT_LABELS[before.status.value], DOCUMENT_LABELS[after.status.value]
        click.echo(f"  {after.file}: {was} → {now}")
    sys.exit(EXIT_OK)
