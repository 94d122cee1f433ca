"""``/admin/resource-types``: per-kind interval, parallelism, timeout, outage thresholds and fleet quorum.

The form is validated by ``ResourceTypeUpdate`` (the body of ``PUT /api/resource-types/{kind}``) and written
by kairos/services/resource_types.py, which also reloads the scheduler's settings at once, exactly as after
the API call."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.schemas.resource_types import ResourceTypeUpdate
from kairos.probes.kinds import kind_names
from kairos.runtime import Runtime
from kairos.services import resource_types as type_service
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect, UserPage
from kairos.web.resource_forms import errors_of, kind_labels, quorum_choices
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE = "/admin/resource-types"
# (API field, label, hint)
FIELDS = (
    ("intervalSeconds", "Interval (seconds)", "Between two checks of a resource, 5 s to 1 day."),
    ("timeoutSeconds", "Timeout (seconds)", "Before a check is cut, 1 to 300."),
    ("parallelism", "Parallelism", "Checks of this kind running at once, 1 to 100."),
    ("outageThreshold", "Outage threshold", "Consecutive failures that open an outage, 1 to 100."),
    ("recoveryThreshold", "Recovery threshold", "Consecutive successes that close it, 1 to 100."),
)


def _current(runtime: Runtime) -> dict[str, dict[str, str]]:
    out = {}
    for kind, t in type_service.in_force(runtime.scheduler):
        out[kind] = {
            "intervalSeconds": str(t.interval_s),
            "timeoutSeconds": f"{t.timeout_s:g}",
            "parallelism": str(t.parallelism),
            "outageThreshold": str(t.outage_threshold),
            "recoveryThreshold": str(t.recovery_threshold),
            "quorum": t.quorum,
        }
    return out


def _page(request: Request, runtime: Runtime, typed: dict[str, dict[str, str]] | None = None, **ctx: Any) -> Response:
    values = {**_current(runtime), **(typed or {})}
    errors = ctx.pop("errors", {})
    return render(
        request,
        "admin/resource_types.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        fields=FIELDS,
        quorum_choices={kind: quorum_choices(v.get("quorum", ""), None) for kind, v in values.items()},
        kinds=kind_labels(),
        **ctx,
    )


@router.get("/admin/resource-types")
async def resource_types(request: Request, _: UserPage, runtime: RuntimeDep, saved: str = "") -> Response:
    return _page(request, runtime, saved=saved if saved in kind_names() else "")


@router.post("/admin/resource-types/{kind}")
async def save_type(
    request: Request, kind: str, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    parsed = kind.upper()
    if parsed not in kind_names():
        raise PageError(404, "There is no such resource type.")
    typed = {name: str(form.get(name, ""))[:32].strip() for name in [*(f[0] for f in FIELDS), "quorum"]}
    # The quorum select always sends a value; a form without one (an older page) keeps the stored policy.
    errors = {name: "This is required." for name, value in typed.items() if not value and name != "quorum"}
    try:
        body = ResourceTypeUpdate.model_validate({k: v for k, v in typed.items() if v})
    except ValidationError as exc:
        errors = {**errors_of(exc), **errors}
    if errors:
        return _page(request, runtime, {parsed: typed}, errors={parsed: errors})
    await type_service.update_one(session, runtime.scheduler, parsed, body)
    raise Redirect(f"{PAGE}?" + urlencode({"saved": parsed}))
