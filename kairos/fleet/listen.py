"""A dedicated PostgreSQL connection that LISTENs on channels and reconnects by itself.

Notifications are not queued for a listener that is away: whatever was sent while the connection was down is
lost. So after every reconnection the owner's ``on_reconnect`` runs (it resyncs from the tables), and the owner
also resyncs periodically. The connection is autocommit and its own (not from the SQLAlchemy pool), since a
pooled connection would be handed to others between notifications."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

log = logging.getLogger("kairos.fleet")

OnMessage = Callable[[str, str], None]  # (channel, payload); called in the loop, must not block
OnReconnect = Callable[[], Awaitable[None]]

MIN_BACKOFF_S = 1.0
MAX_BACKOFF_S = 10.0
# A silent connection is probed this often: a host that vanished (no FIN) is otherwise noticed only by TCP.
IDLE_PROBE_S = 5.0
CONNECT_TIMEOUT_S = 5


def conninfo_of(database_url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as a libpq connection string for psycopg."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise ValueError("LISTEN/NOTIFY needs PostgreSQL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _nothing() -> None:
    """No resync wanted."""


class Listener:
    """``start()`` connects once (a failure is retried in the background), ``stop()`` closes. ``on_message`` gets
    every notification; ``on_reconnect`` runs after each connection but the one made by ``start()``."""

    def __init__(
        self,
        conninfo: str,
        channels: Sequence[str],
        on_message: OnMessage,
        on_reconnect: OnReconnect = _nothing,
        *,
        min_backoff_s: float = MIN_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        self._conninfo = conninfo
        self._channels = list(channels)
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self._min_backoff_s = min_backoff_s
        self._max_backoff_s = max_backoff_s
        self._conn: psycopg.AsyncConnection[object] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.connects = 0  # successful connections so far (the first is start()'s)
        self.backend_pid: int | None = None  # of the current connection (tests terminate it)

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    async def start(self) -> None:
        """Connect and LISTEN now if PostgreSQL answers; otherwise keep trying in the background."""
        self._stopping = False
        try:
            await self._connect()
        except (psycopg.Error, OSError) as exc:
            log.warning("cannot listen for fleet notifications yet: %s", _one_line(exc))
        self._task = asyncio.create_task(self._run(), name="kairos-listener")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close()

    async def _connect(self) -> None:
        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        try:
            for channel in self._channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        self.backend_pid = conn.info.backend_pid
        self.connects += 1

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _run(self) -> None:
        backoff = self._min_backoff_s
        while not self._stopping:
            if self._conn is None:
                try:
                    await self._connect()
                except (psycopg.Error, OSError) as exc:
                    log.warning("fleet listener: cannot connect (%s); retrying in %.0f s", _one_line(exc), backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    continue
                log.info("fleet listener: connected again")
                backoff = self._min_backoff_s
                await self._resync()
            conn = self._conn
            if conn is None:
                continue
            try:
                await self._listen(conn)
            except (psycopg.Error, OSError) as exc:
                if self._stopping:
                    return
                log.warning("fleet listener: connection lost (%s)", _one_line(exc))
                await self._close()

    async def _listen(self, conn: psycopg.AsyncConnection[object]) -> None:
        """Deliver notifications until the connection fails (raises); probe it when it stays quiet."""
        while not self._stopping:
            async for note in conn.notifies(timeout=IDLE_PROBE_S):
                self._deliver(note.channel, note.payload)
            await conn.execute("SELECT 1")

    def _deliver(self, channel: str, payload: str) -> None:
        try:
            self._on_message(channel, payload)
        except Exception:  # one bad handler call must not cost the connection
            log.exception("fleet listener: handling a %s notification failed", channel)

    async def _resync(self) -> None:
        try:
            await self._on_reconnect()
        except Exception as exc:  # the periodic resync heals what this one could not
            log.warning("fleet listener: resync after reconnecting failed: %s", _one_line(exc))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
