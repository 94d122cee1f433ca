"""The README's first command: `scripts/serve` on a fresh clone makes its venv, installs Kairos and serves it;
SIGTERM stops it cleanly. The clone is of the committed HEAD (pip may reuse its cache, as a user's would)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx

from tests.install.conftest import ROOT
from tests.install.support import run, stop, user_env, wait_until_up
from tests.servers.ports import free_port


def test_scripts_serve_on_a_fresh_clone_reports_up_serves_pages_and_stops_on_sigterm(tmp_path: Path) -> None:
    clone = tmp_path / "kairos"
    cloned = run(["git", "clone", "-q", "--depth", "1", f"file://{ROOT}", str(clone)], cwd=tmp_path, env=user_env())
    assert cloned.returncode == 0, cloned.stderr
    port = free_port()
    env = user_env(host="127.0.0.1", port=str(port), log_level="warning")
    proc = subprocess.Popen(
        ["scripts/serve"], cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, timeout=600)  # the first run creates the venv and installs (about a minute)
        page = httpx.get(url + "/", timeout=10)
        assert page.status_code == 200 and "<html" in page.text
    finally:
        code = stop(proc)
    assert code in (0, -signal.SIGTERM)
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    assert (clone / "data" / "kairos.db").exists()  # the README's promise: ./data/kairos.db
