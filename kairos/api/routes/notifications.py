"""``/api/notifications``: channels (write-only URLs), policies and the delivery outbox. Admin only.

The rules are :mod:`kairos.services.notifications`'s; this is the HTTP adapter."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
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
from kairos.services import notifications as svc

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

_ADMIN = "Needs an admin."
_WRITE_ONLY = " The URL is write-only: answers show `urlHint` (its scheme), never the URL."


# -- channels -------------------------------------------------------------------------------------------------


@router.get(
    "/channels", summary="List notification channels", response_model=list[ChannelPublic],
    description=_ADMIN + _WRITE_ONLY, responses=error_responses(401, 403),
)  # fmt: skip
async def list_channels(session: SessionDep, _: RequireAdmin) -> list[ChannelPublic]:
    return await svc.list_channels(session)


@router.post(
    "/channels", status_code=201, summary="Create a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY + " An URL Apprise does not understand is refused (422).",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_channel(
    body: ChannelCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> ChannelPublic:
    return await svc.create_channel(session, runtime, body)


@router.get(
    "/channels/{channel_id}", summary="Read a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY, responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_channel(channel_id: PathId, session: SessionDep, _: RequireAdmin) -> ChannelPublic:
    return await svc.get_channel(session, channel_id)


@router.put(
    "/channels/{channel_id}", summary="Edit a notification channel", response_model=ChannelPublic,
    description=_ADMIN + _WRITE_ONLY + " Fields left out keep their value (leave out `url` to keep it).",
    responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_channel(
    channel_id: PathId, body: ChannelUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> ChannelPublic:
    return await svc.update_channel(session, runtime, channel_id, body)


@router.delete(
    "/channels/{channel_id}", status_code=204, summary="Delete a notification channel",
    description=_ADMIN + " Its policies and queued deliveries go with it.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_channel(channel_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    await svc.delete_channel(session, runtime, channel_id)
    return Response(status_code=204)


@router.post(
    "/channels/{channel_id}/test", summary="Send a test message", response_model=TestResult,
    description=_ADMIN + " Sends a test message now (not through the outbox) and answers whether the channel "
    "took it, or its error.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def test_channel(channel_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> TestResult:
    return await svc.test_channel(session, runtime, channel_id)


# -- policies -------------------------------------------------------------------------------------------------


@router.get(
    "/policies", summary="List notification policies", response_model=list[PolicyPublic], description=_ADMIN,
    responses=error_responses(401, 403),
)  # fmt: skip
async def list_policies(session: SessionDep, _: RequireAdmin) -> list[PolicyPublic]:
    return await svc.list_policies(session)


@router.post(
    "/policies", status_code=201, summary="Create a notification policy", response_model=PolicyPublic,
    description=_ADMIN + " Which events of which resources go to which channel; takes effect at once.",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_policy(body: PolicyCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> PolicyPublic:
    return await svc.create_policy(session, runtime, body)


@router.get(
    "/policies/{policy_id}", summary="Read a notification policy", response_model=PolicyPublic, description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_policy(policy_id: PathId, session: SessionDep, _: RequireAdmin) -> PolicyPublic:
    return await svc.get_policy(session, policy_id)


@router.put(
    "/policies/{policy_id}", summary="Edit a notification policy", response_model=PolicyPublic,
    description=_ADMIN + " Fields left out keep their value.", responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_policy(
    policy_id: PathId, body: PolicyUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> PolicyPublic:
    return await svc.update_policy(session, runtime, policy_id, body)


@router.delete(
    "/policies/{policy_id}", status_code=204, summary="Delete a notification policy",
    description=_ADMIN + " Messages already queued are still sent.", responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_policy(policy_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    await svc.delete_policy(session, runtime, policy_id)
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
    return await svc.list_deliveries(session, status=status, channel_id=channel_id, limit=limit, offset=offset)


@router.post(
    "/deliveries/{delivery_id}/retry", summary="Retry a dead delivery", response_model=DeliveryPublic,
    description=_ADMIN + " Puts a dead delivery back in the queue with its attempts reset; 409 for any other status.",
    responses=error_responses(401, 403, 404, 409, 422),
)  # fmt: skip
async def retry_delivery(delivery_id: PathId, session: SessionDep, _: RequireAdmin) -> DeliveryPublic:
    return await svc.retry_delivery(session, delivery_id)
