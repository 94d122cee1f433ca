"""Resource groups: a name, a visibility and a display order."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kairos.api.schemas.common import ApiModel, DisplayOrder, InputModel, Name, PartialModel

Visibility = Literal["PUBLIC", "AUTHENTICATED", "HIDDEN"]
_VISIBILITY_DOC = (
    "PUBLIC: anyone sees it; AUTHENTICATED: only callers with credentials; HIDDEN: not on "
    "the public dashboard, only authenticated callers see it through the API."
)


class GroupCreate(InputModel):
    name: Name
    visibility: Visibility = Field("PUBLIC", description=_VISIBILITY_DOC)
    display_order: DisplayOrder = 0


class GroupUpdate(PartialModel):
    name: Name | None = None
    visibility: Visibility | None = Field(None, description=_VISIBILITY_DOC)
    display_order: DisplayOrder | None = None


class GroupPublic(ApiModel):
    id: int
    name: str
    display_order: int
    visibility: str
