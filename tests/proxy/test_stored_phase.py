"""The proxy phase is stored with the other phases, and blocks written before it existed still read back."""

from __future__ import annotations

from datetime import UTC, datetime

from kairos.history.codec import BlockBuilder, decode_block, pack
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status


def _result(proxy_ms: float | None) -> ProbeResult:
    return ProbeResult(Status.AVAILABLE, "ok", phases=Phases(None, None, 4.0, 2.0, 9.5, proxy_ms))


def test_a_block_keeps_the_proxy_phase_of_each_result() -> None:
    b = BlockBuilder()
    b.add(1_000, _result(3.25))
    b.add(2_000, _result(None))
    rows = decode_block(7, b.encode())
    assert [r.proxy_ms for r in rows] == [3.25, None]
    assert rows[0].as_probe_result().phases.proxy_ms == 3.25 and rows[0].connect_ms is None


def test_a_block_without_a_proxy_has_the_format_it_always_had_and_old_blocks_read_back() -> None:
    b = BlockBuilder()
    b.add(int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000), _result(None))
    assert "p" not in b.columns()
    old = pack({k: v for k, v in b.columns().items()})  # what a block written before the proxy phase looks like
    (row,) = decode_block(7, old)
    assert row.proxy_ms is None and row.tls_ms == 4.0
