"""The strict Content-Security-Policy as Chromium applies it: the desk's stylesheet
loads, and no page of the desk makes the browser report a violation."""

from __future__ import annotations

import pytest

from tests.integration.browser import Desk, chromium
from tests.integration.desk import PASSWORD, PROVIDER, desk_env, seeded_app


@pytest.fixture
def desk(tmp_path):
    seeded_app(tmp_path)
    server = Desk(desk_env(tmp_path), tmp_path / "desk.log").start()
    browser = chromium()
    yield server, browser
    browser.quit()
    server.stop()


def test_pages_are_styled_and_nothing_is_blocked(desk):
    from selenium.webdriver.common.by import By

    server, browser = desk
    browser.get(f"{server.url}/login")
    browser.find_element(By.ID, "username").send_keys("beheerder")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    for path in ("/", "/cases", f"/cases/{PROVIDER}", "/register", "/herschikking"):
        browser.get(f"{server.url}{path}")
        header = browser.find_element(By.TAG_NAME, "header")
        assert header.value_of_css_property("background-color") == "rgba(11, 79, 108, 1)", path
    # Chromium reports what a CSP blocked on the console; the desk must cause none.
    messages = [entry["message"] for entry in browser.get_log("browser")]
    assert not [m for m in messages if "Content Security Policy" in m], messages
