import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.loopback import target

__all__ = ["target"]


@pytest.fixture(scope="session")
def helm() -> str:
    """KAIROS_TEST_HELM, a helm on PATH, or the one fetch_helm.sh keeps in its cache (fetched once)."""
    found = os.environ.get("KAIROS_TEST_HELM") or shutil.which("helm")
    if found:
        return found
    script = Path(__file__).parent / "fetch_helm.sh"
    fetched = subprocess.run([str(script)], check=True, capture_output=True, text=True)
    return fetched.stdout.strip()
