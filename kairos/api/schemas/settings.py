"""Site settings: the title and whether anonymous visitors see targets."""

from __future__ import annotations

from pydantic import Field

from kairos.api.schemas.common import ApiModel, PartialModel
from kairos.services.site import Title

_TITLE_DOC = "Shown in the page header, the tab title and the console (1 to 100 characters)."
_TARGETS_DOC = (
    "Show each resource's target (URL, host:port, image reference) to anonymous visitors; signed-in "
    "users always see them."
)


class SettingsPublic(ApiModel):
    title: str = Field(description=_TITLE_DOC)
    show_targets: bool = Field(description=_TARGETS_DOC)


class SettingsUpdate(PartialModel):
    title: Title | None = Field(None, description=_TITLE_DOC)
    show_targets: bool | None = Field(None, description=_TARGETS_DOC)
