"""Bodies of the actions on resources beyond one CRUD call: a bulk action on a selection, and a clone."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from kairos.api.schemas.common import ApiModel, Id, InputModel, Name
from kairos.api.schemas.tags import TagIn
from kairos.services.resource_bulk import MAX_IDS, Action

_ACTION_DOC = (
    "`pause` and `resume` (stop or restart checking; history stays), `delete` (with history and outages), "
    "`move` (into `groupId` only, out of every other group), `add_to_group`, `remove_from_group`, `tag` (set "
    "`tag.key` to `tag.value`, replacing that key's value) and `untag` (take exactly that key:value off)."
)


class ResourceBulk(InputModel):
    action: Action = Field(description=_ACTION_DOC)
    resource_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_IDS)] = Field(
        description=f"The resources to act on, 1 to {MAX_IDS}; one unknown id refuses the whole request."
    )
    group_id: Id | None = Field(None, description="The group of `move`, `add_to_group`, `remove_from_group`.")
    tag: TagIn | None = Field(None, description="The tag of `tag` and `untag`.")


class BulkResult(ApiModel):
    action: str
    changed: list[int] = Field(description="Resources that still exist and were changed.")
    deleted: list[int] = Field(description="Resources deleted.")


class ResourceClone(InputModel):
    name: Name | None = Field(None, description="The copy's name; default: the source's name with “ (copy)”.")
    active: bool = Field(
        False, description="Checked at once when true; by default the copy waits, paused, for its edits."
    )
