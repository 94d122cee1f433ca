"""The compact form of raw check results: one resource's results as columns, JSON-encoded and deflated.

A steady service repeats itself: the same status, HTTP status and message every check, times one interval
apart, latencies that differ in the last digits. Stored as columns (times as deltas, latencies as integers
of 10 microseconds, a message or details only when they differ from the previous result) and deflated, a
check costs about 10 bytes instead of the 270-310 of a row with indexes.

The same builder serves the flush journal (a few seconds of results) and the closed 15-minute blocks."""

from __future__ import annotations

import json
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, TypeVar

from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.rollups.buckets import RollupDelta

K = TypeVar("K")
VERSION = 1
SCALE = 100  # latencies are kept in 1/100 ms
NONE = -1  # no value in an integer column
SAME = 0  # message or details: the same as the previous result's
MESSAGE_MAX = 2000
_STATUS_CODES = {Status.AVAILABLE: 0, Status.NOT_AVAILABLE: 1, Status.UNKNOWN: 2, Status.MAINTENANCE: 3}
_STATUSES = (Status.AVAILABLE, Status.NOT_AVAILABLE, Status.UNKNOWN, Status.MAINTENANCE)


def ms_of(at: datetime) -> int:
    """Milliseconds since the epoch: a result's time, and its id within its resource."""
    return int(at.timestamp() * 1000)


def at_of(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _q(value: float | None) -> int:
    return NONE if value is None else max(0, round(value * SCALE))


def _f(value: int) -> float | None:
    return None if value == NONE else value / SCALE


@dataclass(slots=True)
class StoredResult:
    """One raw result as read back; attribute names match what the history views expect."""

    id: int  # milliseconds since the epoch, unique within the resource
    resource_id: int
    checked_at: datetime
    status: str
    latency_ms: float | None
    dns_ms: float | None
    connect_ms: float | None
    tls_ms: float | None
    ttfb_ms: float | None
    http_status: int | None
    error_code: str | None
    message: str
    details: dict[str, Any] | None
    # Where it was checked: "local" for the single process. Ids are unique per (resource, location) only: two
    # locations may record the same millisecond.
    location: str = "local"
    proxy_ms: float | None = None  # connect to the proxy and its handshake (docs/proxy.md); None: direct

    def as_probe_result(self) -> ProbeResult:
        phases = Phases(self.dns_ms, self.connect_ms, self.tls_ms, self.ttfb_ms, self.latency_ms, self.proxy_ms)
        return ProbeResult(
            status=Status(self.status),
            message=self.message,
            error_code=self.error_code,
            phases=phases,
            http_status=self.http_status,
            details=dict(self.details or {}),
            checked_at=self.checked_at,
        )


class BlockBuilder:
    """A resource's results in arrival order, as columns; also keeps the rollup of what it holds."""

    __slots__ = (
        "_last", "codes", "con", "delta", "dets", "dns", "http", "lat", "msgs", "prx", "s", "t", "tls", "ttfb",
    )  # fmt: skip

    def __init__(self) -> None:
        self.t = array("q")
        self.s = array("b")
        self.lat, self.dns, self.con, self.tls, self.ttfb, self.prx = (array("i") for _ in range(6))
        self.http = array("h")
        self.codes: list[str | None] = []
        self.msgs: list[str | int] = []
        self.dets: list[dict[str, Any] | int | None] = []
        self.delta = RollupDelta()
        self._last: tuple[str, dict[str, Any] | None] | None = None

    def __len__(self) -> int:
        return len(self.t)

    def add(self, ms: int, result: ProbeResult) -> None:
        p = result.phases
        self.t.append(ms)
        self.s.append(_STATUS_CODES[result.status])
        self.lat.append(_q(p.total_ms))
        self.dns.append(_q(p.dns_ms))
        self.con.append(_q(p.connect_ms))
        self.tls.append(_q(p.tls_ms))
        self.ttfb.append(_q(p.ttfb_ms))
        self.prx.append(_q(p.proxy_ms))
        self.http.append(NONE if result.http_status is None else result.http_status)
        self.codes.append(result.error_code)
        message, details = result.message[:MESSAGE_MAX], result.details or None
        last = self._last
        self.msgs.append(SAME if last is not None and last[0] == message else message)
        self.dets.append(SAME if last is not None and last[1] == details else details)
        self._last = (message, details)
        self.delta.add(result)

    def counts(self) -> tuple[int, int, int]:
        d = self.delta
        return d.available, d.not_available, d.unknown

    def columns(self) -> dict[str, Any]:
        times = self.t.tolist()
        deltas = [times[0]] + [b - a for a, b in pairwise(times)] if times else []
        # "p" (the proxy phase) only when a result has one: blocks without a proxy keep the format they always had,
        # and blocks written before the proxy existed read back with no proxy phase.
        proxy = {"p": self.prx.tolist()} if any(v != NONE for v in self.prx) else {}
        return proxy | {
            "t": deltas,
            "s": self.s.tolist(),
            "l": self.lat.tolist(),
            "d": self.dns.tolist(),
            "c": self.con.tolist(),
            "x": self.tls.tolist(),
            "f": self.ttfb.tolist(),
            "h": self.http.tolist(),
            "e": self.codes,
            "m": self.msgs,
            "j": self.dets,
        }

    def encode(self) -> bytes:
        return pack(self.columns())


def builder_in(builders: dict[K, BlockBuilder], key: K) -> BlockBuilder:
    """``builders[key]``, made when missing. Not ``setdefault(key, BlockBuilder())``: that builds a builder (its
    arrays and rollup) for every result, which cost the recorder more than adding the result."""
    b = builders.get(key)
    if b is None:
        b = builders[key] = BlockBuilder()
    return b


def pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps({"v": VERSION, **obj}, separators=(",", ":")).encode(), 6)


