"""Site-wide settings an admin edits in the console (title, whether targets are shown publicly, the time zone
pages show times in, how many decimals availability shows).

Kept in the ``setting`` table and cached on the runtime: every page reads them, few requests change them.
``apply_site`` is the one way to change them: it saves the row and replaces the cached copy at once."""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from datetime import UTC, tzinfo
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
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

# "localtime" is whatever the host is set to and "Factory" has no offset meaning: neither says what a reader sees.
_NOT_ZONES = frozenset({"localtime", "Factory"})


@functools.cache
def _zones() -> dict[str, str]:
    """Every IANA name the system's tz database knows, by its lower-case spelling (for a "did you mean")."""
    names = (zoneinfo.available_timezones() - _NOT_ZONES) | {"UTC"}
    return {name.lower(): name for name in names}


def _zone_name(value: str) -> str:
    known = _zones()
    if value in known.values():
        return value
    hint = known.get(value.lower())
    if hint:
        raise ValueError(f"unknown time zone {value!r}: names are case-sensitive, did you mean {hint}?")
    raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Europe/Berlin or UTC")


ZoneName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_zone_name)]
Decimals = Annotated[int, Field(ge=0, le=4)]


def zone_names() -> list[str]:
    """Every accepted name, sorted (the console offers them as suggestions)."""
    return sorted(_zones().values())


def zone_of(name: str) -> tzinfo:
    """The tzinfo of a validated name; UTC needs no tz database (a slim host may have none)."""
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


class SiteSettings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    title: Title = Field("Kairos", description="Shown in the header and tab title (1 to 100 characters).")
    show_targets: bool = Field(
        True, description="Show each resource's target (URL, host:port, image) to anonymous visitors."
    )
    time_zone: ZoneName = Field(
        "UTC", description="IANA time zone pages and the console show times in; data and the API stay in UTC."
    )
    availability_decimals: Decimals = Field(2, description="Decimals pages and badges show for availability (0-4).")

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.time_zone)


async def load_site(session: AsyncSession) -> SiteSettings:
    row = (await session.execute(select(Setting).where(Setting.key == _KEY))).scalar_one_or_none()
    if row is None or not isinstance(row.value, dict):
        return SiteSettings()
    try:
        return SiteSettings.model_validate(row.value)
    except ValidationError as exc:
        # A hand-edited row, or a zone the host's tz database no longer has, must not take the pages down,
        # nor cost the fields that are still good: those that fail fall back to their defaults.
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        kept = {key: value for key, value in row.value.items() if key not in bad}
        try:
            return SiteSettings.model_validate(kept)
        except ValidationError:
            return SiteSettings()


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
