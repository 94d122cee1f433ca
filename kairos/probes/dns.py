"""DNS probe: ask a resolver for one record type of a name (dnspython's asyncio resolver) and judge the answer.

The target is the name. The resolver is the system's (``/etc/resolv.conf``) unless the options name one as an
IP address and port; the target policy (``KAIROS_DENIED_NETWORKS``) applies to a named resolver, as to any
address a check sends packets to, while the system's resolvers are the operator's own and always allowed.
DNS never goes through a proxy. The one measured phase is the query (``dns_ms``): the resolver's answer time,
retries and a fallback to TCP after a truncated UDP answer included."""

from __future__ import annotations

import ipaddress
import time
from typing import Any, Literal

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.name
import dns.nameserver
import dns.rcode
import dns.resolver
from pydantic import Field, ValidationInfo, field_validator

from kairos.net.denylist import address_class
from kairos.net.policy import format_host_port, validate_host_port
from kairos.net.timing import Phases
from kairos.probes.base import ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.dns_values import (
    RECORD_TYPES,
    answer_forms,
    matches,
    normalise_expected,
    normalise_name,
    shorten,
)
from kairos.probes.spec import KindSpec, OptionField

RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA"]
MAX_PER_TRY_S = 2.0  # one UDP try; a lost packet is asked again while the check's timeout lasts
MAX_SHOWN_ANSWERS = 20  # kept in the result's details; a TXT-heavy name can have hundreds


def parse_resolver(text: str) -> tuple[str, int]:
    """``9.9.9.9``, ``127.0.0.1:5353`` or ``[2001:db8::53]:53`` → (address, port); raises ``ValueError``.

    An address, not a name: a name would need a resolver to find the resolver."""
    text = text.strip()
    bracketed = text.startswith("[")
    has_port = (bracketed and "]:" in text) or (not bracketed and text.count(":") == 1)
    if not bracketed and text.count(":") > 1:
        raise ValueError("put an IPv6 resolver in brackets, e.g. [2001:db8::53]:53")
    host, port = validate_host_port(text if has_port else f"{text}:53")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"'{host[:60]}' is not an IP address: give the resolver as address:port") from None
    return host, port


class DnsConfig(ProbeConfig):
    """Options of a DNS resource (camelCase, as the REST API shows them)."""

    recordType: RecordType = "A"
    resolver: str | None = Field(
        default=None,
        max_length=60,
        description="address:port of the resolver to ask (port 53 when left out). Default: the system's.",
    )
    transport: Literal["udp", "tcp"] = "udp"
    expected: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Values the answer must hold. MX: '10 mail.example.com' or the name alone; SRV: "
        "'priority weight port target' or the target; CAA: '0 issue letsencrypt.org'; TXT: exact text. "
        "Names ignore case and the trailing dot.",
    )
    match: Literal["any", "all"] = Field(
        default="any", description="any: one expected value is enough; all: every one must be there."
    )
    requireAuthenticatedData: bool = Field(
        default=False,
        description="Fail unless the resolver sets the DNSSEC AD flag (it validated the answer).",
    )

    @field_validator("resolver")
    @classmethod
    def _check_resolver(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return format_host_port(*parse_resolver(value))

    @field_validator("expected")
    @classmethod
    def _check_expected(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("recordType", "A")
        cleaned = [item.strip() for item in value]
        for item in cleaned:
            if len(item) > 2048:
                raise ValueError("an expected value may have at most 2048 characters")
            normalise_expected(kind, item)  # raises ValueError saying what the type expects
        return cleaned


def validate_target(target: str) -> str:
    name = normalise_name(target)
    if name == ".":
        raise ValueError("give a name to look up, e.g. example.com")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name
    raise ValueError("give a name to look up, not an address")


def _resolver(config: DnsConfig, ctx: ProbeContext) -> tuple[dns.asyncresolver.Resolver, str]:
    """A resolver for this one check (no cache: every check asks), and how results name it."""
    if config.resolver is None:
        try:
            resolver = dns.asyncresolver.Resolver(configure=True)
        except dns.resolver.NoResolverConfiguration:
            raise _Unknown("dns_no_resolver", "this host has no resolver configured (/etc/resolv.conf)") from None
        shown = "system"
    else:
        host, port = parse_resolver(config.resolver)
        denied = (ctx.policy.denied_network(host) if ctx.policy else None) is not None
        if denied:
            message = f"the resolver {host} is {address_class(host)}, which the target policy does not allow"
            raise ProbeFailure("target_denied", message)
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port)]
        shown = format_host_port(host, port)
    resolver.timeout = min(MAX_PER_TRY_S, ctx.timeout_s)
    resolver.lifetime = ctx.timeout_s
    if config.requireAuthenticatedData:  # RFC 6840: AD in the query asks a validating resolver to report it
        resolver.flags = dns.flags.RD | dns.flags.AD
        resolver.use_edns(0, dns.flags.DO, 1232)
    return resolver, shown


class _Unknown(ProbeFailure):
    """No verdict on the name: Kairos cannot ask (no resolver configured)."""

    def to_result(self) -> ProbeResult:
        return ProbeResult(Status.UNKNOWN, self.message, self.code, self.phases or Phases())


async def probe(config: DnsConfig, ctx: ProbeContext) -> ProbeResult:
    try:
        name = validate_target(ctx.target)
    except ValueError as exc:
        return ProbeResult(Status.UNKNOWN, f"invalid name: {exc}", "invalid_target")
    try:
        resolver, shown = _resolver(config, ctx)
    except _Unknown as unknown:
        return unknown.to_result()
    details: dict[str, Any] = {"record_type": config.recordType, "resolver": shown, "transport": config.transport}
    started = time.perf_counter()
    try:
        answer = await resolver.resolve(
            dns.name.from_text(name), config.recordType, tcp=config.transport == "tcp", search=False
        )
    except dns.exception.DNSException as exc:
        raise _failure(exc, config, name, shown, _phases(started), details) from None
    return _judge(config, name, answer, _phases(started), details)


