"""One periodic background job: a step run every interval in a task of its own, started and stopped by its owner.

The outbox sender, discovery, housekeeping and the recorder's flush are all such jobs. The helper owns what they
share: the first-run delay, the interval (read each round, so an owner may change it while running), an optional
event that wakes the job before its interval is up, a guard that keeps one failing round from ending the loop,
and a stop that lets a running step finish within a grace period before cancelling it.

A failure is logged with its traceback, but at most once per ``log_every_s`` per job: a database that is down for
an hour must not write a traceback every second. The rounds left unlogged are counted in the next line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

LOG_EVERY_S = 60.0

Interval = float | Callable[[], float]


class PeriodicJob:
    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[object]],
        *,
        every_s: Interval,
        first_after_s: float = 0.0,
        wake: asyncio.Event | None = None,
        logger: logging.Logger | None = None,
        log_every_s: float = LOG_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._step = step
        self._every_s = every_s
        self.first_after_s = first_after_s
        # The owner's event (e.g. "the buffer is full") or our own: stop() sets it to end a pause at once.
        self._wake = wake or asyncio.Event()
        self._log = logger or logging.getLogger("kairos")
        self._log_every_s = log_every_s
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_logged: float | None = None
        self.rounds = 0  # steps that completed
        self.failures = 0  # steps that raised
        self.suppressed = 0  # failures not logged since the last logged one

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> asyncio.Task[None]:
        """Run the loop in a task of its own (returned, for owners that watch it)."""
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"kairos-{self.name.replace(' ', '-')}")
        return self._task

    async def stop(self, grace_s: float = 0.0) -> None:
        """End the loop: a pause ends at once; a running step gets ``grace_s`` to finish, then is cancelled."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        if grace_s > 0:
            await asyncio.wait({task}, timeout=grace_s)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def run(self) -> None:
        """The loop itself (``start`` runs it in a task): pause, one guarded step, and again until stopped."""
        if self.first_after_s > 0:
            await self._pause(self.first_after_s)
        while not self._stopping:
            self._wake.clear()  # before the step: a wake-up during it brings the next round forward
            await self.run_guarded()
            if self._stopping:
                return
            await self._pause(self.every_s)

    @property
    def every_s(self) -> float:
        return self._every_s() if callable(self._every_s) else self._every_s

    async def run_guarded(self) -> bool:
        """One step; a failure is counted and logged (rate-limited), never raised. True if the step worked."""
        try:
            await self._step()
        except Exception as exc:
            self.failures += 1
            self._report(exc)
            return False
        self.rounds += 1
        return True

    def _report(self, exc: Exception) -> None:
        now = self._clock()
        if self._last_logged is not None and now - self._last_logged < self._log_every_s:
            self.suppressed += 1
            return
        unlogged = f" ({self.suppressed} similar failures not logged)" if self.suppressed else ""
        self._log.error(
            "%s failed, retrying in the next round: %s%s", self.name, _one_line(exc), unlogged, exc_info=exc
        )
        self._last_logged = now
        self.suppressed = 0

    async def _pause(self, seconds: float) -> None:
        if self._wake.is_set() or seconds <= 0:
            await asyncio.sleep(0)  # still yield: a zero interval must not starve the event loop
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)


def _one_line(exc: BaseException) -> str:
    first = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"
