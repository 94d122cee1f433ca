"""``POST /api/instant-check``: check a target once, as a resource with these settings would be, and store
nothing. The body is validated by the same rules as resource creation (target by its kind, options by the
kind's model).

Abuse limits: only admins and keys with CHECK_EXECUTE may call it (other keys and USER accounts get 403: a
check of any target with any headers and ``bodyContains`` is a way to read services only Kairos can reach),
every check obeys the target policy (``KAIROS_DENIED_NETWORKS``, as scheduled checks do), each check is cut
after at most 60 s, and at most ``MAX_RUNNING`` checks run at once per Kairos and
``KAIROS_INSTANT_CHECKS_PER_CALLER`` per caller; one more is refused with 429 instead of queueing, so a flood
cannot pile up waiting tasks or sockets. Running checks are cancelled at shutdown. The rules are
:mod:`kairos.services.instant_checks`'s; this is the HTTP adapter."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from kairos.api.deps import RequireCheckExecute, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.schemas.instant_check import InstantCheckRequest, InstantCheckResult
from kairos.runtime import Runtime
from kairos.services.instant_checks import MAX_RUNNING, InstantChecks, run_instant_check

router = APIRouter(prefix="/api/instant-check", tags=["instant check"])


def running_checks(app: FastAPI) -> InstantChecks:
    """The slots of this application (one per app, so test servers in one process do not share them)."""
    runtime: Runtime = app.state.runtime
    return runtime.instant_checks


@router.post(
    "",
    summary="Check a target once, without saving anything",
    response_model=InstantCheckResult,
    description="Admins and API keys with CHECK_EXECUTE; other keys and USER accounts get 403. "
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
    body: InstantCheckRequest, session: SessionDep, runtime: RuntimeDep, caller: RequireCheckExecute
) -> InstantCheckResult:
    return await run_instant_check(runtime, session, caller, body, runtime.instant_checks)
