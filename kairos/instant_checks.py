"""The running instant checks of one Kairos: how many at once, how many per caller, and their cancellation.

An instant check runs inside its request (API or console form), for up to 60 s. Without bounds one caller
could hold every slot, and a SIGTERM would wait for them all: the lifespan calls :meth:`cancel_all` on exit
(and uvicorn cancels request tasks after ``KAIROS_SHUTDOWN_GRACE_S``), so shutdown stays within the grace.
A check beyond a limit is refused at once, never queued, so a flood cannot pile up tasks or sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator

MAX_RUNNING = 4


class Busy(Exception):
    """No slot for this check; the message says which limit was hit."""


class InstantChecks:
    """Slots for instant checks; owned by the Runtime, one per running application."""

    def __init__(self, size: int = MAX_RUNNING) -> None:
        self.size = size
        self._per_caller: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[object]] = set()

    @property
    def running(self) -> int:
        return self._per_caller.total()

    @contextlib.contextmanager
    def slot(self, caller: str, per_caller: int) -> Iterator[None]:
        """Hold one slot for ``caller`` while the block runs in the current task (which ``cancel_all`` may
        cancel); raises :class:`Busy` when all slots, or all of this caller's, are taken."""
        if self.running >= self.size:
            raise Busy(f"{self.size} instant checks are already running; try again in a few seconds")
        if self._per_caller[caller] >= per_caller:
            raise Busy(f"you already run {per_caller} instant checks; wait for one of them to finish")
        task = asyncio.current_task()
        self._per_caller[caller] += 1
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            self._per_caller[caller] -= 1
            if self._per_caller[caller] <= 0:
                del self._per_caller[caller]
            if task is not None:
                self._tasks.discard(task)

    async def cancel_all(self, grace_s: float) -> None:
        """Cancel every running check and wait at most ``grace_s`` for them to unwind."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel("Kairos is shutting down")
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
