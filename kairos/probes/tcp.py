"""TCP probe: resolve ``host:port``, open a connection, close it at once. Nothing is sent.

With ``tls: true`` a TLS handshake follows the connect (SNI and the verified name are the target's host, as
for HTTPS), and the certificate is recorded and judged like an HTTPS one (kairos.probes.certs)."""

from __future__ import annotations

from pydantic import Field

from kairos import net
from kairos.net.policy import format_host_port, validate_host_port
from kairos.net.tls import context_for
from kairos.probes import certs
from kairos.probes.base import Kind, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import KindSpec, OptionField


class TcpConfig(certs.CertOptions):
    """A bare connect, or a TLS handshake after it (``tls``); unknown fields are refused."""

    tls: bool = Field(
        default=False,
        description="Complete a TLS handshake after the connect (certificate verified unless skipTLS); the "
        "certificate's expiry is then checked like an HTTPS one.",
    )


async def probe(config: TcpConfig, ctx: ProbeContext) -> ProbeResult:
    try:
        host, port = validate_host_port(ctx.target)
    except ValueError as exc:
        return ProbeResult(Status.UNKNOWN, f"invalid target: {exc}", "invalid_target")
    policy = ctx.policy or net.OPEN
    der: bytes | None = None
    try:
        if config.tls:
            context = context_for(not ctx.skip_tls)
            phases, address, der = await net.tls_handshake(
                host, port, timeout_s=ctx.timeout_s, tls_context=context, policy=policy
            )
        else:
            phases, address = await net.tcp_connect(host, port, timeout_s=ctx.timeout_s, policy=policy)
    except net.NetError as exc:  # the probe's own contract (callers of probe() get a ProbeFailure)
        raise ProbeFailure(exc.code, exc.message, phases=exc.phases) from None
    shown = format_host_port(address, port)
    total = phases.total_ms or 0.0
    what = "TLS handshake with" if config.tls else "TCP connect to"
    result = ProbeResult(
        Status.AVAILABLE, f"{what} {shown} in {total:.0f} ms", None, phases, details={"address": address}
    )
    return certs.judge(config, certs.record(result, der), skip_tls=ctx.skip_tls)


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
    uses_tls=True,  # only with the tls option: a bare connect has nothing to verify
    timed_phases=("dns_ms", "connect_ms", "tls_ms"),  # TLS only with the tls option ("-" without it)
    report_lines=certs.report_lines,
    form_fields=(OptionField("tls", "TLS handshake", "checkbox"), *certs.FORM_FIELDS),
    aliases=("tcp",),
)
