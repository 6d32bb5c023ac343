"""`intake demo --serve`: the demo night, then the desk on its ledger with a throwaway
admin account printed; the desk's work queue is the digest's, judged at the demo's
moment (10-12-2019). A real process and real HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.servers import free_port
from tests.manifest import FIXTURES


def _wait_for_login(process: subprocess.Popen, deadline: float) -> re.Match:
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        found = re.search(r"Intakebalie: (\S+)/\s+gebruiker (\S+)\s+wachtwoord (\S+)", line)
        if found:
            return found
    raise AssertionError("no login line: " + "".join(lines))


def _until_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the desk did not come up")


def test_demo_serve_opens_the_desk_with_a_printed_account(tmp_path: Path):
    port = free_port()
    target = tmp_path / "demo"
    process = subprocess.Popen(
        [sys.executable, "-m", "intake", "demo", str(FIXTURES), "--dir", str(target),
         "--serve", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        url, name, password = _wait_for_login(process, deadline).groups()
        assert url == f"http://127.0.0.1:{port}"
        _until_up(url, deadline)
        with httpx.Client(base_url=url, follow_redirects=False) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            login = {"username": name, "password": password, "csrf_token": token.group(1)}
            assert client.post("/login", data=login).status_code == 303
            queue = client.get("/api/todo").json()
        digest = (target / "outbox" / "digest-2019-12-10.html").read_text()
        keys = re.findall(r'data-key="([^"]+)"', digest)
        assert [t["key"] for t in queue["tasks"]] == keys and len(keys) == 7
        kinds = [t["kind"] for t in queue["tasks"]]
        assert kinds.count("review") == 6 and kinds.count("quarantine") == 1
        assert len({t["agb"] for t in queue["tasks"] if t["agb"]}) == 4  # spread over cases
        counts = queue["counts"]["kwaliteitsbudget-2020"]
        assert sum(counts.values()) == 24 and counts["review"] == 4
        manifest = json.loads((FIXTURES / "demo" / "submissions" / "manifest.json").read_text())
        assert len({m["agb"] for m in manifest}) >= 20
    finally:
        process.terminate()
        process.wait(timeout=30)
