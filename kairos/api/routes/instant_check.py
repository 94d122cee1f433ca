"""``POST /api/instant-check``: check a target once, as a resource with these settings would be, and store
nothing. The body is validated by the same rules as resource creation (target by its kind, options by the
kind's model).

Abuse limits: only admins may call it (READ keys and USER accounts get 403: a check of any target with any
headers and ``bodyContains`` is a way to read services only Kairos can reach), every check obeys the target
policy (``KAIROS_DENIED_NETWORKS``, as scheduled checks do), each check is cut after at most 60 s, and at most
``MAX_RUNNING`` checks run at once per Kairos and ``KAIROS_INSTANT_CHECKS_PER_CALLER`` per caller; one more is
refused with 429 instead of queueing, so a flood cannot pile up waiting tasks or sockets. Running checks are
cancelled at shutdown (:mod:`kairos.instant_checks`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api import resource_service as svc
from kairos.api.deps import Caller, RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.schemas.instant_check import (
    MAX_TIMEOUT_S,
    InstantCheckPhases,
    InstantCheckRequest,
    InstantCheckResult,
)
from kairos.instant_checks import MAX_RUNNING, Busy, InstantChecks
from kairos.probes.base import ProbeResult
from kairos.probes.context import probe_context
from kairos.probes.kinds import parse_config, run_probe, spec_of
from kairos.runtime import Runtime

router = APIRouter(prefix="/api/instant-check", tags=["instant check"])


def running_checks(app: FastAPI) -> InstantChecks:
    """The slots of this application (one per app, so test servers in one process do not share them)."""
    runtime: Runtime = app.state.runtime
    return runtime.instant_checks


def caller_key(caller: Caller) -> str:
    """Who a per-caller limit counts: the person (keys count for the admin who made them), else the key."""
    return f"user:{caller.user_id}" if caller.user_id is not None else f"key:{caller.key_id}"


def to_result(result: ProbeResult, timeout_s: float) -> InstantCheckResult:
    p = result.phases
    return InstantCheckResult(
        status=result.status.value,
        message=result.message,
        error_code=result.error_code,
        latency_ms=p.total_ms,
        http_status=result.http_status,
        phases=InstantCheckPhases(
            dns_ms=p.dns_ms, connect_ms=p.connect_ms, tls_ms=p.tls_ms, first_byte_ms=p.ttfb_ms, total_ms=p.total_ms
        ),
        details=result.details or {},
        timeout_seconds=timeout_s,
    )


async def run_instant_check(
    runtime: Runtime, session: AsyncSession, caller: Caller, body: InstantCheckRequest, limit: InstantChecks
) -> InstantCheckResult:
    """Validate like a resource creation, then run the probe once; raises ``ApiError`` for a refused body
    or caller. The API needs an admin already; the check is repeated here for every other entry point."""
    if not caller.is_admin:
        raise ApiError(403, "forbidden", "instant checks need an admin")
    kind = body.resource_type
    target = svc.check_target(kind, body.target)
    config = parse_config(kind, svc.check_options(kind, body.options))
    if body.credential_id is not None:
        await svc.check_credential(session, body.credential_id)
    await session.close()  # the check may take up to a minute: do not hold a connection meanwhile
    credential = runtime.credentials.for_resource(target, body.credential_id)
    timeout = body.timeout_seconds or min(runtime.scheduler.types[kind].timeout_s, MAX_TIMEOUT_S)
    ctx = probe_context(
        runtime.settings,
        target=target,
        timeout_s=timeout,
        skip_tls=body.skip_tls,
        credential=credential,
        extra={"trace": True} if spec_of(kind).trace_instant_checks else {},
    )
    try:
        with limit.slot(caller_key(caller), runtime.settings.instant_checks_per_caller):
            result = await run_probe(kind, config, ctx)
    except Busy as exc:
        raise ApiError(429, "too_many_requests", str(exc), headers={"Retry-After": "5"}) from None
    return to_result(result, timeout)


@router.post(
    "",
    summary="Check a target once, without saving anything",
    response_model=InstantCheckResult,
    description="Admins only (an ADMIN key or a signed-in admin); READ keys and USER accounts get 403. "
    "Every check obeys the target policy (`KAIROS_DENIED_NETWORKS`; a denied address is UNKNOWN "
    "`target_denied`). Runs the probe of `resourceType` against "
    "`target` once, with the same validation as creating a resource, and returns the verdict with its "
    "latency phases (DNS, connect, TLS, first byte, total); images also return digest, media type, "
    "platforms, layer count and every registry request in `details`. Nothing is stored: no resource, no "
    "history. The check is cut after `timeoutSeconds` (default: the kind's timeout, at most 60 s). At most "
    f"{MAX_RUNNING} instant checks run at once, and `KAIROS_INSTANT_CHECKS_PER_CALLER` (default 2) per "
    "caller; another one gets 429 with `Retry-After`. Stored credentials are sent: `credentialId`, or else "
    "the credential whose pattern matches the target.",
    responses=error_responses(400, 401, 403, 422, 429),
)
async def instant_check(
    body: InstantCheckRequest, session: SessionDep, runtime: RuntimeDep, caller: RequireAdmin
) -> InstantCheckResult:
    return await run_instant_check(runtime, session, caller, body, runtime.instant_checks)
