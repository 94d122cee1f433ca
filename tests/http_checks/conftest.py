"""A loopback HTTP target that records what it was sent (tests/http_checks/target.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_checks.target import Target, start, stop


@pytest.fixture
def target() -> Iterator[Target]:
    t = start()
    yield t
    stop(t)
