"""The registry of probe kinds, and :func:`run_probe`, the one place a probe is called from.

Each kind has a config model (also its API schema), a probe function, a target validator and its default
schedule. ``run_probe`` turns whatever a probe does into a :class:`ProbeResult`: a ``ProbeFailure`` is a
verdict (NOT_AVAILABLE), a deadline overrun is NOT_AVAILABLE ``timeout``, and anything else is a bug in
Kairos, reported as UNKNOWN ``internal`` with the traceback logged: our failure never counts as the
monitored service being down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kairos.net.policy import format_host_port, validate_host_port, validate_http_url
from kairos.probes import http, image, tcp
from kairos.probes.base import Kind, Phases, ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.image import ImageConfig as ImageConfig  # re-exported: its old home
from kairos.registry.reference import validate_target as _validate_image_reference

log = logging.getLogger("kairos.probes")

# Extra time granted beyond the probe's own timeout before run_probe cuts it off: the network code keeps
# the timeout itself, this only catches a probe that forgot to.
TIMEOUT_MARGIN_S = 0.5

ProbeFn = Callable[[Any, ProbeContext], Awaitable[ProbeResult]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    config_model: type[ProbeConfig]
    probe_fn: ProbeFn
    validate_target: Callable[[str], str]  # returns the normalised target or raises ValueError
    default_interval_s: int
    default_parallelism: int
    default_timeout_s: float


def _validate_tcp_target(target: str) -> str:
    return format_host_port(*validate_host_port(target))


REGISTRY: Mapping[Kind, KindSpec] = {
    Kind.HTTP: KindSpec(http.HttpConfig, http.probe, validate_http_url, 60, 5, 10.0),
    Kind.TCP: KindSpec(tcp.TcpConfig, tcp.probe, _validate_tcp_target, 60, 5, 5.0),
    Kind.DOCKER: KindSpec(ImageConfig, image.probe, _validate_image_reference, 300, 2, 30.0),
}


def spec_for(kind: Kind | str) -> KindSpec:
    """The spec of ``kind``; raises ``ValueError`` for an unknown kind."""
    return REGISTRY[Kind(kind)]


def parse_config(kind: Kind | str, data: dict[str, Any]) -> ProbeConfig:
    """Validate stored or submitted options; raises ``pydantic.ValidationError``."""
    return spec_for(kind).config_model.model_validate(data)


async def run_probe(kind: Kind | str, config: ProbeConfig, ctx: ProbeContext) -> ProbeResult:
    """Run one check and always come back with a result, within ``ctx.timeout_s`` plus a small margin.
    Only an unknown ``kind`` raises (``ValueError``): that is a caller bug, not a check outcome."""
    spec = spec_for(kind)
    started = time.perf_counter()
    deadline = asyncio.timeout(ctx.timeout_s + TIMEOUT_MARGIN_S)
    try:
        async with deadline:
            return await spec.probe_fn(config, ctx)
    except ProbeFailure as failure:
        return failure.to_result()
    except TimeoutError as exc:
        if not deadline.expired():
            return _internal_error(Kind(kind), ctx, exc)  # raised inside the probe, not our deadline
        elapsed = Phases(total_ms=round((time.perf_counter() - started) * 1000.0, 3))
        return ProbeResult(Status.NOT_AVAILABLE, f"no answer within {ctx.timeout_s:g} s", "timeout", elapsed)
    except Exception as exc:
        return _internal_error(Kind(kind), ctx, exc)


def _internal_error(kind: Kind, ctx: ProbeContext, exc: BaseException) -> ProbeResult:
    """Log the traceback; the stored result names only the exception type (messages may hold secrets)."""
    log.error("internal error in the %s probe for %s", kind.value, ctx.target, exc_info=exc)
    return ProbeResult(Status.UNKNOWN, f"internal error in Kairos: {type(exc).__name__}", "internal")
