"""``/admin/settings``: the site title and whether anonymous visitors see targets.

Also home of ``form_problems``, which the console's form pages share to show a model's validation errors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.services.site import SiteSettings, apply_site
from kairos.web.deps import AdminPage, CheckedForm, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/settings")
async def settings_page(request: Request, _: AdminPage, runtime: RuntimeDep, saved: int = 0) -> Response:
    site = runtime.site
    values = {"title": site.title, "show_targets": site.show_targets}
    return render(request, "admin/settings.html", values=values, errors={}, saved=bool(saved))


@router.post("/admin/settings")
async def save_settings(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    # A checkbox that is not ticked is not sent at all.
    values = {"title": str(form.get("title", ""))[:1000], "show_targets": form.get("show_targets") == "on"}
    try:
        site = SiteSettings.model_validate(values)
    except ValidationError as exc:
        errors = form_problems(exc, {"showTargets": "show_targets"})
        return render(request, "admin/settings.html", 422, values=values, errors=errors, saved=False)
    await apply_site(runtime, session, site)
    raise Redirect("/admin/settings?saved=1")
