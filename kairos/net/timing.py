"""Latency phases of one fetch: DNS, connect, proxy, TLS, first byte, total.

A :class:`Trace` also remembers which phase is running, so that when the overall deadline fires the error
can say *where* it got stuck (a connect that never completes is ``connect_timeout``, not ``timeout``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

Clock = Callable[[], float]


@dataclass(slots=True)
class Phases:
    """Latency phases in milliseconds; None when a phase did not happen (no TLS on plain HTTP). Through a proxy,
    ``proxy_ms`` is the connect to the proxy plus its handshake (which includes the proxy's own connect to the
    target), and ``connect_ms`` is None: Kairos did not connect to the target itself."""

    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    ttfb_ms: float | None = None
    total_ms: float | None = None
    proxy_ms: float | None = None  # last: older code builds Phases positionally


DNS = "dns"
CONNECT = "connect"
PROXY = "proxy"  # connect to the proxy and its handshake (HTTP CONNECT or SOCKS5)
TLS = "tls"
WAIT = "wait"  # request sent, waiting for the first byte of the answer
BODY = "body"
IDLE = "idle"

PHASE_WORDS = {
    DNS: "during the DNS lookup",
    CONNECT: "while connecting",
    PROXY: "while connecting through the proxy",
    TLS: "during the TLS handshake",
    WAIT: "waiting for the response",
    BODY: "while reading the response",
    IDLE: "during the request",
}


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


@dataclass(slots=True)
class Trace:
    """Timings of the current request (the last hop of a redirect chain) plus the total since creation."""

    clock: Clock = time.perf_counter
    started: float = 0.0
    current: str = IDLE
    _hop: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def new_hop(self) -> None:
        """Forget the previous request's phases; ``total`` keeps counting from the start."""
        self._hop = {}
        self.current = IDLE

    def phase(self, name: str) -> _Phase:
        """``with trace.phase(name):`` measures a phase; repeated phases (several connect attempts) add up."""
        return _Phase(self, name)

    def skip(self, name: str) -> None:
        """Record a phase that took no time (DNS for an IP literal), as opposed to one that did not happen."""
        self._hop.setdefault(name, 0.0)

    def record(self, name: str, seconds: float) -> None:
        self._hop[name] = seconds

    def elapsed_s(self) -> float:
        return self.clock() - self.started

    def phases(self) -> Phases:
        def get(name: str) -> float | None:
            return _ms(self._hop[name]) if name in self._hop else None

        return Phases(
            dns_ms=get(DNS),
            connect_ms=get(CONNECT),
            tls_ms=get(TLS),
            ttfb_ms=get(WAIT),
            total_ms=_ms(self.elapsed_s()),
            proxy_ms=get(PROXY),
        )


class _Phase:
    """The context manager of :meth:`Trace.phase`: a plain class, since a generator-based one costs several
    times as much and every check enters three of them."""

    __slots__ = ("_begin", "_name", "_trace")

    def __init__(self, trace: Trace, name: str) -> None:
        self._trace = trace
        self._name = name
        self._begin = 0.0

    def __enter__(self) -> None:
        self._trace.current = self._name
        self._begin = self._trace.clock()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        hop, name = self._trace._hop, self._name
        hop[name] = hop.get(name, 0.0) + (self._trace.clock() - self._begin)
