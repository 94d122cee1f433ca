"""Notifications: channels (write-only URLs, sealed with the runtime's box), policies (which events of which
resources go to which channel) and the delivery outbox.

Every change reloads the running policies, so it takes effect at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from kairos.db.models import NotificationChannel, NotificationOutbox, NotificationPolicy, Resource, ResourceGroup
from kairos.errors import Conflict, Invalid
from kairos.notify import channels
from kairos.services.rows import get_or_not_found

if TYPE_CHECKING:
    from kairos.runtime import Runtime

CHANNEL = "notification channel"
POLICY = "notification policy"
DELIVERY = "delivery"
_POLICY_FIELDS = {
    "name": "name",
    "channel_id": "channel_id",
    "events": "events",
    "scope": "scope",
    "scope_ids": "scope_ids",
    "reminder_interval_seconds": "reminder_interval_s",
    "active": "enabled",
}


def channel_public(row: NotificationChannel) -> ChannelPublic:
    return ChannelPublic(
        id=row.id, name=row.name, kind=row.kind, url_hint=row.url_hint, active=row.enabled, created_at=row.created_at
    )


def policy_public(row: NotificationPolicy) -> PolicyPublic:
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


def delivery_public(row: NotificationOutbox) -> DeliveryPublic:
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
        raise Invalid(problem, field="url")
    row.url_enc, row.url_hint = runtime.box.seal(url), channels.mask(url)


async def _reload(runtime: Runtime) -> None:
    if runtime.notifications is not None:
        await runtime.notifications.policies.reload()
    await runtime.scheduler.caches_changed()  # a fleet's workers record events with these policies


# -- channels -------------------------------------------------------------------------------------------------


async def list_channels(session: AsyncSession) -> list[ChannelPublic]:
    rows = await session.execute(select(NotificationChannel).order_by(NotificationChannel.id))
    return [channel_public(r) for r in rows.scalars()]


async def create_channel(session: AsyncSession, runtime: Runtime, body: ChannelCreate) -> ChannelPublic:
    """``Invalid`` (field ``url``) for an URL Apprise does not understand."""
    row = NotificationChannel(name=body.name, kind=body.kind, enabled=body.active)
    _set_url(runtime, row, body.kind, body.url)
    session.add(row)
    await session.commit()
    await _reload(runtime)
    return channel_public(row)


async def get_channel(session: AsyncSession, channel_id: int) -> ChannelPublic:
    return channel_public(await get_or_not_found(session, NotificationChannel, channel_id, CHANNEL))


async def update_channel(
    session: AsyncSession, runtime: Runtime, channel_id: int, body: ChannelUpdate
) -> ChannelPublic:
    """Fields left out keep their value (``url`` left out keeps the stored URL); the kind cannot change."""
    row = await get_or_not_found(session, NotificationChannel, channel_id, CHANNEL)
    given = body.model_fields_set
    if "name" in given and body.name is not None:
        row.name = body.name
    if "active" in given and body.active is not None:
        row.enabled = body.active
    if "url" in given and body.url is not None:
        _set_url(runtime, row, row.kind, body.url)
    await session.commit()
    await _reload(runtime)
    return channel_public(row)


async def delete_channel(session: AsyncSession, runtime: Runtime, channel_id: int) -> None:
    """Its policies and queued deliveries go with it."""
    row = await get_or_not_found(session, NotificationChannel, channel_id, CHANNEL)
    await session.delete(row)
    await session.commit()
    await _reload(runtime)


async def test_channel(session: AsyncSession, runtime: Runtime, channel_id: int) -> TestResult:
    """Send a test message now (not through the outbox); a refusal of the channel is the result, not an error."""
    row = await get_or_not_found(session, NotificationChannel, channel_id, CHANNEL)
    url = runtime.box.open(row.url_enc)
    try:
        await channels.send(row.kind, url, channels.test_message(), user_agent=runtime.settings.user_agent)
    except channels.DeliveryError as exc:
        return TestResult(ok=False, error=str(exc))
    return TestResult(ok=True)


# -- policies -------------------------------------------------------------------------------------------------


async def _check_channel(session: AsyncSession, channel_id: int) -> None:
    if await session.get(NotificationChannel, channel_id) is None:
        raise Invalid(f"notification channel {channel_id} does not exist", field="channelId")


async def list_policies(session: AsyncSession) -> list[PolicyPublic]:
    rows = await session.execute(select(NotificationPolicy).order_by(NotificationPolicy.id))
    return [policy_public(r) for r in rows.scalars()]


async def create_policy(session: AsyncSession, runtime: Runtime, body: PolicyCreate) -> PolicyPublic:
    await _check_channel(session, body.channel_id)
    row = NotificationPolicy(**{col: getattr(body, f) for f, col in _POLICY_FIELDS.items()})
    row.events = list(dict.fromkeys(body.events))
    session.add(row)
    await session.commit()
    await _reload(runtime)
    return policy_public(row)


async def get_policy(session: AsyncSession, policy_id: int) -> PolicyPublic:
    return policy_public(await get_or_not_found(session, NotificationPolicy, policy_id, POLICY))


async def update_policy(session: AsyncSession, runtime: Runtime, policy_id: int, body: PolicyUpdate) -> PolicyPublic:
    row = await get_or_not_found(session, NotificationPolicy, policy_id, POLICY)
    if body.channel_id is not None:
        await _check_channel(session, body.channel_id)
    for field, column in _POLICY_FIELDS.items():
        if field in body.model_fields_set:
            setattr(row, column, getattr(body, field))
    await session.commit()
    await _reload(runtime)
    return policy_public(row)


async def delete_policy(session: AsyncSession, runtime: Runtime, policy_id: int) -> None:
    """Messages already queued are still sent."""
    row = await get_or_not_found(session, NotificationPolicy, policy_id, POLICY)
    await session.delete(row)
    await session.commit()
    await _reload(runtime)


# -- deliveries -----------------------------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession, *, status: str | None, channel_id: int | None, limit: int, offset: int
) -> DeliveryPage:
    """The outbox, newest first: one row per event and channel, with attempts and last error."""
    where = []
    if status is not None:
        where.append(NotificationOutbox.status == status)
    if channel_id is not None:
        where.append(NotificationOutbox.channel_id == channel_id)
    total = (await session.execute(select(func.count()).select_from(NotificationOutbox).where(*where))).scalar_one()
    rows = await session.execute(
        select(NotificationOutbox).where(*where).order_by(NotificationOutbox.id.desc()).limit(limit).offset(offset)
    )
    return DeliveryPage(items=[delivery_public(r) for r in rows.scalars()], total=total, limit=limit, offset=offset)


async def retry_delivery(session: AsyncSession, delivery_id: int) -> DeliveryPublic:
    """Put a dead delivery back in the queue with its attempts reset; ``Conflict`` for any other status."""
    await get_or_not_found(session, NotificationOutbox, delivery_id, DELIVERY)
    res = await session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id == delivery_id, NotificationOutbox.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC), claim_token=None)
        .execution_options(synchronize_session=False)
    )
    if not getattr(res, "rowcount", 0):
        raise Conflict("only a dead delivery can be retried")
    await session.commit()
    row = await get_or_not_found(session, NotificationOutbox, delivery_id, DELIVERY)
    await session.refresh(row)
    return delivery_public(row)


async def scope_choices(session: AsyncSession) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(id, name) of every group and every resource, by name: what a policy's scope may name."""
    groups = await session.execute(
        select(ResourceGroup.id, ResourceGroup.name).order_by(ResourceGroup.name_key, ResourceGroup.id)
    )
    resources = await session.execute(select(Resource.id, Resource.name).order_by(Resource.name_key, Resource.id))
    return [(i, n) for i, n in groups.all()], [(i, n) for i, n in resources.all()]
