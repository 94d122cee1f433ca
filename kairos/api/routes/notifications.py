"""``/api/notifications``: channels (write-only URLs), policies and the delivery outbox. Admin only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select, update

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses, invalid
from kairos.api.ids import PathId
from kairos.api.lookup import get_or_404
from kairos.api.schemas.notifications import (
    ChannelCreate,
    ChannelPublic,
    ChannelUpdate,
    DeliveryPage,
    DeliveryPublic,
    PolicyCreate,
    PolicyPublic,
    PolicyUpdate,
    TestResult,
)
from kairos.db.models import NotificationChannel, NotificationOutbox, NotificationPolicy
from kairos.notify import channels
from kairos.runtime import Runtime

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

_ADMIN = "Needs an admin."
_WRITE_ONLY = " The URL is write-only: answers show `urlHint` (its scheme), never the URL."
_POLICY_FIELDS = {
    "name": "name",
    "channel_id": "channel_id",
    "events": "events",
    "scope": "scope",
    "scope_ids": "scope_ids",
    "reminder_interval_seconds": "reminder_interval_s",
    "active": "enabled",
}


def _channel(row: NotificationChannel) -> ChannelPublic:
    return ChannelPublic(
        id=row.id, name=row.name, kind=row.kind, url_hint=row.url_hint, active=row.enabled, created_at=row.created_at
    )


def _policy(row: NotificationPolicy) -> PolicyPublic:
    return PolicyPublic(
        id=row.id,
        name=row.name,
        channel_id=row.channel_id,
        events=list(row.events or []),
        scope=row.scope,
        scope_ids=list(row.scope_ids or []),
        reminder_interval_seconds=row.reminder_interval_s,
        active=row.enabled,
        created_at=row.created_at,
    )


def _delivery(row: NotificationOutbox) -> DeliveryPublic:
    return DeliveryPublic(
        id=row.id,
        channel_id=row.channel_id,
        policy_id=row.policy_id,
        resource_id=row.resource_id,
        event=row.event,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        payload=row.payload,
    )


def _set_url(runtime: Runtime, row: NotificationChannel, kind: str, url: str) -> None:
    problem = channels.validate(kind, url)
    if problem:
        raise invalid("url", problem)
    row.url_enc, row.url_hint = runtime.box.seal(url), channels.mask(url)


async def _reload(runtime: Runtime) -> None:
    if runtime.notifications is not None:
        await runtime.notifications.policies.reload()


# -- channels -------------------------------------------------------------------------------------------------


@router.get(
    "/channels", summary="List notification channels", response_model=list[ChannelPublic],
    description=_ADMIN + _WRITE_ONLY, responses=error_responses(401, 403),
)  # fmt: skip
async def list_channels(session: SessionDep, _: RequireAdmin) -> list[ChannelPublic]:
    rows = await session.execute(select(NotificationChannel).order_by(NotificationChannel.id))
    return [_channel(r) for r in rows.scalars()]


@router.post(
    "/channels", status_code=201, summary="Create a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY + " An URL Apprise does not understand is refused (422).",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_channel(
    body: ChannelCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> ChannelPublic:
    row = NotificationChannel(name=body.name, kind=body.kind, enabled=body.active)
    _set_url(runtime, row, body.kind, body.url)
    session.add(row)
    await session.commit()
    await _reload(runtime)
    return _channel(row)


@router.get(
    "/channels/{channel_id}", summary="Read a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY, responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_channel(channel_id: PathId, session: SessionDep, _: RequireAdmin) -> ChannelPublic:
    return _channel(await get_or_404(session, NotificationChannel, channel_id, "notification channel"))


@router.put(
    "/channels/{channel_id}", summary="Edit a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY + " Fields left out keep their value (leave out `url` to keep it).",
    responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_channel(
    channel_id: PathId, body: ChannelUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> ChannelPublic:
    row = await get_or_404(session, NotificationChannel, channel_id, "notification channel")
    given = body.model_fields_set
    if "name" in given and body.name is not None:
        row.name = body.name
    if "active" in given and body.active is not None:
        row.enabled = body.active
    if "url" in given and body.url is not None:
        _set_url(runtime, row, row.kind, body.url)
    await session.commit()
    await _reload(runtime)
    return _channel(row)


@router.delete(
    "/channels/{channel_id}", status_code=204, summary="Delete a notification channel",
    description=_ADMIN + " Its policies and queued deliveries go with it.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_channel(channel_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    row = await get_or_404(session, NotificationChannel, channel_id, "notification channel")
    await session.delete(row)
    await session.commit()
    await _reload(runtime)
    return Response(status_code=204)


@router.post(
    "/channels/{channel_id}/test", summary="Send a test message", response_model=TestResult,
    description=_ADMIN + " Sends a test message now (not through the outbox) and answers whether the channel "
    "took it, or its error.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def test_channel(channel_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> TestResult:
    row = await get_or_404(session, NotificationChannel, channel_id, "notification channel")
    url = runtime.box.open(row.url_enc)
    try:
        await channels.send(row.kind, url, channels.test_message(), user_agent=runtime.settings.user_agent)
    except channels.DeliveryError as exc:
        return TestResult(ok=False, error=str(exc))
    return TestResult(ok=True)


# -- policies -------------------------------------------------------------------------------------------------


async def _check_channel(session: SessionDep, channel_id: int) -> None:
    if await session.get(NotificationChannel, channel_id) is None:
        raise invalid("channelId", f"notification channel {channel_id} does not exist")


@router.get(
    "/policies", summary="List notification policies", response_model=list[PolicyPublic], description=_ADMIN,
    responses=error_responses(401, 403),
)  # fmt: skip
async def list_policies(session: SessionDep, _: RequireAdmin) -> list[PolicyPublic]:
    rows = await session.execute(select(NotificationPolicy).order_by(NotificationPolicy.id))
    return [_policy(r) for r in rows.scalars()]


@router.post(
    "/policies", status_code=201, summary="Create a notification policy", response_model=PolicyPublic,
    description=_ADMIN + " Which events of which resources go to which channel; takes effect at once.",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_policy(body: PolicyCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> PolicyPublic:
    await _check_channel(session, body.channel_id)
    row = NotificationPolicy(**{col: getattr(body, f) for f, col in _POLICY_FIELDS.items()})
    row.events = list(dict.fromkeys(body.events))
    session.add(row)
    await session.commit()
    await _reload(runtime)
    return _policy(row)


@router.get(
    "/policies/{policy_id}", summary="Read a notification policy", response_model=PolicyPublic, description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_policy(policy_id: PathId, session: SessionDep, _: RequireAdmin) -> PolicyPublic:
    return _policy(await get_or_404(session, NotificationPolicy, policy_id, "notification policy"))


@router.put(
    "/policies/{policy_id}", summary="Edit a notification policy", response_model=PolicyPublic,
    description=_ADMIN + " Fields left out keep their value.", responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_policy(
    policy_id: PathId, body: PolicyUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> PolicyPublic:
    row = await get_or_404(session, NotificationPolicy, policy_id, "notification policy")
    if body.channel_id is not None:
        await _check_channel(session, body.channel_id)
    for field, column in _POLICY_FIELDS.items():
        if field in body.model_fields_set:
            setattr(row, column, getattr(body, field))
    await session.commit()
    await _reload(runtime)
    return _policy(row)


@router.delete(
    "/policies/{policy_id}", status_code=204, summary="Delete a notification policy",
    description=_ADMIN + " Messages already queued are still sent.", responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_policy(policy_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    row = await get_or_404(session, NotificationPolicy, policy_id, "notification policy")
    await session.delete(row)
    await session.commit()
    await _reload(runtime)
    return Response(status_code=204)


# -- deliveries -----------------------------------------------------------------------------------------------

Status = Annotated[Literal["pending", "sending", "sent", "dead"] | None, Query(description="Only this status.")]


@router.get(
    "/deliveries", summary="List notification deliveries", response_model=DeliveryPage,
    description=_ADMIN + " The outbox, newest first: one row per event and channel, with attempts and last error.",
    responses=error_responses(401, 403, 422),
)  # fmt: skip
async def list_deliveries(
    session: SessionDep,
    _: RequireAdmin,
    status: Status = None,
    channel_id: Annotated[int | None, Query(alias="channelId", ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DeliveryPage:
    where = []
    if status is not None:
        where.append(NotificationOutbox.status == status)
    if channel_id is not None:
        where.append(NotificationOutbox.channel_id == channel_id)
    total = (await session.execute(select(func.count()).select_from(NotificationOutbox).where(*where))).scalar_one()
    rows = await session.execute(
        select(NotificationOutbox).where(*where).order_by(NotificationOutbox.id.desc()).limit(limit).offset(offset)
    )
    return DeliveryPage(items=[_delivery(r) for r in rows.scalars()], total=total, limit=limit, offset=offset)


@router.post(
    "/deliveries/{delivery_id}/retry", summary="Retry a dead delivery", response_model=DeliveryPublic,
    description=_ADMIN + " Puts a dead delivery back in the queue with its attempts reset; 409 for any other status.",
    responses=error_responses(401, 403, 404, 409, 422),
)  # fmt: skip
async def retry_delivery(delivery_id: PathId, session: SessionDep, _: RequireAdmin) -> DeliveryPublic:
    await get_or_404(session, NotificationOutbox, delivery_id, "delivery")
    res = await session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id == delivery_id, NotificationOutbox.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC), claim_token=None)
        .execution_options(synchronize_session=False)
    )
    if not getattr(res, "rowcount", 0):
        raise ApiError(409, "conflict", "only a dead delivery can be retried")
    await session.commit()
    row = await get_or_404(session, NotificationOutbox, delivery_id, "delivery")
    await session.refresh(row)
    return _delivery(row)
