"""Resource groups: a name, a visibility and a display order; the ordered members of a group."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kairos.api.schemas.common import ApiModel, DisplayOrder, Id, InputModel, Name, PartialModel

Visibility = Literal["PUBLIC", "AUTHENTICATED", "HIDDEN"]
_VISIBILITY_DOC = (
    "PUBLIC: anyone sees it; AUTHENTICATED: any signed-in user or API key; HIDDEN: admins only (ADMIN users "
    "and keys). A resource takes its most permissive group; a resource in no group is public (docs/access.md)."
)
# A board of a few thousand resources fits; the cap keeps one request from being unbounded.
MAX_LIST = 10_000


class GroupCreate(InputModel):
    name: Name
    visibility: Visibility = Field("PUBLIC", description=_VISIBILITY_DOC)
    display_order: DisplayOrder | None = Field(None, description="Lower comes first; left out: after the last group.")


class GroupUpdate(PartialModel):
    name: Name | None = None
    visibility: Visibility | None = Field(None, description=_VISIBILITY_DOC)
    display_order: DisplayOrder | None = None


class GroupPublic(ApiModel):
    id: int
    name: str
    display_order: int
    visibility: str


class GroupOrder(InputModel):
    group_ids: list[Id] = Field(max_length=MAX_LIST, description="Every group's id exactly once, first shown first.")


class MemberOrder(InputModel):
    resource_ids: list[Id] = Field(
        max_length=MAX_LIST,
        description="The group's members, first shown first. Listed resources become members; members not "
        "listed leave the group (they stay in their other groups). `[]` empties the group.",
    )


class GroupMemberPublic(ApiModel):
    id: int = Field(description="The resource's id.")
    name: str
    resource_type: str
    active: bool
    display_order: int = Field(description="Position in this group, 0 first.")
