"""bench/dashboard.py stays runnable and measures what it says: its seed fills exactly what the server reads, the
target flips between 200 and 500, and a tiny end-to-end run (a real Kairos, real checks, headless Chromium)
writes every figure. No timing is asserted: the benchmark is run by hand for its figures."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.dashboard_seed import Layout, fifteen_minute_buckets, seed
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, bucket_of
from kairos.rollups.live import LiveUptime
from kairos.rollups.live_timeline import LiveTimeline
from kairos.rollups.uptime import WINDOWS_H

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("script", ["dashboard.py", "web_resync.py"])
def test_help(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--resources" in done.stdout and "--db" in done.stdout


@pytest.fixture
def target() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, str(BENCH / "target.py")], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline().split()[2].rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait(5)


def status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_target_flips_its_flip_paths(target: int) -> None:
    assert [status(target, p) for p in ("/flip/1", "/down/2", "/service/3")] == [200, 500, 200]
    status(target, "/__fail")
    assert [status(target, p) for p in ("/flip/1", "/down/2", "/service/3")] == [500, 500, 200]
    status(target, "/__ok")
    assert status(target, "/flip/1") == 200


def test_layout_spreads_the_burst_over_every_group() -> None:
    layout = Layout(resources=10_000, group_size=100, burst=1000, live_interval_s=60, idle_interval_s=86400)
    burst = [rid for rid in range(1, 10_001) if layout.in_burst(rid)]
    assert len(burst) == 1000 and layout.groups == 100
    assert {(rid - 1) // 100 for rid in burst} == set(range(100))  # each group holds some of the burst
    assert not any(layout.is_down(rid) for rid in burst)
    assert layout.path_of(burst[0]).startswith("flip/") and layout.path_of(7).startswith("down/")


async def load_board(url: str, now: float) -> tuple[LiveUptime, LiveTimeline]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        uptime, timeline = LiveUptime(), LiveTimeline()
        await uptime.load(session, now)
        await timeline.load(session, now)
    await engine.dispose()
    return uptime, timeline


def test_seed_fills_every_bucket_the_server_reads(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/seed.db"
    now = time.time()
    seed(url, Layout(40, 10, 0, 60, 86400), 30, 9, now)  # runs its own event loop (a script's seed)
    uptime, timeline = asyncio.run(load_board(url, now))
    for rid in (1, 40):
        assert all(value is not None for value in uptime.get(rid).values())
        letters = timeline.letters(rid, now)
        assert "-" not in letters[:-1]  # every closed block of the 24 hours has data; the open one has none yet
    buckets = set(fifteen_minute_buckets(30, now))
    for hours in WINDOWS_H.values():  # each window's partial first day is there, read from 15-minute rows
        start = bucket_of(now - hours * 3600, FIFTEEN_MIN)
        midnight = bucket_of(start, ONE_DAY) + (ONE_DAY if bucket_of(start, ONE_DAY) < start else 0)
        assert set(range(start, midnight, FIFTEEN_MIN)) <= buckets


def test_a_tiny_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    args = ["--resources", "30", "--days", "2", "--runs", "3", "--chromium-runs", "1", "--burst", "10"]
    done = subprocess.run(
        [sys.executable, str(BENCH / "dashboard.py"), *args, "--settle", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert figures["resources"] == 30 and figures["page"]["bytes"] > 0
    assert figures["api_all"]["items"] == 30 and figures["prometheus"]["series"] > 0
    browser = figures["chromium"]
    assert browser["nodes_at_dcl"] > 30 and browser["fcp_ms"] > 0
    assert browser["burst"]["changes"] == 10  # ten real checks answered; the page's stream carried them
    assert browser["burst"]["events"] >= 1
