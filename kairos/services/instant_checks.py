"""Instant checks: check a target once, as a resource with these settings would be, and store nothing; and
the running checks of one Kairos (how many at once, how many per caller, their cancellation).

The body is validated by the same rules as resource creation (target by its kind, options by the kind's
model). Only admins may run one: a check of any target with any headers and ``bodyContains`` is a way to read
services only Kairos can reach. Every check obeys the target policy (``KAIROS_DENIED_NETWORKS``, as scheduled
checks do) and is cut after at most 60 s.

An instant check runs inside its request (API or console form), for up to 60 s. Without bounds one caller
could hold every slot, and a SIGTERM would wait for them all: the lifespan calls :meth:`cancel_all` on exit
(and uvicorn cancels request tasks after ``KAIROS_SHUTDOWN_GRACE_S``), so shutdown stays within the grace.
A check beyond a limit is refused at once (``RateLimited``), never queued, so a flood cannot pile up tasks or
sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.instant_check import (
    MAX_TIMEOUT_S,
    InstantCheckPhases,
    InstantCheckRequest,
    InstantCheckResult,
)
from kairos.auth.scopes import Scope
from kairos.errors import Forbidden, RateLimited
from kairos.probes.base import ProbeResult
from kairos.probes.context import probe_context
from kairos.probes.kinds import parse_config, run_probe, spec_of
from kairos.services import resources

if TYPE_CHECKING:
    from kairos.runtime import Runtime

MAX_RUNNING = 4


class Busy(Exception):
    """No slot for this check; the message says which limit was hit."""


class InstantChecks:
    """Slots for instant checks; owned by the Runtime, one per running application."""

    def __init__(self, size: int = MAX_RUNNING) -> None:
        self.size = size
        self._per_caller: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[object]] = set()

    @property
    def running(self) -> int:
        return self._per_caller.total()

    @contextlib.contextmanager
    def slot(self, caller: str, per_caller: int) -> Iterator[None]:
        """Hold one slot for ``caller`` while the block runs in the current task (which ``cancel_all`` may
        cancel); raises :class:`Busy` when all slots, or all of this caller's, are taken."""
        if self.running >= self.size:
            raise Busy(f"{self.size} instant checks are already running; try again in a few seconds")
        if self._per_caller[caller] >= per_caller:
            raise Busy(f"you already run {per_caller} instant checks; wait for one of them to finish")
        task = asyncio.current_task()
        self._per_caller[caller] += 1
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            self._per_caller[caller] -= 1
            if self._per_caller[caller] <= 0:
                del self._per_caller[caller]
            if task is not None:
                self._tasks.discard(task)

    async def cancel_all(self, grace_s: float) -> None:
        """Cancel every running check and wait at most ``grace_s`` for them to unwind."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel("Kairos is shutting down")
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)


class Asker(Protocol):
    """Who asks for a check, as far as the rules here care (the API's ``Caller`` is one)."""

    def has(self, scope: str) -> bool: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def key_id(self) -> int | None: ...


def caller_key(caller: Asker) -> str:
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
            dns_ms=p.dns_ms,
            connect_ms=p.connect_ms,
            tls_ms=p.tls_ms,
            first_byte_ms=p.ttfb_ms,
            total_ms=p.total_ms,
            proxy_ms=p.proxy_ms,
        ),
        details=result.details or {},
        timeout_seconds=timeout_s,
    )


async def run_instant_check(
    runtime: Runtime, session: AsyncSession, caller: Asker, body: InstantCheckRequest, limit: InstantChecks
) -> InstantCheckResult:
    """Validate like a resource creation, then run the probe once. Raises ``Forbidden`` for a caller who is
    without CHECK_EXECUTE (the API checks it already; the rule is repeated here for every other entry point),
    ``Invalid`` for a refused body and ``RateLimited`` when no slot is free."""
    if not caller.has(Scope.CHECK_EXECUTE):
        raise Forbidden("instant checks need an admin or an API key with CHECK_EXECUTE")
    kind = body.resource_type
    target = resources.check_target(kind, body.target)
    config = parse_config(kind, resources.check_options(kind, body.options))
    if body.credential_id is not None:
        await resources.check_credential(session, body.credential_id)
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
        raise RateLimited(str(exc), retry_after_s=5) from None
    return to_result(result, timeout)
