"""Publish/subscribe of "this resource has a new result" for the live dashboard stream.

The live board (kairos.scheduler.board) publishes a resource id after each recorded result; every subscriber
(one open ``/api/resources/stream``) keeps a *set* of changed ids, so repeated results of one resource between
two deliveries coalesce into one, and the readers render each id from the freshest in-memory state at send
time. Publishing never awaits and costs one set insertion per subscriber: a slow client cannot hold up whoever
feeds the board. A subscriber that falls more than ``limit`` distinct resources behind drops its set and is told
to resync (re-read everything) instead."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

DEFAULT_LIMIT = 512


class Subscription:
    __slots__ = ("_wake", "closed", "limit", "overflowed", "pending")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending: set[int] = set()
        self.overflowed = False
        self.closed = False
        self._wake = asyncio.Event()

    def _offer(self, resource_id: int) -> None:
        if self.overflowed:
            return
        if len(self.pending) >= self.limit and resource_id not in self.pending:
            self.overflowed = True
            self.pending.clear()
        else:
            self.pending.add(resource_id)
        self._wake.set()

    def _close(self) -> None:
        self.closed = True
        self._wake.set()

    async def wait(self, timeout: float) -> None:
        """Return when something is pending, the broadcaster closed, or after ``timeout`` seconds."""
        if self.pending or self.overflowed or self.closed:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def take(self) -> tuple[set[int], bool]:
        """The changed ids since the last call, and whether the subscriber overflowed (then: resync)."""
        ids, overflowed = self.pending, self.overflowed
        self.pending, self.overflowed = set(), False
        self._wake.clear()
        return ids, overflowed


class Broadcaster:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._subs: set[Subscription] = set()
        self.closed = False

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, resource_id: int) -> None:
        for sub in self._subs:  # usually none: then this is one empty loop on the check's hot path
            sub._offer(resource_id)

    @contextlib.contextmanager
    def subscribe(self, limit: int | None = None) -> Iterator[Subscription]:
        """``limit``: the subscriber's own bound (a scoped stream filters what it sends and bounds that)."""
        sub = Subscription(limit or self._limit)
        if self.closed:
            sub._close()
        self._subs.add(sub)
        try:
            yield sub
        finally:
            self._subs.discard(sub)

    def close(self) -> None:
        """Tell every open stream to finish (at shutdown); later subscribers end at once."""
        self.closed = True
        for sub in self._subs:
            sub._close()
