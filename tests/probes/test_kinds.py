"""The kind registry and run_probe, the only caller of probes."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest
from pydantic import ValidationError

from kairos.probes import kinds
from kairos.probes.base import Kind, ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.http import HttpConfig
from kairos.probes.image import ImageConfig
from kairos.probes.kinds import parse_config, run_probe, spec_of
from kairos.probes.spec import ProbeFn
from kairos.probes.tcp import TcpConfig
from tests.servers.http_app import Servers


def test_each_kind_has_its_defaults() -> None:
    assert [
        (s.default_interval_s, s.default_parallelism, s.default_timeout_s)
        for s in map(spec_of, (Kind.HTTP, Kind.TCP, Kind.DOCKER))
    ] == [(60, 5, 10.0), (60, 5, 5.0), (300, 2, 30.0)]
    assert spec_of("TCP").config_model is TcpConfig


def test_it_parses_each_kinds_config() -> None:
    http = parse_config(Kind.HTTP, {"acceptedStatusCodes": ["2xx"], "followRedirects": False})
    assert isinstance(http, HttpConfig) and http.followRedirects is False
    assert isinstance(parse_config(Kind.TCP, {}), TcpConfig)
    image = parse_config(Kind.DOCKER, {"platform": "linux/arm64/v8"})
    assert isinstance(image, ImageConfig) and image.platform == "linux/arm64/v8" and not image.allPlatforms


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (Kind.TCP, {"port": 1}),
        (Kind.DOCKER, {"platform": "Linux AMD64"}),
        (Kind.HTTP, {"followRedirects": "sometimes"}),
    ],
)
def test_it_refuses_unknown_or_invalid_options(kind: Kind, data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        parse_config(kind, data)


def test_it_validates_targets_per_kind() -> None:
    assert spec_of(Kind.HTTP).validate_target("HTTP://Example.com") == "http://example.com/"
    assert spec_of(Kind.TCP).validate_target("[::1]:5432") == "[::1]:5432"
    assert spec_of(Kind.DOCKER).validate_target("ghcr.io/acme/app:1.2") == "ghcr.io/acme/app:1.2"
    bad_targets = [(Kind.HTTP, "ftp://x"), (Kind.TCP, "x"), (Kind.DOCKER, "two words"), (Kind.DOCKER, " ")]
    for kind, bad in bad_targets:
        with pytest.raises(ValueError):
            spec_of(kind).validate_target(bad)


async def test_the_image_kind_runs_the_image_probe_and_refuses_a_bad_reference_without_network() -> None:
    from kairos.probes import image

    assert spec_of(Kind.DOCKER).probe_fn is image.probe
    result = await run_probe(Kind.DOCKER, ImageConfig(), ProbeContext("Bad/Ref", 5))
    assert (result.status, result.error_code) == (Status.UNKNOWN, "invalid_target")


async def test_run_probe_returns_the_probe_result(servers: Servers) -> None:
    result = await run_probe(Kind.HTTP, HttpConfig(), ProbeContext(servers.http + "/status/200", 5))
    assert result.status is Status.AVAILABLE


async def test_run_probe_turns_a_probe_failure_into_not_available(servers: Servers) -> None:
    result = await run_probe(Kind.TCP, TcpConfig(), ProbeContext(f"127.0.0.1:{servers.closed_port}", 5))
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "connect_refused")


def _replace_probe(monkeypatch: pytest.MonkeyPatch, probe_fn: ProbeFn) -> None:
    spec = dataclasses.replace(spec_of(Kind.HTTP), probe_fn=probe_fn)
    monkeypatch.setattr(kinds, "REGISTRY", {**kinds.REGISTRY, Kind.HTTP: spec})


async def test_run_probe_turns_an_exception_into_unknown_internal(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(config: ProbeConfig, ctx: ProbeContext) -> ProbeResult:
        raise KeyError("secret-detail")

    _replace_probe(monkeypatch, broken)
    with caplog.at_level(logging.ERROR, logger="kairos.probes"):
        result = await run_probe(Kind.HTTP, HttpConfig(), ProbeContext("http://127.0.0.1/", 5))
    assert (result.status, result.error_code) == (Status.UNKNOWN, "internal")
    assert result.message == "internal error in Kairos: KeyError"
    assert caplog.records and caplog.records[0].exc_info is not None


async def test_run_probe_cuts_off_a_probe_that_ignores_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    async def stuck(config: ProbeConfig, ctx: ProbeContext) -> ProbeResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    _replace_probe(monkeypatch, stuck)
    monkeypatch.setattr(kinds, "TIMEOUT_MARGIN_S", 0.01)
    result = await run_probe(Kind.HTTP, HttpConfig(), ProbeContext("http://127.0.0.1/", 0.05))
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "timeout")


async def test_run_probe_keeps_a_failure_raised_by_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(config: ProbeConfig, ctx: ProbeContext) -> ProbeResult:
        raise ProbeFailure("http_status", "HTTP 500 Internal Server Error", http_status=500)

    _replace_probe(monkeypatch, failing)
    result = await run_probe(Kind.HTTP, HttpConfig(), ProbeContext("http://127.0.0.1/", 5))
    assert (result.status, result.http_status) == (Status.NOT_AVAILABLE, 500)
