"""`intake serve`: uvicorn on `[desk] listen`, behind a TLS reverse proxy."""

from __future__ import annotations

import logging

from intake.service.app import App

log = logging.getLogger(__name__)


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"[desk] listen '{listen}' is not HOST:PORT")
    return host.strip("[]"), int(port)


def serve(app: App) -> None:
    import uvicorn

    from intake.adapters.smtp import SmtpSender
    from intake.casework.decide import deliver_pending
    from intake.web.app import create_app

    web = create_app(app)
    host, port = parse_listen(app.config.desk.listen)
    sent = deliver_pending(app, SmtpSender(app.config.smtp, app.ledger.counters.smtp_failed))
    if sent:
        log.info("pending decision mail delivered at start-up: %s", sent)
    log.info("desk listening on http://%s:%d (%s)", host, port, app.config.desk.base_url)
    uvicorn.run(
        web,
        host=host,
        port=port,
        proxy_headers=False,  # the app itself believes only `[desk] trusted_proxies`
        server_header=False,
        log_level="info",
        access_log=True,
    )
