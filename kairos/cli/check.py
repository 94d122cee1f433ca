"""``kairos check http URL``, ``kairos check tcp HOST:PORT`` and ``kairos check image REF``: one probe,
each phase timed, a verdict.

Exit status: 0 available, 1 not available, 2 unknown (Kairos itself failed) or a usage error."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kairos.cli.common import fail, settings_or_exit

if TYPE_CHECKING:  # the probes (pydantic, the network code) are imported when a check runs, not for --help
    from kairos.probes.base import Credential, ProbeConfig

app = typer.Typer(help="Check a target once and print each step with its timing.", no_args_is_help=True)

EXIT_CODES = {"AVAILABLE": 0, "NOT_AVAILABLE": 1, "UNKNOWN": 2, "MAINTENANCE": 2}  # by Status value
MAX_TIMEOUT_S = 300.0
Timeout = Annotated[
    float | None,
    typer.Option(metavar="SECONDS", help="Seconds before the check is cut (default: the kind's timeout)."),
]


def _target(kind: str, raw: str) -> str:
    from kairos.probes.kinds import spec_of

    try:
        normalised = spec_of(kind).validate_target(raw)
    except ValueError as exc:
        fail(f"invalid target: {exc}")
    return normalised if isinstance(normalised, str) else raw.strip()


def _config(kind: str, options: dict[str, Any]) -> ProbeConfig:
    from pydantic import ValidationError

    from kairos.probes.kinds import parse_config

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


def _run(
    kind: str,
    target: str,
    config: ProbeConfig,
    timeout: float | None,
    skip_tls: bool = False,
    credential: Credential | None = None,
) -> None:
    import asyncio

    from kairos.cli.check_report import report
    from kairos.net.proxy import install as install_proxies
    from kairos.probes.context import probe_context
    from kairos.probes.kinds import run_probe, spec_of
    from kairos.proxies import environment_table

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
    for line in report(spec, result):
        typer.echo(line)
    raise typer.Exit(EXIT_CODES[result.status])


@app.command("http")
def check_http(
    url: Annotated[str, typer.Argument(metavar="URL", help="An http:// or https:// URL.")],
    timeout: Timeout = None,
    skip_tls: Annotated[bool, typer.Option("--skip-tls", help="Do not verify the TLS certificate.")] = False,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", metavar="'NAME: VALUE'", help="Extra request header 'Name: value' (repeatable)."
        ),
    ] = None,
) -> None:
    """GET a URL (following redirects) and report DNS, connect, TLS, first byte and total time."""
    target = _target("HTTP", url)
    headers = _headers(header or [])
    config = _config("HTTP", {"headers": headers} if headers else {})
    _run("HTTP", target, config, timeout, skip_tls)


@app.command("tcp")
def check_tcp(
    target: Annotated[
        str, typer.Argument(metavar="HOST:PORT", help="host:port, e.g. db.example.com:5432 or [::1]:22.")
    ],
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
    reference: Annotated[
        str, typer.Argument(metavar="REF", help="An image reference, e.g. nginx:1.27 or ghcr.io/org/app@sha256:...")
    ],
    timeout: Timeout = None,
    platform: Annotated[
        str | None, typer.Option(metavar="OS/ARCH", help="os/arch[/variant] to check in a multi-platform image.")
    ] = None,
    all_platforms: Annotated[bool, typer.Option("--all-platforms", help="Check every platform.")] = False,
    manifest_only: Annotated[bool, typer.Option("--manifest-only", help="Do not probe the blobs.")] = False,
    insecure_http: Annotated[
        bool, typer.Option("--insecure-http", "--insecure", help="Plain HTTP to the registry.")
    ] = False,
    skip_tls: Annotated[bool, typer.Option("--skip-tls", help="Do not verify TLS certificates.")] = False,
    username: Annotated[str | None, typer.Option(metavar="USER", help="Registry user.")] = None,
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
    from kairos.probes.base import Credential

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
    name: Annotated[str, typer.Argument(metavar="NAME", help="The name to look up, e.g. example.com.")],
    record_type: Annotated[
        str, typer.Option("--type", "-t", metavar="TYPE", help="A, AAAA, CNAME, MX, TXT, NS, SOA, SRV or CAA.")
    ] = "A",
    resolver: Annotated[
        str | None,
        typer.Option(
            metavar="ADDR[:PORT]", help="address:port of the resolver (default: the system's, /etc/resolv.conf)."
        ),
    ] = None,
    tcp: Annotated[bool, typer.Option("--tcp", help="Ask over TCP instead of UDP.")] = False,
    expect: Annotated[
        list[str] | None,
        typer.Option("--expect", "-e", metavar="VALUE", help="A value the answer must hold (repeatable)."),
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
