"""`kairos check image` against the real registry: the verdict, each phase, and the image's facts."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.registry.conftest import TokenSetup
from tests.servers.registry import Registry


def check_image(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "check", "image", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_pullable_image_prints_its_digest_and_phases_and_exits_0(registry: Registry) -> None:
    out = check_image(f"{registry.host}/team/a/b/app:multi", "--insecure-http", "--platform", "linux/arm64")
    assert out.returncode == 0, out.stdout + out.stderr
    for label in ("manifest", "blobs", "digest", "platforms", "layers", "requests"):
        assert label in out.stdout
    assert "linux/arm64" in out.stdout and out.stdout.rstrip().splitlines()[-1].startswith("AVAILABLE")
    steps = [line.split()[0] for line in out.stdout.splitlines() if line.startswith("    ")]
    assert steps[:3] == ["manifest", "platform", "manifest"]  # the index, the choice, the platform's manifest
    assert steps.count("blobs") == 2  # config and the one layer, each with its own status line


def test_a_missing_tag_exits_1_with_its_code(registry: Registry) -> None:
    out = check_image(f"{registry.host}/library/hello:nope", "--insecure-http")
    assert out.returncode == 1
    assert "manifest_unknown" in out.stdout


def test_an_invalid_reference_is_a_usage_error_naming_the_part(registry: Registry) -> None:
    out = check_image(f"{registry.host}/Library/Hello:v1")
    assert out.returncode == 2
    assert "invalid target" in out.stderr and "Traceback" not in out.stderr


def test_username_without_a_password_in_the_environment_is_refused(registry: Registry) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KAIROS_REGISTRY_PASSWORD"}
    out = subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "check", "image", f"{registry.host}/a:b", "--username", "alice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "KAIROS_REGISTRY_PASSWORD" in out.stderr


def test_credentials_come_from_standard_input(basic_registry: Registry) -> None:
    ref = f"{basic_registry.host}/private/app:v1"
    args = [
        sys.executable,
        "-m",
        "kairos.cli.main",
        "check",
        "image",
        ref,
        "--insecure",
        "--username",
        "alice",
        "--password-stdin",
    ]
    good = subprocess.run(args, input="s3cret\n", capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run(args, input="wrong\n", capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "registry_unauthorized" in bad.stdout
    assert "wrong" not in bad.stdout + bad.stderr


def test_a_token_registry_shows_the_challenge_and_the_token_step(token_setup: TokenSetup) -> None:
    out = check_image(f"{token_setup.registry.host}/public/hello:v1", "--insecure", "--manifest-only")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "401 challenge" in out.stdout and "token (repository:public/hello:pull)" in out.stdout
