"""``/admin/notifications``: channels (with a test send), policies and the delivery outbox.

Every change goes through the notification service (kairos/services/notifications.py), so the page and
``/api/notifications`` validate, encrypt the URL and reload the policies exactly alike. The channel URL is
write-only: no page ever shows it, not even a refused form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.api.errors import domain_status
from kairos.api.ids import PageId
from kairos.api.schemas.notifications import (
    ChannelPublic,
    PolicyCreate,
    PolicyPublic,
    PolicyUpdate,
    TestResult,
)
from kairos.errors import DomainError, NotFound
from kairos.notify.events import EVENT_KINDS
from kairos.notify.labels import EVENT_LABELS, event_label
from kairos.services import channel_builder
from kairos.services import notifications as svc
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.routes.admin_notification_channels import router as channel_router
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(channel_router)  # the channel builder's add and edit forms

BASE = "/admin/notifications"
# Every event kind with the label and hint the policy form shows (kairos/notify/labels.py).
EVENTS = {kind: EVENT_LABELS[kind] for kind in EVENT_KINDS}
STATUSES = ("pending", "sending", "sent", "dead")
_DONE = {
    "channel-created": "The channel was added.",
    "channel-saved": "The channel was saved.",
    "channel-deleted": "The channel was deleted.",
    "policy-created": "The policy was added.",
    "policy-saved": "The policy was saved.",
    "policy-deleted": "The policy was deleted.",
    "retried": "The delivery is queued again.",
}
# API field names → the form field that shows the error.
_POLICY_RENAME = {"scopeIds": "scope", "reminderIntervalSeconds": "reminderMinutes"}


def _missing(exc: DomainError, what: str) -> PageError:
    return (
        PageError(404, f"There is no such {what}.")
        if isinstance(exc, NotFound)
        else PageError(domain_status(exc), exc.message)
    )


def _problems(exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """Errors by form field; ``events[2]`` belongs to ``events``."""
    out: dict[str, str] = {}
    for name, message in form_problems(exc).items():
        name = name.split("[", 1)[0]
        out.setdefault((rename or {}).get(name, name), message)
    return out


# -- the page -------------------------------------------------------------------------------------------------


async def _list(request: Request, session: AsyncSession, caller: Caller, runtime: Any, **ctx: Any) -> Response:
    status = request.query_params.get("status")
    status = status if status in STATUSES else None
    channels = await svc.list_channels(session)
    page = await svc.list_deliveries(session, status=status, channel_id=None, limit=50, offset=0)
    return render(
        request,
        "admin/notifications.html",
        notice=_DONE.get(str(request.query_params.get("done", ""))),
        channels=channels,
        channel_names={c.id: c.name for c in channels},
        channel_services=await channel_builder.service_labels(session, runtime),
        event_label=event_label,
        policies=await svc.list_policies(session),
        deliveries=page.items,
        delivery_total=page.total,
        status=status,
        statuses=STATUSES,
        **ctx,
    )


@router.get(BASE)
async def notifications_page(request: Request, caller: AdminPage, session: SessionDep, runtime: RuntimeDep) -> Response:
    return await _list(request, session, caller, runtime)


# -- channels -------------------------------------------------------------------------------------------------


async def _channel(session: AsyncSession, caller: Caller, channel_id: int) -> ChannelPublic:
    try:
        return await svc.get_channel(session, channel_id)
    except NotFound as exc:
        raise _missing(exc, "channel") from None


@router.post(BASE + "/channels/{channel_id}/delete")
async def delete_channel(
    channel_id: PageId, caller: AdminPage, _: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    try:
        await svc.delete_channel(session, runtime, channel_id)
    except DomainError as exc:
        raise _missing(exc, "channel") from None
    raise Redirect(BASE + "?done=channel-deleted")


@router.post(BASE + "/channels/{channel_id}/test")
async def test_channel(
    request: Request, channel_id: PageId, caller: AdminPage, _: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Sends now and answers the list page with the result at its top."""
    channel = await _channel(session, caller, channel_id)
    result: TestResult = await svc.test_channel(session, runtime, channel_id)
    return await _list(request, session, caller, runtime, test_result=result, test_channel=channel)


# -- policies -------------------------------------------------------------------------------------------------


def _policy_values(form: FormData) -> dict[str, Any]:
    def ids(key: str) -> list[str]:
        return [str(v) for v in form.getlist(key)][:1000]

    return {
        "name": str(form.get("name", "")).strip()[:1000],
        "channelId": str(form.get("channelId", "")),
        "events": [str(e) for e in form.getlist("events")][:10],
        "scope": str(form.get("scope", "all"))[:20],
        "groupIds": ids("groupIds"),
        "resourceIds": ids("resourceIds"),
        "reminderMinutes": str(form.get("reminderMinutes", "")).strip()[:20],
        "active": form.get("active") == "on",
    }


