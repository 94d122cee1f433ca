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
from kairos.net.denylist import parse_networks
from kairos.probes.base import Credential, Kind, ProbeConfig, ProbeContext, ProbeResult, Status
from kairos.probes.kinds import parse_config, run_probe, spec_for

app = typer.Typer(help="Check a target once and print each step with its timing.", no_args_is_help=True)

EXIT_CODES = {Status.AVAILABLE: 0, Status.NOT_AVAILABLE: 1, Status.UNKNOWN: 2}
MAX_TIMEOUT_S = 300.0
Timeout = Annotated[float | None, typer.Option(help="Seconds before the check is cut (default: the kind's timeout).")]


def _target(kind: Kind, raw: str) -> str:
    try:
        normalised = spec_for(kind).validate_target(raw)
    except ValueError as exc:
        fail(f"invalid target: {exc}")
    return normalised if isinstance(normalised, str) else raw.strip()


def _config(kind: Kind, options: dict[str, Any]) -> ProbeConfig:
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


def _report(kind: Kind, result: ProbeResult) -> None:
    p = result.phases
    phases = [("DNS", p.dns_ms), ("connect", p.connect_ms)]
    if kind is Kind.HTTP:  # a TCP check has no TLS and reads nothing
        phases += [("TLS", p.tls_ms), ("first byte", p.ttfb_ms)]
    for label, value in [*phases, ("total", p.total_ms)]:
        typer.echo(f"  {label:<12}{_ms(value)}")
    if kind is Kind.DOCKER:
        _report_image(result.details)
    elif result.http_status is not None:
        typer.echo(f"  {'HTTP status':<12}{result.http_status}")
    verdict = result.status.value.replace("_", " ")
    code = f" ({result.error_code})" if result.error_code else ""
    typer.echo(f"{verdict}{code}: {result.message}")


def _report_image(details: dict[str, Any]) -> None:
    for step in details.get("steps", []):
        typer.echo(f"    {step['step']:<40}{step['outcome']:<28}{_ms(step['ms'])}")
    for label, key in (("token", "token_ms"), ("manifest", "manifest_ms"), ("blobs", "blobs_ms")):
        if key in details:
            typer.echo(f"  {label:<12}{_ms(details[key])}")
    for label, key in (
        ("digest", "digest"),
        ("media type", "mediaType"),
        ("platforms", "platforms"),
        ("layers", "layerCount"),
        ("size", "totalSize"),
        ("requests", "requests"),
    ):
        if details.get(key) is not None:
            value = details[key]
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            typer.echo(f"  {label:<12}{shown}{' bytes' if key == 'totalSize' else ''}")


def _run(
    kind: Kind,
    target: str,
    config: ProbeConfig,
    timeout: float | None,
    skip_tls: bool = False,
    credential: Credential | None = None,
) -> None:
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT_S:
        fail(f"--timeout must be above 0 and at most {MAX_TIMEOUT_S:g} seconds")
    ctx = ProbeContext(
        target=target,
        timeout_s=timeout or spec_for(kind).default_timeout_s,
        skip_tls=skip_tls,
        credential=credential,
        extra={"trace": True},  # the terminal shows every request; stored results do not keep this
        # The server's KAIROS_DENIED_NETWORKS applies here too: the CLI is no way around the operator's policy.
        policy=parse_networks(settings_or_exit().denied_networks),
    )
    typer.echo(f"{kind.value} {target}")
    result = asyncio.run(run_probe(kind, config, ctx))
    _report(kind, result)
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
    target = _target(Kind.HTTP, url)
    headers = _headers(header or [])
    config = _config(Kind.HTTP, {"headers": headers} if headers else {})
    _run(Kind.HTTP, target, config, timeout, skip_tls)


@app.command("tcp")
def check_tcp(
    target: Annotated[str, typer.Argument(help="host:port, e.g. db.example.com:5432 or [::1]:22.")],
    timeout: Timeout = None,
) -> None:
    """Open a TCP connection and report DNS and connect time."""
    _run(Kind.TCP, _target(Kind.TCP, target), _config(Kind.TCP, {}), timeout)


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
    target = _target(Kind.DOCKER, reference)
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
    _run(Kind.DOCKER, target, _config(Kind.DOCKER, options), timeout, skip_tls, credential)