def _phases(started: float) -> Phases:
    elapsed = round((time.perf_counter() - started) * 1000.0, 3)
    return Phases(dns_ms=elapsed, total_ms=elapsed)


def _failure(
    exc: dns.exception.DNSException, config: DnsConfig, name: str, shown: str, phases: Phases, details: dict[str, Any]
) -> ProbeFailure:
    asked = f"{config.recordType} {name}"
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return ProbeFailure("dns_nxdomain", f"{name} does not exist (NXDOMAIN)", phases=phases, details=details)
    if isinstance(exc, dns.resolver.NoAnswer):
        message = f"{name} exists but has no {config.recordType} record"
        return ProbeFailure("dns_no_answer", message, phases=phases, details=details)
    if isinstance(exc, dns.exception.Timeout):
        message = f"no answer from the resolver ({shown}) for {asked}"
        return ProbeFailure("dns_timeout", message, phases=phases, details=details)
    if isinstance(exc, dns.resolver.NoNameservers):
        message = f"the resolver ({shown}) could not answer {asked}: {_server_errors(exc)}"
        return ProbeFailure("dns_server_failure", message, phases=phases, details=details)
    message = f"the resolver ({shown}) could not answer {asked}: {type(exc).__name__}"
    return ProbeFailure("dns_server_failure", message, phases=phases, details=details)


def _server_errors(exc: dns.resolver.NoNameservers) -> str:
    """What each try got, in a few words: ``SERVFAIL``, ``REFUSED``, ``connection refused``."""
    words: list[str] = []
    for error in exc.kwargs.get("errors", []):
        error_exc, response = error[3], error[4]
        if response is not None:
            word = dns.rcode.to_text(response.rcode())
        elif isinstance(error_exc, ConnectionRefusedError):
            word = "connection refused"
        else:
            word = type(error_exc).__name__
        if word not in words:
            words.append(word)
    return ", ".join(words) or "no usable answer"


def _judge(
    config: DnsConfig, name: str, answer: dns.resolver.Answer, phases: Phases, details: dict[str, Any]
) -> ProbeResult:
    forms = [answer_forms(config.recordType, rdata) for rdata in answer]
    shown_answers = [f[0] for f in forms]
    authenticated = bool(answer.response.flags & dns.flags.AD)
    details.update(
        answers=[a[:255] for a in shown_answers[:MAX_SHOWN_ANSWERS]],
        authenticated=authenticated,
        ttl=answer.rrset.ttl if answer.rrset is not None else None,
    )
    if config.requireAuthenticatedData and not authenticated:
        message = f"the resolver did not set the AD flag for {config.recordType} {name}: the answer is not validated"
        raise ProbeFailure("dns_not_authenticated", message, phases=phases, details=details)
    if config.expected:
        wanted = [normalise_expected(config.recordType, value) for value in config.expected]
        if not matches(wanted, forms, config.match):
            how = "all of" if config.match == "all" else "any of"
            message = f"{config.recordType} {name}: expected {how} {shorten(wanted)}, got {shorten(shown_answers)}"
            raise ProbeFailure("dns_unexpected", message, phases=phases, details=details)
    took = phases.dns_ms or 0.0
    count = len(shown_answers)
    noun = "record" if count == 1 else "records"
    message = f"{config.recordType} {name}: {count} {noun} in {took:.0f} ms {shorten(shown_answers, 160)}"
    return ProbeResult(Status.AVAILABLE, message, None, phases, details=details)


def report_lines(details: dict[str, Any]) -> list[str]:
    """``kairos check dns``: the resolver asked and each answer."""
    lines = [f"  {'resolver':<12}{details.get('resolver', '-')} ({details.get('transport', 'udp').upper()})"]
    if "authenticated" in details:
        lines.append(f"  {'AD flag':<12}{'set' if details['authenticated'] else 'not set'}")
    lines += [f"  {'answer':<12}{answer}" for answer in details.get("answers", [])]
    return lines


FORM_FIELDS = (
    OptionField("recordType", "Record type", "select", tuple((t, t) for t in RECORD_TYPES)),
    OptionField("resolver", "Resolver", "text", note="e.g. 9.9.9.9 or 127.0.0.1:5353."),
    OptionField("transport", "Transport", "select", (("udp", "UDP"), ("tcp", "TCP"))),
    OptionField("expected", "Expected values", "values", note="One per line; leave empty to accept any answer."),
    OptionField("match", "Match", "select", (("any", "Any expected value"), ("all", "All expected values"))),
    OptionField("requireAuthenticatedData", "Require DNSSEC-validated answers (AD flag)", "checkbox"),
)

SPEC = KindSpec(
    name="DNS",
    label="DNS record",
    page_name="DNS",
    target_hint="The name to look up, e.g. example.com or _sip._tcp.example.com",
    config_model=DnsConfig,
    probe_fn=probe,
    validate_target=validate_target,
    default_interval_s=60,
    default_parallelism=5,
    default_timeout_s=5.0,
    uses_tls=False,
    form_fields=FORM_FIELDS,
    timed_phases=("dns_ms",),
    public_detail_keys=frozenset({"record_type", "transport", "authenticated", "ttl"}),
    report_lines=report_lines,
)
