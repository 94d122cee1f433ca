"""Kairos as `pip install kairos-*.whl` installs it: built from the source tree, installed into a fresh venv
with its dependencies from the package index, run from a directory outside the source tree. A runtime import
missing from [project.dependencies] (issue 11: httpx) or a template left out of the wheel fails here."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.install.conftest import ROOT
from tests.install.support import ok_server, run, stop, user_env, wait_until_up
from tests.servers.ports import free_port


def kairos(venv: Path, *args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return run([str(venv / "bin" / "kairos"), *args], cwd=cwd, env=user_env(**settings))


def test_the_fresh_venv_has_nothing_from_the_test_venv_or_the_source_tree(wheel_venv: Path, tmp_path: Path) -> None:
    assert "include-system-site-packages = false" in (wheel_venv / "pyvenv.cfg").read_text()
    # httpx2: the OIDC client's and the MCP bridge's runtime dependency, the kind a dev venv used to lend.
    code = "import sys, kairos, httpx2; print(kairos.__file__); print(httpx2.__file__); print('\\n'.join(sys.path))"
    out = run([str(wheel_venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=user_env())
    assert out.returncode == 0, out.stderr
    kairos_file, httpx_file, *path = out.stdout.splitlines()
    assert kairos_file.startswith(str(wheel_venv)) and httpx_file.startswith(str(wheel_venv))
    lent = [p for p in path if p.startswith((str(ROOT), sys.prefix))]
    assert lent == []


def test_kairos_help_lists_the_commands(wheel_venv: Path, tmp_path: Path) -> None:
    out = kairos(wheel_venv, "--help", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "serve" in out.stdout and "migrate" in out.stdout and "check" in out.stdout


def test_kairos_migrate_creates_the_database(wheel_venv: Path, tmp_path: Path) -> None:
    out = kairos(wheel_venv, "migrate", cwd=tmp_path, data_dir=str(tmp_path / "data"))
    assert out.returncode == 0, out.stderr
    assert "database schema is up to date" in out.stdout
    assert (tmp_path / "data" / "kairos.db").stat().st_size > 0


def test_kairos_check_http_reaches_a_loopback_server(wheel_venv: Path, tmp_path: Path) -> None:
    with ok_server() as url:
        out = kairos(wheel_venv, "check", "http", url, cwd=tmp_path, data_dir=str(tmp_path / "data"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "HTTP status 200" in out.stdout and "AVAILABLE: HTTP 200" in out.stdout


def test_the_wheel_carries_templates_static_files_and_migrations(wheel_venv: Path, tmp_path: Path) -> None:
    code = (
        "import kairos, pathlib; p = pathlib.Path(kairos.__file__).parent; "
        "print(len(list((p / 'web/templates').rglob('*.html')))); "
        "print(len(list((p / 'web/static').rglob('*.js')))); "
        "print(len(list((p / 'db/migrations/versions').glob('0*.py')))); "
        "print((p / 'db/migrations/script.py.mako').exists())"
    )
    out = run([str(wheel_venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=user_env())
    templates, scripts, migrations, mako = out.stdout.split()
    assert int(templates) > 0 and int(scripts) > 0
    assert int(migrations) == len(list((ROOT / "kairos/db/migrations/versions").glob("0*.py")))
    assert mako == "True"


def test_kairos_serve_from_the_wheel_reports_up_serves_pages_and_stops_on_sigterm(
    wheel_venv: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = user_env(data_dir=str(tmp_path / "data"), host="127.0.0.1", port=str(port), log_level="warning")
    proc = subprocess.Popen(
        [str(wheel_venv / "bin" / "kairos"), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        page = httpx.get(url + "/", timeout=10)
        assert page.status_code == 200 and "<html" in page.text
        assert httpx.get(url + "/static/css/kairos.css", timeout=10).status_code == 200
    finally:
        code = stop(proc)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says why it stopped.
    assert code in (0, -signal.SIGTERM)
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
