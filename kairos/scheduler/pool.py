"""A resizable pool of workers per resource kind: the one owner of probe concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("kairos.scheduler")


class KindPool:
    """Workers take (resource id, due time) from one queue; at most ``size`` checks run at once."""

    def __init__(self, name: str, size: int, work: Callable[[int, float], Awaitable[None]]) -> None:
        self.name = name
        self._work = work
        self._queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
        self._idle: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._target = 0
        self.resize(size)

    @property
    def size(self) -> int:
        return self._target

    @property
    def busy(self) -> int:
        return len(self._busy)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def submit(self, resource_id: int, due: float) -> None:
        self._queue.put_nowait((resource_id, due))

    def resize(self, size: int) -> None:
        """Grow at once; shrink by retiring idle workers now and busy ones after their check."""
        self._target = max(1, size)
        while len(self._idle) + len(self._busy) < self._target:
            task = asyncio.create_task(self._run(), name=f"kairos-{self.name}-worker")
            self._idle.add(task)
        for task in list(self._idle):
            if len(self._idle) + len(self._busy) <= self._target:
                break
            self._idle.discard(task)
            task.cancel()

    async def _run(self) -> None:
        me = asyncio.current_task()
        assert me is not None
        while True:
            resource_id, due = await self._queue.get()
            self._idle.discard(me)
            self._busy.add(me)
            try:
                await self._work(resource_id, due)
            except Exception:  # a worker must outlive any single check
                log.exception("check of resource %s failed inside the scheduler", resource_id)
            finally:
                self._busy.discard(me)
            if len(self._idle) + len(self._busy) >= self._target:
                return
            self._idle.add(me)

    async def close(self, grace_s: float) -> None:
        """Drop queued work, let running checks finish for ``grace_s``, then cancel them."""
        while not self._queue.empty():
            self._queue.get_nowait()
        for task in list(self._idle):
            task.cancel()
        busy = list(self._busy)
        if busy:
            _done, pending = await asyncio.wait(busy, timeout=grace_s)
            for task in pending:
                task.cancel()
        for task in [*self._idle, *busy]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._idle.clear()
        self._busy.clear()
