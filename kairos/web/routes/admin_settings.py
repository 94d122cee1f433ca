"""``/admin/settings``: the site title, whether anonymous visitors see targets, the time zone pages show times in
and the decimals of availability."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.services.site import SiteSettings, apply_site, zone_names
from kairos.web.deps import AdminPage, CheckedForm, Redirect
from kairos.web.display import percent
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

_FIELDS = {"showTargets": "show_targets", "timeZone": "time_zone", "availabilityDecimals": "availability_decimals"}
_EXAMPLE = 99.95678  # what each choice of decimals makes of one availability


def _page(request: Request, code: int, values: dict[str, object], errors: dict[str, str], saved: bool) -> Response:
    choices = [(n, percent(_EXAMPLE, n)) for n in range(5)]
    return render(
        request,
        "admin/settings.html",
        code,
        values=values,
        errors=errors,
        saved=saved,
        zones=zone_names(),
        decimal_choices=choices,
    )


@router.get("/admin/settings")
async def settings_page(request: Request, _: AdminPage, runtime: RuntimeDep, saved: int = 0) -> Response:
    site = runtime.site
    values: dict[str, object] = {
        "title": site.title,
        "show_targets": site.show_targets,
        "time_zone": site.time_zone,
        "availability_decimals": str(site.availability_decimals),
    }
    return _page(request, 200, values, {}, bool(saved))


@router.post("/admin/settings")
async def save_settings(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    # A checkbox that is not ticked is not sent at all. Fields an older form does not send keep their value.
    values: dict[str, object] = {
        "title": str(form.get("title", ""))[:1000],
        "show_targets": form.get("show_targets") == "on",
        "time_zone": str(form.get("time_zone", runtime.site.time_zone))[:200],
        "availability_decimals": str(form.get("availability_decimals", runtime.site.availability_decimals))[:20],
    }
    try:
        site = SiteSettings.model_validate(values)
    except ValidationError as exc:
        return _page(request, 422, values, form_problems(exc, _FIELDS), False)
    await apply_site(runtime, session, site)
    raise Redirect("/admin/settings?saved=1")
