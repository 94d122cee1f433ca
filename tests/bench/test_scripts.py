"""The benchmarks stay runnable: each script answers --help, the peer comparison skips cleanly without its
Debian packages, and the shared target records what the arrival figures are computed from. (The benchmarks
themselves print figures and are run by hand: no timing is asserted here.)"""

from __future__ import annotations

import http.client
import math
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import arrivals

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("script", ["engine.py", "peers.py"])
def test_help(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--resources" in done.stdout and "--duration" in done.stdout


def test_peers_skips_without_prometheus() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "peers.py"), "--resources", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("skipped: prometheus, prometheus-blackbox-exporter not installed")


@pytest.fixture
def target() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, str(BENCH / "target.py")], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline().split()[2].rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait(5)


def get(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        assert conn.getresponse().read() == b"ok"
    finally:
        conn.close()


def test_target_records_each_request(target: int) -> None:
    start = time.monotonic()
    for path in ("/r/0", "/r/1", "/r/0", "/other"):
        get(target, path)
        time.sleep(0.05)
    end = time.monotonic()
    records = arrivals.fetch(target)
    assert [path for _, path in records] == ["/r/0", "/r/1", "/r/0", "/other"]
    assert all(start <= t <= end for t, _ in records)  # the target's clock is the benchmark's clock
    assert arrivals.first_of_all(records, "/r/", 2, start) <= end - start
    assert math.isnan(arrivals.first_of_all(records, "/r/", 3, start))  # /r/2 never came
    window = arrivals.window(records, "/r/", 0.0, start, end)
    assert window.requests == 3
    assert 90 <= window.spacing_ms[1] <= 1000  # /r/0 twice, two requests apart
