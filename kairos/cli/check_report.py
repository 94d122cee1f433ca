"""What ``kairos check`` prints for one result, in the order things happened: the connection phases, the
kind's own steps (each registry request of an image check), the total, then the facts and the verdict.

A phase or step that never ran shows "-", never "0.0 ms": a refused connect has no first byte, a check that
stopped at the manifest probed no blobs, and DNS for an IP address is no lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kairos.probes.base import ProbeResult
    from kairos.probes.spec import KindSpec

NOT_RUN = "-"
LABEL_WIDTH = 12
_PHASE_LABELS = {"dns_ms": "DNS", "connect_ms": "connect", "tls_ms": "TLS", "ttfb_ms": "first byte"}


def ms(value: float | None) -> str:
    return NOT_RUN if value is None else f"{value:.1f} ms"


def line(label: str, value: str) -> str:
    return f"  {label:<{LABEL_WIDTH}}{value}"


def _phase(name: str, value: float | None) -> str:
    # kairos.net's Trace.skip records DNS for an IP literal as exactly 0 ("took no time"); a real lookup never is.
    if name == "dns_ms" and value == 0.0:
        return f"{NOT_RUN} (an IP address: no lookup)"
    return ms(value)


def phase_lines(spec: KindSpec, result: ProbeResult) -> list[str]:
    p = result.phases
    phases = [(_PHASE_LABELS[name], _phase(name, getattr(p, name))) for name in spec.timed_phases]
    if p.proxy_ms is not None:  # through a proxy (docs/proxy.md): its connect and handshake, after DNS
        phases.insert(min(1, len(phases)), ("proxy", ms(p.proxy_ms)))
    return [line(label, value) for label, value in phases]


def report(spec: KindSpec, result: ProbeResult) -> list[str]:
    """Every line after the heading, the verdict last."""
    lines = phase_lines(spec, result)
    if spec.report_steps is not None:
        lines += spec.report_steps(result.details)
    lines.append(line("total", ms(result.phases.total_ms)))
    if spec.report_lines is not None:
        lines += spec.report_lines(result.details)
    elif result.http_status is not None:
        lines.append(line("HTTP status", str(result.http_status)))
    verdict = result.status.value.replace("_", " ")
    code = f" ({result.error_code})" if result.error_code else ""
    lines.append(f"{verdict}{code}: {result.message}")
    return lines
