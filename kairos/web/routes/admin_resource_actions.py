"""Console actions on resources beyond one form: a bulk action on the list's selection, and cloning one.

Both go through the same services as ``POST /api/resources/bulk`` and ``/clone`` (kairos/services/resource_bulk.py,
the resource service), so the console and the API accept and refuse the same things. A bulk delete asks first on
a page of its own (it works without JavaScript); the other actions apply at once and say what they did."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.resource_actions import ResourceBulk
from kairos.api.views import clone_body
from kairos.db.models import Resource
from kairos.errors import DomainError, NotFound
from kairos.services import resource_bulk, tags
from kairos.services import resources as svc
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
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


def _bulk_body(form: FormData) -> ResourceBulk:
    ids = [str(v) for v in form.getlist("ids")][: resource_bulk.MAX_IDS + 1]
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
        return ResourceBulk.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else ""
        message = {
            "resourceIds": "Choose at least one resource (at most 1,000).",
            "action": "Choose an action.",
            "groupId": "Choose a group.",
            "tag": "Write the tag as key:value, e.g. team:payments.",
        }.get(where, "This selection cannot be acted on.")
        raise PageError(422, message) from None


@router.post("/admin/resources/bulk")
async def bulk(
    request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    body = _bulk_body(form)
    if body.action == "delete" and form.get("confirm") != "yes":
        rows = [r for r in await svc.list_resources(session) if r.id in set(body.resource_ids)]
        return render(request, "admin/resource_bulk_delete.html", resources=rows)
    try:
        outcome = await resource_bulk.apply(session, body.action, body.resource_ids, body.group_id, body.tag)
    except NotFound as exc:
        raise PageError(404, f"Nothing was changed: {exc.message}.") from None
    except DomainError as exc:
        raise PageError(422, f"Nothing was changed: {exc.message}.") from None
    await resource_bulk.announce(runtime.scheduler, outcome)
    audit.info(
        "bulk %s of %d resources by %s: ids %s", body.action, len(outcome.names), caller.email, body.resource_ids
    )
    raise Redirect(f"{LIST}?" + urlencode({"bulk": body.action, "n": len(outcome.names)}))


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
