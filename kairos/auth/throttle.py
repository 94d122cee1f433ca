"""Counts recent failed attempts per key (an account, an address, an account seen from an address) in a
sliding window. What the counts are used for (delay, refusal) is the business of the callers: the password
rule in ``kairos.auth.password_signin`` and the API key check in ``kairos.api.deps``."""

from __future__ import annotations

import time
from collections import deque

WINDOW_S = 900.0
MAX_FAILURES = 10
_MAX_KEYS = 50_000  # bounded memory even under a spray of random emails and addresses


class LoginThrottle:
    def __init__(self, base_delay_s: float = 0.25, max_delay_s: float = 4.0) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._now = time.monotonic
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s

    def _recent(self, key: str) -> deque[float]:
        q = self._failures.get(key)
        if q is None:
            return deque()
        edge = self._now() - WINDOW_S
        while q and q[0] < edge:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    def failures(self, *keys: str) -> int:
        return max((len(self._recent(k)) for k in keys), default=0)

    def blocked(self, *keys: str) -> bool:
        return self.failures(*keys) >= MAX_FAILURES

    def delay(self, *keys: str) -> float:
        """Seconds to wait before answering a failed attempt: the base delay, doubling per recent failure."""
        n = self.failures(*keys)
        return 0.0 if n == 0 else min(self.max_delay_s, self.base_delay_s * 2 ** min(n - 1, 30))

    def fail(self, *keys: str) -> None:
        if len(self._failures) > _MAX_KEYS:
            self._failures.clear()
        now = self._now()
        for k in keys:
            self._failures.setdefault(k, deque()).append(now)

    def succeed(self, *keys: str) -> None:
        for k in keys:
            self._failures.pop(k, None)
