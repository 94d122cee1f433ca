"""TCP probe: resolve ``host:port``, open a connection, close it at once. Nothing is sent."""

from __future__ import annotations

from kairos import net
from kairos.net.policy import format_host_port, validate_host_port
from kairos.probes.base import Kind, ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import KindSpec


class TcpConfig(ProbeConfig):
    """No options yet; present so that every kind has a config model (and unknown fields are refused)."""


async def probe(config: TcpConfig, ctx: ProbeContext) -> ProbeResult:
    try:
        host, port = validate_host_port(ctx.target)
    except ValueError as exc:
        return ProbeResult(Status.UNKNOWN, f"invalid target: {exc}", "invalid_target")
    try:
        phases, address = await net.tcp_connect(host, port, timeout_s=ctx.timeout_s, policy=ctx.policy or net.OPEN)
    except net.NetError as exc:  # the probe's own contract (callers of probe() get a ProbeFailure)
        raise ProbeFailure(exc.code, exc.message, phases=exc.phases) from None
    shown = format_host_port(address, port)
    total = phases.total_ms or 0.0
    return ProbeResult(
        Status.AVAILABLE, f"TCP connect to {shown} in {total:.0f} ms", None, phases, details={"address": address}
    )


def _validate_target(target: str) -> str:
    return format_host_port(*validate_host_port(target))


SPEC = KindSpec(
    name=Kind.TCP,
    label="TCP port",
    page_name="TCP",
    target_hint="host:port, e.g. db.example.com:5432 or [::1]:22",
    config_model=TcpConfig,
    probe_fn=probe,
    validate_target=_validate_target,
    default_interval_s=60,
    default_parallelism=5,
    default_timeout_s=5.0,
    uses_tls=False,  # a bare connect: nothing to verify
    aliases=("tcp",),
)
