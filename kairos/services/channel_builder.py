"""The channel builder's reads: which service a stored channel URL is, and its fields, for the console's edit
form. The URL is opened here, on the server; callers show only :func:`kairos.notify.services.shown` of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import NotificationChannel
from kairos.notify import channels, services
from kairos.services.notifications import CHANNEL
from kairos.services.rows import get_or_not_found

if TYPE_CHECKING:
    from kairos.runtime import Runtime


async def stored_fields(session: AsyncSession, runtime: Runtime, channel_id: int) -> tuple[str, dict[str, str]]:
    """The service of channel ``channel_id`` and its field values, secrets included (they are the values a
    blank secret field keeps): never pass them to a page as they are."""
    row = await get_or_not_found(session, NotificationChannel, channel_id, CHANNEL)
    return _recognised(runtime, row)


def _recognised(runtime: Runtime, row: NotificationChannel) -> tuple[str, dict[str, str]]:
    try:
        url = runtime.box.open(row.url_enc)
    except ValueError:  # the secret key changed: the form opens empty and a new URL replaces the old one
        return (services.WEBHOOK if row.kind == channels.WEBHOOK else services.RAW), {}
    return services.recognise(row.kind, url)


async def service_labels(session: AsyncSession, runtime: Runtime) -> dict[int, str]:
    """Each channel's service as the list shows it ("Telegram", "Advanced: Apprise URL")."""
    rows = (await session.execute(select(NotificationChannel))).scalars()
    out: dict[int, str] = {}
    for row in rows:
        key, _ = _recognised(runtime, row)
        out[row.id] = services.SERVICES[key].label
    return out
