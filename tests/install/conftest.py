"""One fresh install of the wheel per session: building it and installing its dependencies from the package
index takes about a minute, and every install test only reads from it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.install.support import pip_failed, run, user_env

ROOT = Path(__file__).resolve().parents[2]
# What the Dockerfile's builder stage copies (.dockerignore): the wheel is built from exactly that.
BUILD_CONTEXT = ("pyproject.toml", "README.md", "kairos")


def build_wheel(tmp: Path) -> Path:
    """The builder stage's `pip wheel --no-deps .`, on a copy of the sources: setuptools writes build/ and
    *.egg-info next to them, and scripts/test runs two pytest passes at once."""
    src = tmp / "src"
    src.mkdir()
    for name in BUILD_CONTEXT:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "wheels"), str(src)]
    built = run(cmd, timeout=300, cwd=tmp, env=user_env())
    if built.returncode:
        pip_failed("pip wheel of the source tree", built)
    return next((tmp / "wheels").glob("kairos-*.whl"))


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding Kairos from its wheel and its dependencies from the index, as `pip install kairos-*.whl`
    gives a user: no --system-site-packages, no .pth lent from the test venv, so a runtime import missing from
    [project.dependencies] fails here."""
    tmp = tmp_path_factory.mktemp("wheel-install")
    wheel = build_wheel(tmp)
    venv = tmp / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], cwd=tmp, env=user_env())
    assert made.returncode == 0, made.stderr
    cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)]
    installed = run(cmd, timeout=900, cwd=tmp, env=user_env())
    if installed.returncode:
        pip_failed(f"pip install {wheel.name} into a fresh venv", installed)
    return venv
