"""One fresh install of the wheel per session: building it and installing its dependencies from the package
index takes about a minute, and every install test only reads from it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.install.support import pip_failed, run, user_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding Kairos from its wheel and its dependencies from the index, as `pip install kairos-*.whl`
    gives a user: no --system-site-packages, no .pth lent from the test venv, so a runtime import missing from
    [project.dependencies] fails here."""
    tmp = tmp_path_factory.mktemp("wheel-install")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "wheels"), str(ROOT)],
        timeout=300,
        cwd=tmp,
        env=user_env(),
    )
    if built.returncode:
        pip_failed("pip wheel of the source tree", built)
    venv = tmp / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], cwd=tmp, env=user_env())
    assert made.returncode == 0, made.stderr
    wheel = next((tmp / "wheels").glob("kairos-*.whl"))
    installed = run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], timeout=900, cwd=tmp, env=user_env()
    )
    if installed.returncode:
        pip_failed(f"pip install {wheel.name} into a fresh venv", installed)
    return venv
