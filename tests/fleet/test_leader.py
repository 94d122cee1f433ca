"""Leadership on a real PostgreSQL: one leader at a time, handed over when the leader stops, loses its
connection or is killed with SIGKILL (its advisory lock dies with its connection)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from kairos.fleet.leader import LOCK_KEY, Leader
from kairos.settings import load_settings
from tests.dbs import _admin_conninfo
from tests.harness import wait_for

ROOT = Path(__file__).resolve().parents[2]


class Job:
    """A singleton job that only counts its starts and stops."""

    def __init__(self) -> None:
        self.starts = 0
        self.stops = 0

    @property
    def running(self) -> bool:
        return self.starts > self.stops

    async def start(self) -> None:
        self.starts += 1

    async def stop(self) -> None:
        self.stops += 1


class Broken(Job):
    """A job whose first start fails (e.g. the database went away in the middle of it)."""

    failed = False

    async def start(self) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("not now")
        await super().start()


def leader(pg_url: str, engine: AsyncEngine, *jobs: Job) -> Leader:
    return Leader(engine, load_settings(database_url=pg_url, heartbeat_interval_s=0.5), list(jobs))


def lock_holders(pg_url: str) -> int:
    """Sessions holding the leadership lock, as PostgreSQL sees them."""
    with psycopg.connect(_admin_conninfo(pg_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (LOCK_KEY,),
        ).fetchone()
    return int(row[0]) if row else 0


async def test_one_leader_at_a_time_and_the_next_takes_over_when_it_stops(pg_url: str, pg_engine: AsyncEngine) -> None:
    a_job, b_job = Job(), Job()
    a, b = leader(pg_url, pg_engine, a_job), leader(pg_url, pg_engine, b_job)
    await a.step()
    await b.step()
    assert (a.is_leader, b.is_leader) == (True, False)
    assert (a_job.running, b_job.running) == (True, False)
    assert lock_holders(pg_url) == 1
    await a.step()  # still leading: the job is not started twice
    assert a_job.starts == 1

    await a.stop()
    assert not a.is_leader and a_job.stops == 1
    await b.step()
    assert b.is_leader and b_job.running and lock_holders(pg_url) == 1
    await b.stop()
    assert lock_holders(pg_url) == 0


async def test_a_leader_whose_connection_breaks_stops_its_jobs_and_another_takes_over(
    pg_url: str, pg_engine: AsyncEngine
) -> None:
    a_job, b_job = Job(), Job()
    a, b = leader(pg_url, pg_engine, a_job), leader(pg_url, pg_engine, b_job)
    await a.step()
    with psycopg.connect(_admin_conninfo(pg_url), autocommit=True) as conn:  # what a PostgreSQL restart does to it
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (LOCK_KEY,),
        )
    await a.step()
    assert not a.is_leader and not a_job.running
    await b.step()
    assert b.is_leader and b_job.running
    await a.step()
    assert not a.is_leader
    await b.stop()
    await a.stop()


async def test_a_job_that_fails_to_start_is_started_again_next_round(pg_url: str, pg_engine: AsyncEngine) -> None:
    ok, flaky = Job(), Broken()
    a = leader(pg_url, pg_engine, ok, flaky)
    await a.step()
    assert a.is_leader and ok.running and not flaky.running
    await a.step()
    assert flaky.running and ok.starts == 1
    await a.stop()
    assert not ok.running and not flaky.running


@pytest.fixture
def procs(pg_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


def spawn(pg_url: str, directory: Path, procs: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    p = subprocess.Popen([sys.executable, "-m", "tests.fleet.leader_proc", pg_url, str(directory)], cwd=ROOT)
    procs.append(p)
    return p


def leaders(directory: Path, procs: list[subprocess.Popen[bytes]]) -> list[int]:
    """The live processes whose singleton job runs right now (a SIGKILLed one leaves its file behind)."""
    alive = {p.pid for p in procs if p.poll() is None}
    return [pid for f in directory.glob("leader-*") if (pid := int(f.name.split("-")[1])) in alive]


async def test_a_killed_leader_process_is_replaced_and_there_are_never_two(
    pg_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    first, second = spawn(pg_url, tmp_path, procs), spawn(pg_url, tmp_path, procs)
    await wait_for(lambda: all((tmp_path / f"ready-{p.pid}").exists() for p in (first, second)))
    held = await wait_for(lambda: leaders(tmp_path, procs), timeout=15)
    seen: list[list[int]] = []

    def new_leader() -> list[int]:
        now = leaders(tmp_path, procs)
        seen.append(now)
        return [pid for pid in now if pid != held[0]]

    os.kill(held[0], signal.SIGKILL)
    successor = await wait_for(new_leader, timeout=15)
    for _ in range(20):  # two seconds (four rounds) more of running: still one leader
        new_leader()
        await asyncio.sleep(0.1)
    assert all(len(now) <= 1 for now in seen)
    assert lock_holders(pg_url) == 1

    survivor = next(p for p in procs if p.pid == successor[0])
    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=15) == 0
    assert leaders(tmp_path, procs) == [] and lock_holders(pg_url) == 0
