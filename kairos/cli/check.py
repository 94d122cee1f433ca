"""``kairos check http URL``, ``kairos check tcp HOST:PORT`` and ``kairos check image REF``: one probe,
each phase timed, a verdict.

Exit status: 0 available, 1 not available, 2 unknown (Kairos itself failed) or a usage error."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from kairos.cli.common import fail, settings_or_exit
from kairos.net.proxy import install as install_proxies
from kairos.probes.base import Credential, ProbeConfig, ProbeResult, Status
from kairos.probes.context import probe_context
from kairos.probes.kinds import parse_config, run_probe, spec_of
from kairos.probes.spec import KindSpec
from kairos.proxies import environment_table

app = typer.Typer(help="Check a target once and print each step with its timing.", no_args_is_help=True)

EXIT_CODES = {Status.AVAILABLE: 0, Status.NOT_AVAILABLE: 1, Status.UNKNOWN: 2, Status.MAINTENANCE: 2}
MAX_TIMEOUT_S = 300.0
Timeout = Annotated[float | None, typer.Option(help="Seconds before the check is cut (default: the kind's timeout).")]


def _target(kind: str, raw: str) -> str:
    try:
        normalised = spec_of(kind).validate_target(raw)
    except ValueError as exc:
        fail(f"invalid target: {exc}")
    return normalised if isinstance(normalised, str) else raw.strip()


def _config(kind: str, options: dict[str, Any]) -> ProbeConfig:
    try:
        return parse_config(kind, options)
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"invalid option {'.'.join(map(str, err['loc']))}: {err['msg']}")


def _headers(raw: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            fail(f"--header must look like 'Name: value', got '{item[:80]}'")
        out[name.strip()] = value.strip()
    return out


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


_PHASE_LABELS = {"dns_ms": "DNS", "connect_ms": "connect", "tls_ms": "TLS", "ttfb_ms": "first byte"}


def _report(spec: KindSpec, result: ProbeResult) -> None:
    p = result.phases
    phases = [(_PHASE_LABELS[name], getattr(p, name)) for name in spec.timed_phases]  # what the kind measures
    if p.proxy_ms is not None:  # through a proxy (docs/proxy.md): its connect and handshake, after DNS
        phases.insert(min(1, len(phases)), ("proxy", p.proxy_ms))
    for label, value in [*phases, ("total", p.total_ms)]:
        typer.echo(f"  {label:<12}{_ms(value)}")
    if spec.report_lines is not None:
        for line in spec.report_lines(result.details):
            typer.echo(line)
    elif result.http_status is not None:
        typer.echo(f"  {'HTTP status':<12}{result.http_status}")
    verdict = result.status.value.replace("_", " ")
    code = f" ({result.error_code})" if result.error_code else ""
    typer.echo(f"{verdict}{code}: {result.message}")


def _run(
    kind: str,
    target: str,
    config: ProbeConfig,
    timeout: float | None,
    skip_tls: bool = False,
    credential: Credential | None = None,
) -> None:
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT_S:
        fail(f"--timeout must be above 0 and at most {MAX_TIMEOUT_S:g} seconds")
    spec = spec_of(kind)
    # The server's settings apply here too (KAIROS_DENIED_NETWORKS above all): the CLI is no way around them.
    settings = settings_or_exit()
    install_proxies(environment_table(settings))  # KAIROS_PROXY_* (docs/proxy.md)
    ctx = probe_context(
        settings,
        target=target,
        timeout_s=timeout or spec.default_timeout_s,
        skip_tls=skip_tls,
        credential=credential,
        extra={"trace": True},  # the terminal shows every request; stored results do not keep this
    )
    typer.echo(f"{spec.name} {target}")
    result = asyncio.run(run_probe(kind, config, ctx))
    _report(spec, result)
    raise typer.Exit(EXIT_CODES[result.status])


@app.command("http")
def check_http(
    url: Annotated[str, typer.Argument(help="An http:// or https:// URL.")],
    timeout: Timeout = None,
    skip_tls: Annotated[bool, typer.Option("--skip-tls", help="Do not verify the TLS certificate.")] = False,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", help="Extra request header 'Name: value' (repeatable)."),
    ] = None,
) -> None:
    """GET a URL (following redirects) and report DNS, connect, TLS, first byte and total time."""
    target = _target("HTTP", url)
    headers = _headers(header or [])
    config = _config("HTTP", {"headers": headers} if headers else {})
    _run("HTTP", target, config, timeout, skip_tls)


@app.command("tcp")
def check_tcp(
    target: Annotated[str, typer.Argument(help="host:port, e.g. db.example.com:5432 or [::1]:22.")],
    timeout: Timeout = None,
    tls: Annotated[bool, typer.Option("--tls", help="Complete a TLS handshake after the connect.")] = False,
    skip_tls: Annotated[bool, typer.Option("--skip-tls", help="With --tls: do not verify the certificate.")] = False,
) -> None:
    """Open a TCP connection and report DNS and connect time (and, with --tls, the handshake and certificate)."""
    if skip_tls and not tls:
        fail("--skip-tls needs --tls")
    _run("TCP", _target("TCP", target), _config("TCP", {"tls": tls}), timeout, skip_tls)


@app.command("image")
def check_image(
    reference: Annotated[str, typer.Argument(help="An image reference, e.g. nginx:1.27 or ghcr.io/org/app@sha256:...")],
    timeout: Timeout = None,
    platform: Annotated[str | None, typer.Option(help="os/arch[/variant] to check in a multi-platform image.")] = None,
    all_platforms: Annotated[bool, typer.Option("--all-platforms", help="Check every platform.")] = False,
    manifest_only: Annotated[bool, typer.Option("--manifest-only", help="Do not probe the blobs.")] = False,
    insecure_http: Annotated[
        bool, typer.Option("--insecure-http", "--insecure", help="Plain HTTP to the registry.")
    ] = False,
    skip_tls: Annotated[bool, typer.Option("--skip-tls", help="Do not verify TLS certificates.")] = False,
    username: Annotated[str | None, typer.Option(help="Registry user.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else from KAIROS_REGISTRY_PASSWORD)."
        ),
    ] = False,
) -> None:
    """Ask the registry whether an image can be pulled: token, manifest and blobs, each timed."""
    target = _target("DOCKER", reference)
    options: dict[str, Any] = {
        "allPlatforms": all_platforms,
        "manifestOnly": manifest_only,
        "insecureHttp": insecure_http,
    }
    if platform:
        options["platform"] = platform
    credential = None
    if username:
        # Never a password option: ps and shell history would keep it.
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else os.environ.get("KAIROS_REGISTRY_PASSWORD")
        if password is None:
            fail("--username needs --password-stdin or the KAIROS_REGISTRY_PASSWORD environment variable")
        credential = Credential(username, password)
    elif password_stdin:
        fail("--password-stdin needs --username")
    _run("DOCKER", target, _config("DOCKER", options), timeout, skip_tls, credential)


@app.command("dns")
def check_dns(
    name: Annotated[str, typer.Argument(help="The name to look up, e.g. example.com.")],
    record_type: Annotated[
        str, typer.Option("--type", "-t", help="A, AAAA, CNAME, MX, TXT, NS, SOA, SRV or CAA.")
    ] = "A",
    resolver: Annotated[
        str | None, typer.Option(help="address:port of the resolver (default: the system's, /etc/resolv.conf).")
    ] = None,
    tcp: Annotated[bool, typer.Option("--tcp", help="Ask over TCP instead of UDP.")] = False,
    expect: Annotated[
        list[str] | None, typer.Option("--expect", "-e", help="A value the answer must hold (repeatable).")
    ] = None,
    match_all: Annotated[
        bool, typer.Option("--all", help="Every --expect value must be there (default: any).")
    ] = False,
    require_ad: Annotated[
        bool, typer.Option("--require-ad", help="Fail unless the resolver sets the DNSSEC AD flag.")
    ] = False,
    timeout: Timeout = None,
) -> None:
    """Ask a resolver for one record type of a name and report the query time and the answers."""
    target = _target("DNS", name)
    options: dict[str, Any] = {
        "recordType": record_type.strip().upper(),
        "transport": "tcp" if tcp else "udp",
        "expected": expect or [],
        "match": "all" if match_all else "any",
        "requireAuthenticatedData": require_ad,
    }
    if resolver is not None:
        options["resolver"] = resolver
    _run("DNS", target, _config("DNS", options), timeout)
