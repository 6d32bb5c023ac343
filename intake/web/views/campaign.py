"""The campaign a desk request is about: `?campaign=` on pages, a hidden `campaign`
field on forms, always one of the active campaigns (default: the configured one)."""

from __future__ import annotations

from starlette.requests import Request

from intake.casework.cases import UnknownCampaign, campaign
from intake.service.app import App

UNKNOWN = UnknownCampaign.message


def requested(app: App, raw: str | None) -> str | None:
    """The active campaign named by `raw`, the default one for none; None when unknown."""
    try:
        return campaign(app, (raw or "").strip() or None)
    except UnknownCampaign:
        return None


def of_query(request: Request) -> str | None:
    return requested(request.app.state.intake, request.query_params.get("campaign"))


def choices(app: App) -> list[str]:
    """The active campaigns, the default one first: shown as a selector when more than one."""
    return list(app.contexts)


def suffix(app: App, name: str) -> str:
    """The query string that keeps a link in the same campaign; none for the default one."""
    return "" if name == app.ctx.campaign else f"?campaign={name}"
