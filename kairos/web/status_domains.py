"""The custom domains of status pages, for the Host check (kairos/web/hosts.py): a page's domain is allowed
by itself, without adding it to ``KAIROS_ALLOWED_HOSTS``.

The names are cached in memory. A name not in the cache reloads it at most once every ``MISS_REFRESH_S``
seconds, so a stream of foreign Host headers costs at most one small query per interval; a cached name is
trusted for ``TTL_S`` seconds, so a domain removed on another web node stops answering within that time. A
change made through this process reloads at once (:meth:`StatusDomains.invalidate`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.services.status_pages import domains

log = logging.getLogger("kairos.web.hosts")

TTL_S = 30.0
MISS_REFRESH_S = 5.0


class StatusDomains:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._names: frozenset[str] = frozenset()
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._loaded_at = None

    def _age(self) -> float:
        return float("inf") if self._loaded_at is None else self._clock() - self._loaded_at

    async def _reload(self) -> None:
        async with self._lock:
            if self._age() < MISS_REFRESH_S:  # another request reloaded while this one waited
                return
            try:
                async with self._sessionmaker() as session:
                    self._names = frozenset(await domains(session))
            except Exception:  # the database is down: keep the last names, try again after the interval
                log.warning("could not read the status pages' domains", exc_info=True)
            self._loaded_at = self._clock()

    async def allows(self, name: str) -> bool:
        age = self._age()
        if (name in self._names and age >= TTL_S) or (name not in self._names and age >= MISS_REFRESH_S):
            await self._reload()
        return name in self._names
