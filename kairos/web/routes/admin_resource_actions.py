"""Console actions on resources beyond one form: a bulk action on the list's selection, and cloning one.

Both go through the same services as ``POST /api/resources/bulk`` and ``/clone`` (kairos/services/resource_bulk.py,
the resource service), so the console and the API accept and refuse the same things. A bulk delete asks first on
a page of its own (it works without JavaScript); the other actions apply at once and say what they did."""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.common import Id
from kairos.api.schemas.resource_actions import ResourceBulk
from kairos.api.views import clone_body
from kairos.db.models import Resource
from kairos.errors import DomainError, NotFound
from kairos.runtime import Runtime
from kairos.services import resource_bulk, tags
from kairos.services import resources as svc
from kairos.services.resource_listing import load_in_order, matching_ids
from kairos.web.deps import AdminPage, CheckedForm, PageCaller, PageError, Redirect, checked_form
from kairos.web.resource_query import back_to_list, from_filter_string
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)
audit = logging.getLogger("kairos.audit")

LIST = "/admin/resources"
# What the list says after a bulk action (the query carries the action and a count, never free text).
DONE = {
    "pause": "Paused {n} resource(s).",
    "resume": "Resumed {n} resource(s).",
    "delete": "Deleted {n} resource(s) with their history.",
    "move": "Moved {n} resource(s) into the group.",
    "add_to_group": "Added {n} resource(s) to the group.",
    "remove_from_group": "Took {n} resource(s) out of the group.",
    "tag": "Tagged {n} resource(s).",
    "untag": "Took the tag off {n} resource(s).",
}
# What the confirmation of an action on everything matching a filter asks.
VERBS = {
    "pause": "Pause", "resume": "Resume", "delete": "Delete (with their history)", "move": "Move into the group",
    "add_to_group": "Add to the group", "remove_from_group": "Take out of the group", "tag": "Tag",
    "untag": "Take the tag off",
}  # fmt: skip


class _MatchingBulk(ResourceBulk):
    """An action on everything matching a filter: the ids are the server's, found when the action is confirmed."""

    resource_ids: list[Id] = Field(default_factory=list)


def _bulk_body(form: FormData, model: type[ResourceBulk] = ResourceBulk) -> ResourceBulk:
    ids = [str(v) for v in form.getlist("ids")][: resource_bulk.MAX_IDS + 1] if model is ResourceBulk else []
    group = str(form.get("group", "") or "").strip()
    raw: dict[str, object] = {"action": str(form.get("action", "")), "resourceIds": ids, "groupId": group or None}
    tag = str(form.get("tag", "") or "").strip()[:300]
    if tag:
        try:
            key, value = tags.parse_filter(tag)
        except DomainError:
            raise PageError(422, "Write the tag as key:value, e.g. team:payments.") from None
        raw["tag"] = {"key": key, "value": value}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else ""
        message = {
            "resourceIds": f"Choose at least one resource (at most {resource_bulk.MAX_IDS:,}).",
            "action": "Choose an action.",
            "groupId": "Choose a group.",
            "tag": "Write the tag as key:value, e.g. team:payments.",
        }.get(where, "This selection cannot be acted on.")
        raise PageError(422, message) from None


async def _apply(
    session: AsyncSession, runtime: Runtime, caller: Caller, body: ResourceBulk, ids: list[int], limit: int
) -> int:
    try:
        outcome = await resource_bulk.apply(session, body.action, ids, body.group_id, body.tag, limit)
    except NotFound as exc:
        raise PageError(404, f"Nothing was changed: {exc.message}.") from None
    except DomainError as exc:
        raise PageError(422, f"Nothing was changed: {exc.message}.") from None
    await resource_bulk.announce(runtime.scheduler, outcome)
    audit.info("bulk %s of %d resources by %s: ids %s", body.action, len(outcome.names), caller.email, ids)
    return len(outcome.names)


async def _matching(
    request: Request, caller: Caller, form: FormData, session: AsyncSession, runtime: Runtime
) -> Response:
    """Everything matching the list's filter: a confirmation page first (how many, which filter), then the
    filter is evaluated AGAIN on confirmation, so the action changes what matches then, never a stale list."""
    body = _bulk_body(form, _MatchingBulk)
    if body.action in resource_bulk.GROUP_ACTIONS and body.group_id is None:
        raise PageError(422, "Nothing was changed: this action needs a group.")
    if body.action in resource_bulk.TAG_ACTIONS and body.tag is None:
        raise PageError(422, "Nothing was changed: this action needs a tag (key:value).")
    query = from_filter_string(str(form.get("filter", "") or ""))
    if query.problems:  # a dropped filter value would widen the selection: refuse instead
        raise PageError(422, "Nothing was changed: " + " ".join(query.problems))
    ids = await matching_ids(session, caller, query.listing(), runtime.board.states)
    if form.get("confirm") != "yes":
        groups = {str(g.id): g.name for g in (await svc.references(session))[0]}
        return render(
            request,
            "admin/resource_bulk_matching.html",
            count=len(ids),
            limit=resource_bulk.MAX_MATCHING,
            action=body.action,
            verb=VERBS[body.action],
            described=query.describe(groups),
            filter=query.filter_string(),
            group=groups.get(str(body.group_id), "") if body.group_id else "",
            group_id=body.group_id or "",
            tag=f"{body.tag.key}:{body.tag.value}" if body.tag else "",
            back=back_to_list(form),
        )
    if not ids:
        raise PageError(409, "Nothing was changed: no resource matches this filter any more.")
    done = await _apply(session, runtime, caller, body, ids, resource_bulk.MAX_MATCHING)
    raise Redirect(back_to_list(form, bulk=body.action, n=done))


async def _bulk_form(request: Request, caller: PageCaller) -> FormData:
    """The bulk form may name up to MAX_IDS resources (a selection across pages): more fields than the form
    parser's default of 1,000. Parsed here with that room (the request keeps the parsed form), then checked
    as every form is."""
    await request.form(max_fields=resource_bulk.MAX_IDS + 20)
    return await checked_form(request, caller)


BulkForm = Annotated[FormData, Depends(_bulk_form)]


@router.post("/admin/resources/bulk")
async def bulk(
    request: Request, caller: AdminPage, form: BulkForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    if "filter" in form.getlist("scope"):
        return await _matching(request, caller, form, session, runtime)
    body = _bulk_body(form)
    if body.action == "delete" and form.get("confirm") != "yes":
        rows = await load_in_order(session, sorted(set(body.resource_ids)))
        return render(request, "admin/resource_bulk_delete.html", resources=rows, back=back_to_list(form))
    done = await _apply(session, runtime, caller, body, body.resource_ids, resource_bulk.MAX_IDS)
    raise Redirect(back_to_list(form, bulk=body.action, n=done))


@router.post("/admin/resources/{resource_id}/clone")
async def clone(_: AdminPage, __: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId) -> None:
    """A paused copy, then its edit form: change what differs, then enable it."""
    try:
        source: Resource = await svc.load_resource(session, resource_id)
    except NotFound:
        raise PageError(404, "There is no such resource.") from None
    row = await svc.create_resource(session, clone_body(source, f"{source.name} (copy)"[:200], active=False))
    await runtime.scheduler.resource_changed(row.id)
    raise Redirect(f"{LIST}/{row.id}/edit?" + urlencode({"cloned": source.id}))


def bulk_notice(action: str, count: str) -> str:
    """The list's notice for ``?bulk=&n=`` (fixed sentences; an unknown action says nothing)."""
    template = DONE.get(action)
    return template.format(n=int(count)) if template and count.isdigit() and len(count) < 6 else ""
