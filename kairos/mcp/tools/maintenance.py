"""Maintenance windows: ``listMaintenanceWindows`` (STATUS_READ; what the caller may see, as the API) and
``createMaintenanceWindow`` / ``endMaintenanceWindow`` (RESOURCE_MANAGE), through the maintenance service, so the
rules, errors and the engine's reload are the API's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kairos.api.schemas.common import MAX_ID, Id, UtcDatetime
from kairos.api.schemas.maintenance import (
    Description,
    MaintenanceWindowCreate,
    MaintenanceWindowPublic,
    Schedule,
    StartTime,
    Title,
    Weekday,
    window_public,
)
from kairos.api.schemas.maintenance import Scope as Scope_
from kairos.auth.scopes import Scope
from kairos.mcp.context import current_caller
from kairos.runtime import Runtime
from kairos.services import maintenance
from kairos.services.site import ZoneName

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

WindowId = Annotated[int, Field(ge=1, le=MAX_ID, description="The window's id (from listMaintenanceWindows).")]
Upcoming = Annotated[bool, Field(description="true: only windows on now or starting within 7 days, those on first.")]


def register(server: KairosMCP, runtime: Runtime) -> None:
    @server.kairos_tool(Scope.STATUS_READ, read_only=True)
    async def listMaintenanceWindows(upcoming: Upcoming = False) -> list[MaintenanceWindowPublic]:
        """List maintenance windows (planned times when checks count for nothing) for what you may see."""
        caller = current_caller()
        now, manager = datetime.now(UTC), caller.has(Scope.RESOURCE_MANAGE)
        async with runtime.sessionmaker() as session:
            if upcoming:
                rows = await maintenance.active_and_upcoming(session, caller, now, manager=manager)
            else:
                rows = await maintenance.shown(
                    session, caller, await maintenance.list_all(session), now, manager=manager
                )
        return [window_public(s, caller.is_admin) for s in rows]

    @server.kairos_tool(Scope.RESOURCE_MANAGE, read_only=False)
    async def createMaintenanceWindow(
        title: Annotated[Title, Field(description="Shown on the dashboard, 1 to 200 characters.")],
        startsAt: Annotated[UtcDatetime, Field(description="ONCE: its start; recurring: no occurrence before it.")],
        endsAt: Annotated[
            UtcDatetime | None, Field(description="ONCE: its end (required); recurring: none from it.")
        ] = None,
        schedule: Schedule = "ONCE",
        weekdays: Annotated[list[Weekday], Field(description="WEEKLY: MON to SUN.")] = [],  # noqa: B006 (pydantic copies)
        startTime: Annotated[StartTime | None, Field(description="WEEKLY: local start time HH:MM.")] = None,
        durationMinutes: Annotated[int | None, Field(description="WEEKLY/CRON: minutes each lasts.")] = None,
        cron: Annotated[str | None, Field(description="CRON: five-field expression in the time zone.")] = None,
        timezone: Annotated[ZoneName, Field(description="IANA time zone of the recurring times.")] = "UTC",
        scope: Scope_ = "all",
        scopeIds: Annotated[list[Id], Field(description="Group or resource ids for scope groups/resources.")] = [],  # noqa: B006
        description: Annotated[Description, Field(description="Plain text shown with it.")] = "",
    ) -> MaintenanceWindowPublic:
        """Plan a maintenance window (ONCE, WEEKLY or CRON): checks are MAINTENANCE, no outage, no notification."""
        caller = current_caller()
        window = MaintenanceWindowCreate(
            title=title, description=description, schedule=schedule, starts_at=startsAt, ends_at=endsAt,
            weekdays=weekdays, start_time=startTime, duration_minutes=durationMinutes, cron=cron, timezone=timezone,
            scope=scope, scope_ids=scopeIds,
        )  # fmt: skip
        async with runtime.sessionmaker() as session:
            row = await maintenance.create(session, window, caller)
            await maintenance.changed(runtime)
            (shown,) = await maintenance.shown(session, caller, [row], datetime.now(UTC), manager=True)
        return window_public(shown, caller.is_admin)

    @server.kairos_tool(Scope.RESOURCE_MANAGE, read_only=False)
    async def endMaintenanceWindow(windowId: WindowId) -> MaintenanceWindowPublic:
        """End the maintenance window that is on now (a recurring one's later occurrences still come)."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            row = await maintenance.end_now(session, windowId)
            await maintenance.changed(runtime)
            (shown,) = await maintenance.shown(session, caller, [row], datetime.now(UTC), manager=True)
        return window_public(shown, caller.is_admin)
