"""The container image: the Dockerfile's shape, and the install steps it runs, done here without Docker.

No Docker daemon answers on most test machines, so the wheel the builder stage makes is built here too, installed
into a fresh venv and served from outside the source tree: that proves the packaged wheel carries the templates,
static files and migrations. When a daemon does answer, the image itself is built and run as well."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import wait_for

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_dockerfile_builds_in_a_builder_stage_and_ships_only_the_venv_on_python_slim() -> None:
    froms = [args for op, args in instructions() if op == "FROM"]
    assert froms == ["python:3.11-slim AS builder", "python:3.11-slim"]
    final = final_stage()
    copies = [args for op, args in final if op == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv"]
    builder_runs = " ".join(args for op, args in instructions()[: len(instructions()) - len(final)] if op == "RUN")
    assert "pip wheel" in builder_runs and "venv /opt/venv" in builder_runs


def test_the_image_runs_as_the_non_root_kairos_user_with_a_data_volume_and_a_health_check() -> None:
    final = dict((op, args) for op, args in final_stage())  # each of these appears once
    assert final["USER"] == "10001:10001"
    assert "useradd --system --uid 10001" in final["RUN"] and "kairos" in final["RUN"]
    assert final["WORKDIR"] == "/app"
    assert final["VOLUME"] == "/app/data"
    assert final["EXPOSE"] == "8080"
    for setting in ("KAIROS_DATA_DIR=/app/data", "KAIROS_HOST=0.0.0.0", "KAIROS_PORT=8080"):
        assert setting in final["ENV"]
    assert json.loads(final["CMD"]) == ["kairos", "serve"]
    health = final["HEALTHCHECK"]
    assert "/actuator/health" in health and "urllib.request" in health and "curl" not in health


def test_the_build_context_is_only_the_package_and_its_metadata() -> None:
    rules = [r for r in (ROOT / ".dockerignore").read_text().splitlines() if r and not r.startswith("#")]
    assert rules[0] == "*"
    assert {"!pyproject.toml", "!README.md", "!kairos/"} <= set(rules)


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The builder stage's steps: a wheel of Kairos installed into a fresh venv (dependencies lent by ours)."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(tmp / "wheels"), str(ROOT)],
        check=True,
        cwd=tmp,
    )
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheel = next((tmp / "wheels").glob("kairos-*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    # The dependencies come from the test venv through a .pth line; Kairos itself only from the wheel (the test
    # venv's editable hook is a .pth *file* there, which a path added this way does not run).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    Path(site, "zz-test-deps.pth").write_text(ours + "\n")
    return venv


def test_the_wheel_carries_templates_static_files_and_migrations(installed_wheel: Path) -> None:
    code = (
        "import kairos, pathlib; p = pathlib.Path(kairos.__file__).parent; print(p); "
        "print(len(list((p / 'web/templates').rglob('*.html')))); "
        "print(len(list((p / 'web/static').rglob('*.js')))); "
        "print(len(list((p / 'db/migrations/versions').glob('0*.py')))); "
        "print((p / 'db/migrations/script.py.mako').exists())"
    )
    out = subprocess.run(
        [str(installed_wheel / "bin" / "python"), "-c", code], check=True, capture_output=True, text=True, cwd="/"
    ).stdout.split()
    assert out[0].startswith(str(installed_wheel))
    assert int(out[1]) > 0 and int(out[2]) > 0
    assert int(out[3]) == len(list((ROOT / "kairos/db/migrations/versions").glob("0*.py")))
    assert out[4] == "True"


@pytest.fixture
def served_from_wheel(installed_wheel: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env |= {"KAIROS_DATA_DIR": str(tmp_path / "data"), "KAIROS_HOST": "127.0.0.1", "KAIROS_PORT": str(port)}
    proc = subprocess.Popen(
        [str(installed_wheel / "bin" / "kairos"), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def test_kairos_installed_from_the_wheel_serves_pages_and_reports_up(
    served_from_wheel: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, proc = served_from_wheel
    async with httpx.AsyncClient(base_url=url) as client:

        async def healthy() -> bool:
            if proc.poll() is not None:  # it stopped: show why instead of waiting out the timeout
                pytest.fail("kairos serve exited: " + proc.stderr.read().decode()[-2000:] if proc.stderr else "")
            try:
                r = await client.get("/actuator/health")
            except httpx.TransportError:
                return False
            return r.status_code == 200 and r.json()["status"] == "UP"

        await wait_for(healthy, timeout=60, interval=0.2)
        page = await client.get("/")
        assert page.status_code == 200 and "<html" in page.text
        css = await client.get("/static/css/kairos.css")
        assert css.status_code == 200


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(not docker_answers(), reason="no Docker daemon answers here")
def test_the_image_builds_and_serves_with_a_data_volume(tmp_path: Path) -> None:
    tag = "kairos:test-deploy"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ROOT)], check=True)
    port = free_port()
    name = f"kairos-test-{port}"
    volume = f"kairos-test-data-{port}"
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "-p", f"{port}:8080", "-v", f"{volume}:/app/data", tag], check=True
    )
    try:
        deadline = 90
        for _ in range(deadline * 2):  # start-up of a fresh container: migrations, then the server
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health", timeout=2) as r:
                    if json.load(r)["status"] == "UP":
                        break
            except OSError:
                subprocess.run(["sleep", "0.5"], check=True)
        else:
            pytest.fail("the container never reported UP")
        user = subprocess.run(["docker", "exec", name, "id", "-u"], check=True, capture_output=True, text=True)
        assert user.stdout.strip() == "10001"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "volume", "rm", volume], capture_output=True)


def test_the_readme_and_the_deployment_guide_give_the_same_docker_run_command() -> None:
    command = "docker run -d -p 8080:8080 -v kairos-data:/app/data kairos"
    assert command in (ROOT / "README.md").read_text()
    assert command in (ROOT / "docs" / "deployment.md").read_text()
    final = dict(final_stage())
    assert f"-p {final['EXPOSE']}:{final['EXPOSE']}" in command and f":{final['VOLUME']} " in command
