"""Site-wide settings an admin edits in the console (title, whether targets are shown publicly).

Kept in the ``setting`` table and cached on the runtime: every page reads them, few requests change them.
``apply_site`` is the one way to change them: it saves the row and replaces the cached copy at once."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Setting

_KEY = "site"


def _title(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    # The title goes into the header, the tab and the badges: no control characters (newlines included).
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters")
    return value


Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_title)]


class SiteSettings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    title: Title = Field("Kairos", description="Shown in the header and tab title (1 to 100 characters).")
    show_targets: bool = Field(
        True, description="Show each resource's target (URL, host:port, image) to anonymous visitors."
    )


async def load_site(session: AsyncSession) -> SiteSettings:
    row = (await session.execute(select(Setting).where(Setting.key == _KEY))).scalar_one_or_none()
    if row is None or not isinstance(row.value, dict):
        return SiteSettings()
    try:
        return SiteSettings.model_validate(row.value)
    except ValueError:
        return SiteSettings()  # a hand-edited row must not take the pages down


async def save_site(session: AsyncSession, site: SiteSettings) -> None:
    row = await session.get(Setting, _KEY)
    value = site.model_dump(by_alias=True)
    if row is None:
        session.add(Setting(key=_KEY, value=value))
    else:
        row.value = value
    await session.commit()


class SiteHolder(Protocol):
    """Whoever keeps the copy every page reads (the runtime)."""

    site: SiteSettings


async def apply_site(holder: SiteHolder, session: AsyncSession, site: SiteSettings) -> SiteSettings:
    """Saves ``site`` and makes it the copy every page reads, from the next request on."""
    await save_site(session, site)
    holder.site = site
    return site
