"""``POST /api/instant-check``: check a target once, as a resource with these settings would be, and store
nothing. The body is validated by the same rules as resource creation (target by its kind, options by the
kind's model).

Abuse limits: only signed-in users and API keys may call it, each check is cut after at most 60 s, and at
most ``MAX_RUNNING`` checks run at once per Kairos; one more is refused with 429 instead of queueing, so a
flood cannot pile up waiting tasks or sockets. Stored credentials are only ever sent on an admin's behalf:
otherwise any signed-in user could point a credential at a server of their own and read the password."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api import resource_service as svc
from kairos.api.deps import Caller, RequireAuth, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.schemas.instant_check import (
    MAX_TIMEOUT_S,
    InstantCheckPhases,
    InstantCheckRequest,
    InstantCheckResult,
)
from kairos.probes.base import Kind, ProbeContext, ProbeResult
from kairos.probes.kinds import parse_config, run_probe
from kairos.runtime import Runtime

router = APIRouter(prefix="/api/instant-check", tags=["instant check"])

MAX_RUNNING = 4


class RunningChecks:
    """At most ``size`` instant checks at once; one more is refused at once (429), never queued."""

    def __init__(self, size: int = MAX_RUNNING) -> None:
        self.size = size
        self.running = 0

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if self.running >= self.size:
            raise ApiError(
                429,
                "too_many_requests",
                f"{self.size} instant checks are already running; try again in a few seconds",
                headers={"Retry-After": "5"},
            )
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1


def running_checks(app: FastAPI) -> RunningChecks:
    """The limit of this application (one per app, so test servers in one process do not share it)."""
    limit = getattr(app.state, "instant_checks", None)
    if not isinstance(limit, RunningChecks):
        limit = app.state.instant_checks = RunningChecks()
    return limit


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
    runtime: Runtime, session: AsyncSession, caller: Caller, body: InstantCheckRequest, limit: RunningChecks
) -> InstantCheckResult:
    """Validate like a resource creation, then run the probe once; raises ``ApiError`` for a refused body."""
    kind = body.resource_type
    target = svc.check_target(kind, body.target)
    config = parse_config(kind, svc.check_options(kind, body.options))
    if body.credential_id is not None:
        if not caller.is_admin:
            raise ApiError(403, "forbidden", "credentialId needs an admin", "credentialId")
        await svc.check_credential(session, body.credential_id)
    await session.close()  # the check may take up to a minute: do not hold a connection meanwhile
    credential = runtime.credentials.for_resource(target, body.credential_id) if caller.is_admin else None
    timeout = body.timeout_seconds or min(runtime.scheduler.types[kind].timeout_s, MAX_TIMEOUT_S)
    ctx = ProbeContext(
        target=target,
        timeout_s=timeout,
        skip_tls=body.skip_tls,
        credential=credential,
        user_agent=runtime.settings.user_agent,
        max_body_bytes=runtime.settings.max_body_bytes,
        extra={"trace": True} if kind is Kind.DOCKER else {},  # each registry request, as `kairos check image`
    )
    with limit.slot():
        result = await run_probe(kind, config, ctx)
    return to_result(result, timeout)


@router.post(
    "",
    summary="Check a target once, without saving anything",
    response_model=InstantCheckResult,
    description="Needs a signed-in user or an API key (any role). Runs the probe of `resourceType` against "
    "`target` once, with the same validation as creating a resource, and returns the verdict with its "
    "latency phases (DNS, connect, TLS, first byte, total); images also return digest, media type, "
    "platforms, layer count and every registry request in `details`. Nothing is stored: no resource, no "
    "history. The check is cut after `timeoutSeconds` (default: the kind's timeout, at most 60 s). At most "
    f"{MAX_RUNNING} instant checks run at once; another one gets 429 with `Retry-After`. Stored credentials "
    "are sent only for admins: `credentialId`, or else the credential whose pattern matches the target.",
    responses=error_responses(400, 401, 403, 422, 429),
)
async def instant_check(
    body: InstantCheckRequest, request: Request, session: SessionDep, runtime: RuntimeDep, caller: RequireAuth
) -> InstantCheckResult:
    return await run_instant_check(runtime, session, caller, body, running_checks(request.app))
