"""Leadership: at most one process of the whole fleet runs the singleton jobs (discovery syncs, housekeeping,
the notification sender, journal adoption, location liveness).

The leader holds a PostgreSQL session-level advisory lock, ``pg_try_advisory_lock(LOCK_KEY)``, on a connection
of its own kept open while it leads. The lock lives and dies with that connection: a leader killed with SIGKILL
(or cut off from the database) loses it at once, and another process takes it in its next round. No lease, no
clock: PostgreSQL grants the lock to one session at a time, so there are never two leaders.

Every heartbeat interval a process that does not lead tries to take the lock; one that leads checks that its
connection still answers (``SELECT 1``, bounded by the interval). A broken connection ends the leadership: the
jobs stop, the connection is dropped, and the next round tries again like everyone else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kairos.periodic import PeriodicJob
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

# b"kairosLD" as a big-endian signed 64-bit integer (0x6B6169726F734C44). Fixed: every version of Kairos on one
# database must agree on it. Documented in docs/fleet.md, so operators can see it in pg_locks.
LOCK_KEY = 7737581575016238148

_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")
_PING = text("SELECT 1")


class SingletonJob(Protocol):
    """What the leader runs: started when it becomes leader, stopped when it stops being one."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Leader:
    def __init__(self, engine: AsyncEngine, settings: Settings, jobs: Sequence[SingletonJob]) -> None:
        self._engine = engine
        self._settings = settings
        self._jobs = list(jobs)
        self._conn: AsyncConnection | None = None
        self._running: list[SingletonJob] = []
        self._job = PeriodicJob(
            "fleet leadership", self.step, every_s=lambda: settings.heartbeat_interval_s, logger=log
        )

    @property
    def is_leader(self) -> bool:
        return self._conn is not None

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        """Stop the jobs, release the lock and close the connection (another process may lead at once)."""
        await self._job.stop()
        await self._resign(unlock=True)

    async def step(self) -> None:
        """One round (the periodic job's step; tests call it directly)."""
        if self._conn is None:
            await self._try_lead()
        elif not await self._connection_answers():
            log.warning("fleet leadership: the lock's connection broke; stopping the singleton jobs")
            await self._resign(unlock=False)
            return
        if self._conn is not None:
            await self._start_jobs()

    async def _try_lead(self) -> None:
        conn = await self._engine.connect()
        try:
            # Autocommit: the lock is the session's, and no transaction should stay open while we hold it.
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = bool((await conn.execute(_TRY_LOCK, {"key": LOCK_KEY})).scalar())
        except BaseException:
            await _discard(conn)
            raise
        if not got:
            await conn.close()
            return
        self._conn = conn
        log.info("fleet leadership: %s leads the singleton jobs", self._settings.resolved_worker_id)

    async def _connection_answers(self) -> bool:
        assert self._conn is not None
        try:
            async with asyncio.timeout(self._settings.heartbeat_interval_s):
                await self._conn.execute(_PING)
        except Exception:
            return False
        return True

    async def _start_jobs(self) -> None:
        """Start the jobs not running yet; one whose start fails is tried again next round."""
        for job in self._jobs:
            if job in self._running:
                continue
            try:
                await job.start()
            except Exception as exc:
                log.error("fleet leadership: a singleton job did not start, retrying next round: %s", exc)
                continue
            self._running.append(job)

    async def _resign(self, *, unlock: bool) -> None:
        running, self._running = self._running, []
        for job in reversed(running):
            try:
                await job.stop()
            except Exception:
                log.exception("fleet leadership: a singleton job failed to stop")
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if unlock:
            try:
                await conn.execute(_UNLOCK, {"key": LOCK_KEY})
                await conn.close()
                return
            except Exception:
                pass  # the connection is gone, and the lock with it
        await _discard(conn)


async def _discard(conn: AsyncConnection) -> None:
    """Close a connection that may be broken, without returning it to the pool."""
    try:
        await conn.invalidate()
        await conn.close()
    except Exception:
        log.debug("fleet leadership: closing a broken connection failed", exc_info=True)