def _policy_body(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API body for the form, and errors the form itself finds (minutes that are not a number)."""
    scope = values["scope"]
    picked = values["groupIds"] if scope == "groups" else values["resourceIds"] if scope == "resources" else []
    body: dict[str, Any] = {k: values[k] for k in ("name", "channelId", "events", "scope", "active")}
    body["scopeIds"] = picked
    body["reminderIntervalSeconds"] = None
    minutes = values["reminderMinutes"]
    if minutes:
        if not minutes.isdigit():
            return body, {"reminderMinutes": "Enter whole minutes, or leave it empty for no reminders."}
        body["reminderIntervalSeconds"] = int(minutes) * 60
    if scope in ("groups", "resources") and not picked:
        return body, {"scope": f"Pick at least one of the {scope}."}
    return body, {}


async def _choices(session: AsyncSession) -> dict[str, Any]:
    groups, resources = await svc.scope_choices(session)
    return {"groups": groups, "resources": resources, "events": EVENTS}


async def _policy_form(
    request: Request, session: AsyncSession, caller: Caller, policy: PolicyPublic | None, values: dict[str, Any],
    **ctx: Any,
) -> Response:  # fmt: skip
    code = ctx.pop("code", 200)
    ctx.setdefault("errors", {})
    channels = await svc.list_channels(session)
    return render(
        request, "admin/notification_policy_form.html", code, policy=policy, values=values, channels=channels,
        **await _choices(session), **ctx,
    )  # fmt: skip


async def _policy(session: AsyncSession, caller: Caller, policy_id: int) -> PolicyPublic:
    try:
        return await svc.get_policy(session, policy_id)
    except NotFound as exc:
        raise _missing(exc, "policy") from None


@router.get(BASE + "/policies/new")
async def new_policy_page(request: Request, caller: AdminPage, session: SessionDep) -> Response:
    values = {"name": "", "channelId": "", "events": ["outage_opened", "outage_resolved"], "scope": "all",
              "groupIds": [], "resourceIds": [], "reminderMinutes": "", "active": True}  # fmt: skip
    return await _policy_form(request, session, caller, None, values)


async def _save_policy(
    request: Request, caller: Caller, form: FormData, session: AsyncSession, runtime: Any, policy: PolicyPublic | None
) -> Response:
    values = _policy_values(form)
    body, errors = _policy_body(values)
    try:
        if errors:
            return await _policy_form(request, session, caller, policy, values, code=422, errors=errors)
        if policy is None:
            await svc.create_policy(session, runtime, PolicyCreate.model_validate(body))
        else:
            await svc.update_policy(session, runtime, policy.id, PolicyUpdate.model_validate(body))
    except ValidationError as exc:
        errors = _problems(exc, _POLICY_RENAME)
        return await _policy_form(request, session, caller, policy, values, code=422, errors=errors)
    except NotFound as exc:
        raise _missing(exc, "policy") from None
    except DomainError as exc:
        errors = {_POLICY_RENAME.get(exc.field or "", exc.field or "form"): exc.message}
        return await _policy_form(request, session, caller, policy, values, code=domain_status(exc), errors=errors)
    raise Redirect(BASE + ("?done=policy-created" if policy is None else "?done=policy-saved"))


@router.post(BASE + "/policies/new")
async def create_policy(
    request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    return await _save_policy(request, caller, form, session, runtime, None)


@router.get(BASE + "/policies/{policy_id}")
async def edit_policy_page(request: Request, policy_id: PageId, caller: AdminPage, session: SessionDep) -> Response:
    p = await _policy(session, caller, policy_id)
    ids = [str(i) for i in p.scope_ids]
    values = {
        "name": p.name, "channelId": str(p.channel_id), "events": p.events, "scope": p.scope,
        "groupIds": ids if p.scope == "groups" else [], "resourceIds": ids if p.scope == "resources" else [],
        "reminderMinutes": str(p.reminder_interval_seconds // 60) if p.reminder_interval_seconds else "",
        "active": p.active,
    }  # fmt: skip
    return await _policy_form(request, session, caller, p, values)


@router.post(BASE + "/policies/{policy_id}")
async def edit_policy(
    request: Request, policy_id: PageId, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    policy = await _policy(session, caller, policy_id)
    return await _save_policy(request, caller, form, session, runtime, policy)


@router.post(BASE + "/policies/{policy_id}/delete")
async def delete_policy(
    policy_id: PageId, caller: AdminPage, _: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    try:
        await svc.delete_policy(session, runtime, policy_id)
    except DomainError as exc:
        raise _missing(exc, "policy") from None
    raise Redirect(BASE + "?done=policy-deleted")


# -- deliveries -----------------------------------------------------------------------------------------------


@router.post(BASE + "/deliveries/{delivery_id}/retry")
async def retry_delivery(delivery_id: PageId, caller: AdminPage, _: CheckedForm, session: SessionDep) -> Response:
    try:
        await svc.retry_delivery(session, delivery_id)
    except DomainError as exc:
        raise _missing(exc, "delivery") from None
    raise Redirect(BASE + "?done=retried#deliveries")
