"""Every desk response carries the security headers; case data is never cached.

Walks every route of the desk, anonymous and logged in, GET and POST, plus the
downloads of a real document and the error pages.
"""

from __future__ import annotations

import re

import pytest

from intake.web.app import ROUTES
from intake.web.headers import CSP
from intake.web.render import TEMPLATES
from intake.web.views.downloads import KINDS
from tests.integration.desk import PROVIDER, client_for, csrf_of, seeded_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("headers"))


def assert_protected(response, what) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], what
    assert "script-src" not in headers["content-security-policy"], what  # default 'none'
    assert headers["x-frame-options"] == "DENY", what
    assert headers["x-content-type-options"] == "nosniff", what
    assert headers["referrer-policy"] == "no-referrer", what
    if what[1] == "/static/desk.css":
        assert "no-store" not in headers["cache-control"]
    else:
        assert headers["cache-control"] == "no-store", what


def paths(sha256: str):
    for route in ROUTES:
        path = route.path.replace("{agb}", PROVIDER).replace("{sha256}", sha256)
        for method in sorted(route.methods - {"HEAD"}):
            if "{kind}" in path:
                for kind in sorted(KINDS):
                    yield method, path.replace("{kind}", kind)
            else:
                yield method, path


def test_every_route_answers_with_the_security_headers(app):
    admin = client_for(app, "beheerder")
    sha256 = admin.get(f"/api/cases/{PROVIDER}").json()["documents"][0]["sha256"]
    token = csrf_of(admin.get("/").text)
    seen = set()
    for client, who in ((client_for(app, None), "anonymous"), (admin, "admin")):
        for method, path in paths(sha256):
            if (who, path) == ("admin", "/logout"):
                continue  # would end the session the rest of the walk needs
            data = {"csrf_token": token} if method == "POST" else None
            response = client.request(method, path, data=data)
            assert_protected(response, (method, path, who))
            seen.add(response.status_code)
    assert {200, 303, 401, 400}.issubset(seen)
    for path in ("/bestaat-niet", "/api/bestaat-niet"):
        assert_protected(admin.get(path), ("GET", path))
    assert_protected(admin.delete("/cases"), ("DELETE", "/cases"))  # 405


def test_downloads_and_pages_with_case_data_are_not_cached(app):
    staff = client_for(app)
    case = staff.get(f"/api/cases/{PROVIDER}").json()
    sha256 = case["documents"][0]["sha256"]
    for kind in sorted(KINDS):
        response = staff.get(f"/documents/{sha256}/{kind}")
        assert response.status_code == 200 and response.content, kind
        assert response.headers["cache-control"] == "no-store"
    report = staff.get(f"/documents/{sha256}/report.html")
    assert "frame-ancestors 'none'" in report.headers["content-security-policy"]
    assert staff.get(f"/cases/{PROVIDER}").headers["content-security-policy"] == CSP


def test_the_stylesheet_is_served_and_templates_hold_nothing_inline(app):
    """The strict CSP holds only while no template has inline style or script."""
    css = client_for(app, None).get("/static/desk.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "font-family" in css.text
    inline = re.compile(r"<style|<script|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    for template in TEMPLATES.glob("*.html"):
        assert not inline.search(template.read_text()), template.name
