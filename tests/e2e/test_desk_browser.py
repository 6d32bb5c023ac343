"""The desk as staff use it: the real server (`intake serve`) in headless Chromium.

Login, the to-do list, a case with its findings and figures, a decision, and the
register preview, all through forms without JavaScript.
"""

from __future__ import annotations

import pytest

from tests.integration.browser import Desk, chromium
from tests.integration.desk import PASSWORD, PROVIDER, desk_env, seeded_app
from tests.manifest import REGISTER_CSV


@pytest.fixture
def desk(tmp_path):
    seeded_app(tmp_path)
    server = Desk(desk_env(tmp_path), tmp_path / "desk.log").start()
    browser = chromium()
    yield server, browser
    browser.quit()
    server.stop()
    log = (tmp_path / "desk.log").read_text()
    assert "Traceback" not in log and " 500 " not in log, log


def login(browser, url: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/cases/{PROVIDER}")  # a page: redirected to the login form
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    arrived(browser, lambda url: "/login" not in url)


def arrived(browser, condition) -> None:
    """A click does not wait for the page it leads to: wait until the URL says so."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda b: condition(b.current_url))


def test_staff_log_in_work_the_todo_list_and_decide(desk):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    server, browser = desk
    browser.get(f"{server.url}/login")
    browser.find_element(By.ID, "username").send_keys("medewerker")
    browser.find_element(By.ID, "password").send_keys("verkeerd-wachtwoord")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "onjuist" in browser.find_element(By.ID, "login-error").text

    login(browser, server.url, "medewerker")
    assert browser.current_url.endswith(f"/cases/{PROVIDER}")  # back where it was going
    browser.get(server.url)
    tasks = browser.find_elements(By.CSS_SELECTOR, "#tasks tr.task")
    assert [t.get_attribute("class").split()[-1] for t in tasks] == [
        "task-quarantine",
        "task-review",  # the plan: its figures differ from the newer model
        "task-review",  # the model: personnel share low, explained
    ]
    tasks[1].find_element(By.TAG_NAME, "a").click()
    arrived(browser, lambda url: url.endswith(f"/cases/{PROVIDER}"))
    assert browser.find_element(By.ID, "case-status").text == "te beoordelen"
    findings = browser.find_elements(By.CSS_SELECTOR, "table.findings td")
    assert "PERSONNEL_SHARE_LOW" in [f.text for f in findings]
    assert "4. Kwaliteitsbudget" in [f.text for f in findings]
    assert browser.find_elements(By.CSS_SELECTOR, "table.figures")

    browser.find_element(By.CSS_SELECTOR, "#decision-form button").click()  # nothing chosen
    arrived(browser, lambda url: url.endswith("/decisions"))
    assert "Kies een beslissing" in browser.find_element(By.ID, "form-error").text
    Select(browser.find_element(By.ID, "decision")).select_by_value("accepted")
    browser.find_element(By.ID, "reason").send_keys("Toelichting op het aandeel personeel volstaat")
    browser.find_element(By.CSS_SELECTOR, "#decision-form button").click()
    arrived(browser, lambda url: "msg=" in url)
    assert browser.find_element(By.ID, "message").text == "Beslissing vastgelegd."
    assert browser.find_element(By.ID, "case-status").text == "besloten"
    # A double click on the submit button: two requests, one decision.
    Select(browser.find_element(By.ID, "decision")).select_by_value("review")
    browser.find_element(By.ID, "reason").send_keys("Tweede blik nodig")
    ActionChains(browser).double_click(
        browser.find_element(By.CSS_SELECTOR, "#decision-form button")
    ).perform()
    arrived(browser, lambda url: "msg=" in url)
    browser.get(f"{server.url}/cases/{PROVIDER}")
    events = browser.find_elements(By.CSS_SELECTOR, "#timeline tr.event-decision")
    assert [("volstaat" in e.text, "Tweede blik" in e.text) for e in events] == [
        (True, False),
        (False, True),
    ]
    assert browser.find_element(By.ID, "case-status").text == "te beoordelen"

    browser.find_element(By.CSS_SELECTOR, "header form button").click()  # log out
    arrived(browser, lambda url: "/login" in url)
    browser.get(f"{server.url}/")
    assert "/login" in browser.current_url


def test_admin_previews_a_new_register(desk, tmp_path):
    from selenium.webdriver.common.by import By

    server, browser = desk
    login(browser, server.url, "beheerder")
    browser.get(f"{server.url}/register")
    changed = tmp_path / "nieuw-register.csv"
    changed.write_text(REGISTER_CSV.read_text().replace("1250000.00", "1300000.00"))
    browser.find_element(By.ID, "file").send_keys(str(changed))
    browser.find_element(By.ID, "upload").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#preview-cases tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == [PROVIDER]
    assert "afgewezen" in rows[0].text
    assert "+RESERVED_MISMATCH" in browser.find_element(By.ID, "preview-documents").text

    broken = REGISTER_CSV.parent / "register-kapot.csv"
    browser.get(f"{server.url}/register")
    browser.find_element(By.ID, "file").send_keys(str(broken))
    browser.find_element(By.ID, "upload").click()
    assert "geen bruikbaar register" in browser.find_element(By.ID, "register-error").text
    assert browser.find_elements(By.CSS_SELECTOR, "#register-problems li")
