"""Real fleet processes for the fault tests: workers and web nodes as subprocesses (``python -m
kairos.cli.main``), the recording target (tests/servers/ua_target.py), a dedicated PostgreSQL cluster, and the
database seeding and reading the tests share.

Every process writes its output to a log file of its own; a process that does not come up fails the test with
the end of its log. ``Fleet.close`` kills whatever is still running (the fixture calls it at teardown)."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.auth.apikeys import create_key
from kairos.crypto import SecretBox
from kairos.db.models import NotificationChannel, NotificationPolicy, Resource
from kairos.history.codec import StoredResult
from kairos.history.reader import everything
from tests.harness import wait_for
from tests.servers.ports import free_port

Sessions = async_sessionmaker[AsyncSession]

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ROOT / "tests" / "servers"
SECRET = "fleet-faults-shared-secret"  # every worker and web node of one fleet shares it
FLUSH_S = 2.0  # the workers' flush interval (KAIROS_FLUSH_INTERVAL_S, the default)


def user_agent(location: str, worker: str) -> str:
    """Each worker's User-Agent names its location and itself: the target tells them apart by it."""
    return f"kairos-test/{location}/{worker}"


# -- processes ----------------------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int
    env: dict[str, str]
    argv: list[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing is flushed, nothing is cleaned up."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (a graceful stop), then SIGKILL if it takes longer than ``timeout``."""
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} (exit {self.popen.poll()}) ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class Fleet:
    """The processes of one test, against one database; ``close`` kills every one still running."""

    db_url: str
    workdir: Path
    heartbeat_s: float = 0.5
    procs: list[Proc] = field(default_factory=list)

    def _env(self, **values: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
        env.update(
            PYTHONPATH=str(ROOT),
            KAIROS_DATABASE_URL=self.db_url,
            KAIROS_SECRET_KEY=SECRET,
            KAIROS_HOST="127.0.0.1",
            KAIROS_HEARTBEAT_INTERVAL_S=str(self.heartbeat_s),
            KAIROS_FLUSH_INTERVAL_S=str(FLUSH_S),
            KAIROS_NOTIFY_GROUP_WINDOW_S="0",
            KAIROS_LOG_LEVEL="info",
        )
        env.update(values)
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], port: int) -> Proc:
        data = self.workdir / name
        data.mkdir(parents=True, exist_ok=True)
        env["KAIROS_DATA_DIR"] = str(data)
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(argv, cwd=data, env=env, stdout=out, stderr=subprocess.STDOUT)
        proc = Proc(name, popen, log, port, env, argv)
        self.procs.append(proc)
        return proc

    def worker(self, location: str, name: str) -> Proc:
        port = free_port()
        env = self._env(
            KAIROS_LOCATION=location,
            KAIROS_WORKER_ID=name,
            KAIROS_WORKER_PORT=str(port),
            KAIROS_USER_AGENT=user_agent(location, name),
        )
        return self._spawn(name, [sys.executable, "-m", "kairos.cli.main", "worker"], env, port)

    def web(self, name: str, port: int | None = None) -> Proc:
        port = port or free_port()
        env = self._env(KAIROS_PORT=str(port), KAIROS_ROLE="web")
        return self._spawn(name, [sys.executable, "-m", "kairos.cli.main", "serve", "--role", "web"], env, port)

    def restart(self, proc: Proc) -> Proc:
        """The same command, environment and port again (a container restarted in place)."""
        proc.kill()
        return self._spawn(proc.name, proc.argv, dict(proc.env), proc.port)

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.procs)

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(Exception):
                proc.kill()


async def health(proc: Proc) -> dict[str, Any] | None:
    """The process's ``/actuator/health`` body, or None while it does not answer."""
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            r = await client.get(f"{proc.url}/actuator/health")
    except httpx.HTTPError:
        return None
    body: dict[str, Any] = r.json()
    return body


async def until_up(fleet: Fleet, *procs: Proc, timeout: float = 40.0) -> None:
    """Wait until every process answers UP; a process that exits or stays down fails with the logs."""
    await until(fleet, lambda: _all_up(procs), timeout, f"{', '.join(p.name for p in procs)} not UP")


async def _all_up(procs: tuple[Proc, ...]) -> bool:
    for proc in procs:
        if not proc.alive:
            raise AssertionError(f"{proc.name} exited\n{proc.tail()}")
        body = await health(proc)
        if body is None or body.get("status") != "UP":
            return False
    return True


async def until(fleet: Fleet, predicate: Any, timeout: float, what: str, every: float = 0.2) -> Any:
    """tests.harness.wait_for, failing with ``what`` and every process's log on timeout."""
    try:
        return await wait_for(predicate, timeout=timeout, interval=every)
    except AssertionError:
        raise AssertionError(f"{what} within {timeout} s\n{fleet.logs()}") from None


