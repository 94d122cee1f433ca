"""Site settings: the title, whether anonymous visitors see targets, the display time zone and the number of
decimals availability shows."""

from __future__ import annotations

from pydantic import Field

from kairos.api.schemas.common import ApiModel, PartialModel
from kairos.services.site import Decimals, Title, ZoneName

_TITLE_DOC = "Shown in the page header, the tab title and the console (1 to 100 characters)."
_TARGETS_DOC = (
    "Show each resource's target (URL, host:port, image reference) to anonymous visitors; signed-in "
    "users always see them."
)
_ZONE_DOC = (
    "IANA time zone name (e.g. Europe/Berlin) the pages and the console show times in, with the zone's "
    "abbreviation or offset beside each time. Stored data, the API and exports stay in UTC."
)
_DECIMALS_DOC = (
    "Decimals the pages, badges and embeds show for availability, 0 to 4. The API always returns full precision."
)


class SettingsPublic(ApiModel):
    title: str = Field(description=_TITLE_DOC)
    show_targets: bool = Field(description=_TARGETS_DOC)
    time_zone: str = Field(description=_ZONE_DOC, examples=["Europe/Berlin"])
    availability_decimals: int = Field(description=_DECIMALS_DOC, examples=[2])


class SettingsUpdate(PartialModel):
    title: Title | None = Field(None, description=_TITLE_DOC)
    show_targets: bool | None = Field(None, description=_TARGETS_DOC)
    time_zone: ZoneName | None = Field(None, description=_ZONE_DOC, examples=["Europe/Berlin"])
    availability_decimals: Decimals | None = Field(None, description=_DECIMALS_DOC, examples=[2])
