"""The container image: the Dockerfile's shape, and the image built and run where a Docker daemon answers.

The builder stage makes a wheel and installs it with its dependencies into a fresh venv; tests/install does the
same without Docker (every run, no daemon needed) and serves Kairos from that venv."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

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
    # The recipe of tests/install: the wheel alone, then the wheel with its dependencies into a fresh venv.
    assert "pip wheel --no-deps" in builder_runs and "venv /opt/venv" in builder_runs
    assert "/opt/venv/bin/pip install /wheels/kairos-*.whl" in builder_runs


def test_the_image_runs_as_the_non_root_kairos_user_with_a_data_volume_and_a_health_check() -> None:
    final = dict((op, args) for op, args in final_stage())  # each of these appears once
    assert final["USER"] == "10001:10001"
    assert "useradd --system --uid 10001" in final["RUN"] and "kairos" in final["RUN"]
    assert "chmod 0700 /app/data" in final["RUN"]  # a new named volume takes this mode: the database stays private
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


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(not docker_answers(), reason="no Docker daemon answers here (`docker info` fails): image not built")
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
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
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
