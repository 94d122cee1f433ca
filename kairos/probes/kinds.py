"""The registry of kinds of check, and :func:`run_probe`, the one place a probe is called from.

A kind is a :class:`~kairos.probes.spec.KindSpec` registered here; the built-in ones are registered at import
below, and a test may register one of its own at run time. ``run_probe`` turns whatever a probe does into a
:class:`ProbeResult`: a ``ProbeFailure`` or a ``kairos.net`` error is a verdict (NOT_AVAILABLE), a deadline
overrun is NOT_AVAILABLE ``timeout``, and anything else is a bug in Kairos, reported as UNKNOWN ``internal``
with the traceback logged: our failure never counts as the monitored service being down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from kairos import net
from kairos.net.timing import Phases
from kairos.probes import dns, http, image, push, tcp
from kairos.probes.base import ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import KindSpec

log = logging.getLogger("kairos.probes")

# Extra time granted beyond the probe's own timeout before run_probe cuts it off: the network code keeps
# the timeout itself, this only catches a probe that forgot to.
TIMEOUT_MARGIN_S = 0.5

# Registration order is the order forms and lists show kinds in.
REGISTRY: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> None:
    """Make ``spec`` a kind; raises ``ValueError`` for a name already taken or one the database cannot hold."""
    if spec.name in REGISTRY:
        raise ValueError(f"kind {spec.name} is already registered")
    if not spec.name or spec.name != spec.name.upper() or len(spec.name) > 16:
        raise ValueError(f"kind name {spec.name!r} must be upper case, 1 to 16 characters")
    REGISTRY[spec.name] = spec


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


def all_specs() -> list[KindSpec]:
    return list(REGISTRY.values())


def kind_names() -> list[str]:
    return list(REGISTRY)


def spec_of(kind: str) -> KindSpec:
    """The spec of ``kind``; raises ``ValueError`` for an unknown kind."""
    try:
        return REGISTRY[str(kind)]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}") from None


def parse_config(kind: str, data: dict[str, Any]) -> ProbeConfig:
    """Validate stored or submitted options; raises ``pydantic.ValidationError``."""
    return spec_of(kind).config_model.model_validate(data)


async def run_probe(kind: str, config: ProbeConfig, ctx: ProbeContext) -> ProbeResult:
    """Run one check and always come back with a result, within ``ctx.timeout_s`` plus a small margin.
    Only an unknown ``kind`` raises (``ValueError``): that is a caller bug, not a check outcome."""
    spec = spec_of(kind)
    started = time.perf_counter()
    deadline = asyncio.timeout(ctx.timeout_s + TIMEOUT_MARGIN_S)
    try:
        async with deadline:
            return await spec.probe_fn(config, ctx)
    except ProbeFailure as failure:
        return failure.to_result()
    except net.NetError as exc:  # the network's verdict, with its stable code and the phases up to it
        return ProbeFailure(exc.code, exc.message, phases=exc.phases).to_result()
    except TimeoutError as exc:
        if not deadline.expired():
            return _internal_error(spec.name, ctx, exc)  # raised inside the probe, not our deadline
        elapsed = Phases(total_ms=round((time.perf_counter() - started) * 1000.0, 3))
        return ProbeResult(Status.NOT_AVAILABLE, f"no answer within {ctx.timeout_s:g} s", "timeout", elapsed)
    except Exception as exc:
        return _internal_error(spec.name, ctx, exc)


def _internal_error(kind: str, ctx: ProbeContext, exc: BaseException) -> ProbeResult:
    """Log the traceback; the stored result names only the exception type (messages may hold secrets)."""
    log.error("internal error in the %s probe for %s", kind, ctx.target, exc_info=exc)
    return ProbeResult(Status.UNKNOWN, f"internal error in Kairos: {type(exc).__name__}", "internal")


# The built-in kinds. A new kind adds its module's SPEC here (and nothing anywhere else).
for _spec in (http.SPEC, tcp.SPEC, image.SPEC, dns.SPEC, push.SPEC):
    register(_spec)
