"""Site-wide settings an admin edits in the console (title, whether targets are shown publicly).

Kept in the ``setting`` table and cached on the runtime: every page reads them, few requests change them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Setting

_KEY = "site"


class SiteSettings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    title: str = Field("Kairos", min_length=1, max_length=100, description="Shown in the header and tab title.")
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
