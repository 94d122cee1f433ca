"""``/api/settings``: the site's title, whether targets are shown publicly, the display time zone and the
decimals of availability.

Reading is public: the title is on every page and whether targets are shown can be seen there too.
Writing needs an admin and takes effect at once (the cached copy every page reads is replaced)."""

from __future__ import annotations

from fastapi import APIRouter

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.schemas.settings import SettingsPublic, SettingsUpdate
from kairos.services.site import SiteSettings, apply_site

router = APIRouter(prefix="/api/settings", tags=["settings"])


def _public(site: SiteSettings) -> SettingsPublic:
    return SettingsPublic(
        title=site.title,
        show_targets=site.show_targets,
        time_zone=site.time_zone,
        availability_decimals=site.availability_decimals,
    )


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="Read the site settings",
    response_model=SettingsPublic,
    description="Public: the title, whether anonymous visitors see targets, the time zone and the decimals are "
    "visible on every page anyway.",
    responses=error_responses(401),
)
async def read_settings(runtime: RuntimeDep, _: CurrentCaller) -> SettingsPublic:
    return _public(runtime.site)


@router.put(
    "",
    summary="Edit the site settings",
    response_model=SettingsPublic,
    description="Needs an admin. Fields left out keep their value. Every page shows the change from the next "
    "request on, no restart.",
    responses=error_responses(400, 401, 403, 422),
)
async def update_settings(
    body: SettingsUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> SettingsPublic:
    changes = body.model_dump(exclude_unset=True, by_alias=False)
    site = runtime.site.model_copy(update=changes)
    return _public(await apply_site(runtime, session, site))
