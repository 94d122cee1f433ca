"""``/admin/notifications/channels``: the channel builder. The form is generated from the service table
(kairos/notify/services.py): pick Slack, Telegram, email, … and fill named fields, or paste an Apprise URL
("Advanced"). Secrets are never shown back: on edit a blank secret field keeps the stored value.

Fields are named ``<service>-<field>`` so every service's fieldset lives in one form; only the chosen
service's fields are read. A form without ``service`` (older scripts posting ``kind`` and ``url``) still works."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.errors import domain_status
from kairos.api.ids import PageId
from kairos.api.schemas.notifications import ChannelCreate, ChannelPublic, ChannelUpdate
from kairos.errors import DomainError, NotFound
from kairos.notify import channels, services
from kairos.services import channel_builder
from kairos.services import notifications as svc
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

BASE = "/admin/notifications"
NEW_SERVICE = "slack"


def _name(key: str, field: str) -> str:
    return f"{key}-{field}"


def _chosen(form: FormData, stored_key: str | None) -> str:
    """The service the form was sent for; old forms say ``kind`` (WEBHOOK or APPRISE) with a raw ``url``, or
    nothing on edit (the stored channel's)."""
    if "service" in form:
        return str(form.get("service", ""))[:40]
    if stored_key is not None:
        return stored_key if stored_key in (services.WEBHOOK, services.RAW) else services.RAW
    return services.WEBHOOK if str(form.get("kind", "")) == channels.WEBHOOK else services.RAW


def _field_values(form: FormData, key: str) -> dict[str, str]:
    service = services.SERVICES.get(key)
    if service is None:
        return {}
    if "service" not in form:  # the old form: one raw URL
        return {"url": str(form.get("url", ""))[:5000]}
    return {f.name: str(form.get(_name(key, f.name), ""))[: f.max_length] for f in service.fields}


def _kept(form: FormData, key: str, stored_key: str, stored: dict[str, str]) -> dict[str, str]:
    """Stored secrets a blank field keeps: only for the same service, and not those ticked "remove"."""
    if key != stored_key:
        return {}
    return {k: v for k, v in stored.items() if form.get(_name(key, k) + "-clear") != "on"}


def _choices(channel: ChannelPublic | None) -> list[services.Service]:
    """The services the form offers: an existing channel cannot change its kind (WEBHOOK or APPRISE)."""
    every = list(services.SERVICES.values())
    return [s for s in every if channel is None or s.kind == channel.kind]


def _form(
    request: Request, channel: ChannelPublic | None, values: dict[str, Any], fields: dict[str, dict[str, str]],
    stored_key: str | None = None, code: int = 200, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """``fields``: shown values by service (secrets blanked by the caller)."""
    return render(
        request, "admin/notification_channel_form.html", code, channel=channel, values=values, fields=fields,
        services=_choices(channel), stored_key=stored_key, errors=errors or {},
    )  # fmt: skip


def _shown(key: str, raw: dict[str, str]) -> dict[str, dict[str, str]]:
    return {key: services.shown(key, raw)} if key in services.SERVICES else {}


def _errors(key: str, problems: dict[str, str]) -> dict[str, str]:
    return {(k if k in ("service", "form") else _name(key, k)): v for k, v in problems.items()}


def _first_field(key: str) -> str:
    service = services.SERVICES.get(key)
    return _name(key, service.fields[0].name) if service else "service"


@router.get(BASE + "/channels/new")
async def new_channel_page(request: Request, _: AdminPage) -> Response:
    return _form(request, None, {"name": "", "active": True, "service": NEW_SERVICE}, {})


async def _save(
    request: Request, form: FormData, session: AsyncSession, runtime: Any, channel: ChannelPublic | None
) -> Response:
    stored_key: str | None = None
    stored: dict[str, str] = {}
    if channel is not None:
        stored_key, stored = await channel_builder.stored_fields(session, runtime, channel.id)
    key = _chosen(form, stored_key)
    values = {"name": str(form.get("name", "")).strip()[:1000], "active": form.get("active") == "on", "service": key}
    raw = _field_values(form, key)
    shown = _shown(key, raw)
    try:
        kind, url = services.build(key, raw, _kept(form, key, stored_key or "", stored))
        if channel is not None and kind != channel.kind:
            raise services.Problems({"service": "The kind cannot change (webhook or Apprise): add a new channel."})
        body = {"name": values["name"], "active": values["active"], "url": url}
        if channel is None:
            await svc.create_channel(session, runtime, ChannelCreate.model_validate({**body, "kind": kind}))
        else:
            await svc.update_channel(session, runtime, channel.id, ChannelUpdate.model_validate(body))
    except services.Problems as exc:
        return _form(request, channel, values, shown, stored_key, 422, _errors(key, exc.errors))
    except ValidationError as exc:
        problems = {("form" if k == "url" else k): v for k, v in form_problems(exc).items()}
        return _form(request, channel, values, shown, stored_key, 422, problems)
    except NotFound:
        raise PageError(404, "There is no such channel.") from None
    except DomainError as exc:
        field = _first_field(key) if exc.field == "url" else (exc.field or "form")
        return _form(request, channel, values, shown, stored_key, domain_status(exc), {field: exc.message})
    raise Redirect(BASE + ("?done=channel-created" if channel is None else "?done=channel-saved"))


@router.post(BASE + "/channels/new")
async def create_channel(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    return await _save(request, form, session, runtime, None)


async def _channel(session: AsyncSession, channel_id: int) -> ChannelPublic:
    try:
        return await svc.get_channel(session, channel_id)
    except NotFound:
        raise PageError(404, "There is no such channel.") from None


@router.get(BASE + "/channels/{channel_id}")
async def edit_channel_page(
    request: Request, channel_id: PageId, caller: AdminPage, session: SessionDep, runtime: RuntimeDep
) -> Response:
    channel = await _channel(session, channel_id)
    key, stored = await channel_builder.stored_fields(session, runtime, channel_id)
    values = {"name": channel.name, "active": channel.active, "service": key}
    return _form(request, channel, values, _shown(key, stored), key)


@router.post(BASE + "/channels/{channel_id}")
async def edit_channel(
    request: Request, channel_id: PageId, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    channel = await _channel(session, channel_id)
    return await _save(request, form, session, runtime, channel)