# -- the target ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    t: float  # wall-clock arrival time
    method: str
    path: str
    ua: str
    status: int
    body: str

    @property
    def location(self) -> str:
        return self.ua.split("/")[1] if self.ua.count("/") >= 2 else ""

    @property
    def worker(self) -> str:
        return self.ua.split("/")[2] if self.ua.count("/") >= 2 else ""


class Target:
    """tests/servers/ua_target.py in its own process: records every request, fails chosen User-Agents."""

    def __init__(self) -> None:
        self.popen = subprocess.Popen([sys.executable, str(SERVERS / "ua_target.py")], stdout=subprocess.PIPE, cwd=ROOT)
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline().decode()
        self.base = "http://" + line.split()[-1]

    def url(self, path: str) -> str:
        return self.base + path

    async def hits(self) -> list[Hit]:
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.get(self.url("/__records"))
        return [Hit(**json.loads(line)) for line in r.text.splitlines() if line]

    async def fail_for(self, ua_part: str) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            (await client.post(self.url("/__fail"), params={"ua": ua_part})).raise_for_status()

    def close(self) -> None:
        self.popen.kill()
        self.popen.wait()


def checks_by(hits: list[Hit], path: str, location: str) -> list[Hit]:
    """The checks of one resource (its path) from one location, in arrival order."""
    return sorted((h for h in hits if h.path == path and h.location == location), key=lambda h: h.t)


# -- a dedicated PostgreSQL cluster -------------------------------------------------------------------------

PG_BIN = max(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), default="")


@dataclass
class Cluster:
    """A throwaway cluster of tests/servers/pg_start.sh, which a test may restart or stop."""

    directory: str
    url: str

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", f"{self.directory}/data", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def restart(self) -> None:
        self.pg_ctl("-l", f"{self.directory}/log", "-w", "-t", "30", "-m", "fast", "restart")


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    # Not under pytest's tmp_path: its base directory is 0700, and the server runs as postgres.
    directory = tempfile.mkdtemp(prefix="kairos-faults-pg-")
    out = subprocess.run(
        ["sh", str(SERVERS / "pg_start.sh"), directory, str(free_port())],
        check=True,
        capture_output=True,
        text=True,
    )
    c = Cluster(directory, out.stdout.strip())
    try:
        yield c
    finally:
        with contextlib.suppress(Exception):
            c.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


# -- seeding and reading the database -----------------------------------------------------------------------


async def add_http(
    sessions: Sessions,
    target: Target,
    count: int,
    *,
    interval_s: int = 5,
    quorum: str | None = None,
    locations: list[str] | None = None,
) -> dict[int, str]:
    """``count`` HTTP resources on the target, one path each; returns {resource id: its path}."""
    async with sessions() as s, s.begin():
        rows = [
            Resource(
                name=f"r{n}",
                kind="HTTP",
                target=target.url(f"/r/{n}"),
                config={},
                interval_s=interval_s,
                timeout_s=2.0,
                quorum=quorum,
                locations=locations,
            )
            for n in range(count)
        ]
        s.add_all(rows)
        await s.flush()
        return {r.id: f"/r/{n}" for n, r in enumerate(rows)}


async def admin_key(sessions: Sessions) -> str:
    async with sessions() as s, s.begin():
        return (await create_key(s, "fault tests")).plaintext


async def webhook_policy(sessions: Sessions, url: str, events: list[str]) -> None:
    """A webhook channel to ``url`` and a scope-all policy selecting ``events`` (sealed with the fleet's key)."""
    async with sessions() as s, s.begin():
        channel = NotificationChannel(name="ops", kind="WEBHOOK", url_enc=SecretBox(SECRET).seal(url), url_hint="http")
        s.add(channel)
        await s.flush()
        s.add(NotificationPolicy(name="fleet", channel_id=channel.id, events=events, scope="all", scope_ids=[]))


async def history(sessions: Sessions) -> list[StoredResult]:
    async with sessions() as s:
        return await everything(s)


def timestamps(results: list[StoredResult], resource_id: int, location: str) -> list[datetime]:
    return sorted(r.checked_at for r in results if r.resource_id == resource_id and r.location == location)


def unmatched(hits: list[Hit], checked: list[datetime], slack_s: float = 1.0) -> list[Hit]:
    """The target's requests with no recorded result stamped in the ``slack_s`` before them (a check is stamped
    when it starts, and reaches the target a moment later); each result explains at most one request."""
    free = sorted(c.timestamp() for c in checked)
    missing: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.t):
        match = next((c for c in free if hit.t - slack_s <= c <= hit.t + 0.05), None)
        if match is None:
            missing.append(hit)
        else:
            free.remove(match)
    return missing
