"""`/metrics`: Prometheus' text format, without a session, to loopback and
`[desk] metrics_from` only (the counts say how busy the office is, not for everyone).

Behind the reverse proxy the client address is the one a proxy in `[desk]
trusted_proxies` forwarded; a request that carries proxy headers is never let in for
being local, so publishing the desk does not publish its metrics.
"""

from __future__ import annotations

import ipaddress

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from intake.adapters.metrics import CONTENT_TYPE, render
from intake.casework.metrics import snapshot
from intake.web.render import DeskJSON

PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def allowed(request: Request, metrics_from: tuple[str, ...]) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_loopback and not any(h in request.headers for h in PROXY_HEADERS):
        return True
    return any(address in ipaddress.ip_network(net, strict=False) for net in metrics_from)


async def metrics(request: Request) -> Response:
    app = request.app.state.intake
    if not allowed(request, app.config.desk.metrics_from):
        return DeskJSON({"error": "geen toegang"}, status_code=403)
    body = await run_in_threadpool(lambda: render(snapshot(app)))
    return Response(body, media_type=CONTENT_TYPE)
