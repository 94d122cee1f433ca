"""API keys: shown once at creation, stored as a hash."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from kairos.api.schemas.common import ApiModel, InputModel, Name

Role = Literal["ADMIN", "READ"]
_ROLE_DOC = "ADMIN may write; READ may read what needs authentication (history, outages) but not write."


class ApiKeyCreate(InputModel):
    name: Name
    role: Role = Field("ADMIN", description=_ROLE_DOC)


class ApiKeyCreated(ApiModel):
    id: int
    name: str
    key: str = Field(description="The key itself. Shown only in this answer: store it now.")
    prefix: str
    role: str
    created_at: datetime


class ApiKeyPublic(ApiModel):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    role: str
    created_by: int | None = Field(description="Id of the user who created it (null: the CLI, or a deleted user).")
    created_by_email: str | None = Field(description="Email of the user who created it (null as for `createdBy`).")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked: bool