def unpack(payload: bytes) -> dict[str, Any]:
    obj = json.loads(zlib.decompress(payload))
    if not isinstance(obj, dict) or obj.get("v") != VERSION:
        raise ValueError("unknown result block format")
    return obj


def decode_columns(resource_id: int, cols: dict[str, Any], location: str = "local") -> Iterator[StoredResult]:
    """The results of one resource's columns (checked in ``location``), in the order they were added."""
    ms = 0
    message: str = ""
    details: dict[str, Any] | None = None
    proxies = cols.get("p") or [NONE] * len(cols["t"])
    rows = zip(
        cols["t"], cols["s"], cols["l"], cols["d"], cols["c"], cols["x"], cols["f"], cols["h"], cols["e"], cols["m"],
        cols["j"], proxies, strict=True,
    )  # fmt: skip
    for i, (dt, s, lat, dns, con, tls, ttfb, http, code, msg, det, prx) in enumerate(rows):
        ms = dt if i == 0 else ms + dt
        if msg != SAME or i == 0:
            message = str(msg) if msg != SAME else ""
        if det != SAME or i == 0:
            details = det if isinstance(det, dict) else None
        yield StoredResult(
            id=ms,
            resource_id=resource_id,
            checked_at=at_of(ms),
            status=_STATUSES[s].value,
            latency_ms=_f(lat),
            dns_ms=_f(dns),
            connect_ms=_f(con),
            tls_ms=_f(tls),
            ttfb_ms=_f(ttfb),
            http_status=None if http == NONE else http,
            error_code=code,
            message=message,
            details=details,
            location=location,
            proxy_ms=_f(prx),
        )


def decode_block(resource_id: int, payload: bytes, location: str = "local") -> list[StoredResult]:
    return list(decode_columns(resource_id, unpack(payload), location))


def encode_many(builders: Iterable[tuple[int, BlockBuilder]]) -> bytes:
    """Several resources' results in one payload (a journal entry); a resource may appear more than once."""
    return pack({"r": [[rid, b.columns()] for rid, b in builders if len(b)]})


def decode_many(payload: bytes, location: str = "local") -> dict[int, list[StoredResult]]:
    """A journal entry's results per resource; every result of one entry was checked in ``location``."""
    out: dict[int, list[StoredResult]] = {}
    for rid, cols in unpack(payload)["r"]:
        out.setdefault(int(rid), []).extend(decode_columns(int(rid), cols, location))
    return out
