"""API keys: shown once at creation, stored as a hash, carrying scopes (kairos.auth.scopes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from kairos.api.schemas.common import ApiModel, InputModel, Name
from kairos.auth.scopes import Scope

Role = Literal["ADMIN", "READ"]
_ROLE_DOC = (
    "A preset of scopes, kept from before scopes existed: ADMIN = [ADMIN], READ = [STATUS_READ]. "
    "Send either `role` or `scopes`; with neither the key is ADMIN."
)
_SCOPES_DOC = (
    "What the key may do: STATUS_READ (read what needs sign-in), CHECK_EXECUTE (check now, instant checks), "
    "RESOURCE_MANAGE (resources and groups), ANNOUNCEMENT_MANAGE, MCP_ACCESS (the MCP server at /mcp), "
    "ADMIN (everything)."
)


class ApiKeyCreate(InputModel):
    name: Name
    role: Role | None = Field(None, description=_ROLE_DOC)
    scopes: list[Scope] | None = Field(None, min_length=1, max_length=len(Scope), description=_SCOPES_DOC)

    @model_validator(mode="after")
    def _one_of(self) -> ApiKeyCreate:
        if self.role is not None and self.scopes is not None:
            raise ValueError("send either role (a preset) or scopes, not both")
        return self


class ApiKeyCreated(ApiModel):
    id: int
    name: str
    key: str = Field(description="The key itself. Shown only in this answer: store it now.")
    prefix: str
    role: str = Field(description="ADMIN or READ when the scopes are exactly that preset, else CUSTOM.")
    scopes: list[Scope]
    created_at: datetime


class ApiKeyPublic(ApiModel):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    role: str = Field(description="ADMIN or READ when the scopes are exactly that preset, else CUSTOM.")
    scopes: list[Scope]
    created_by: int | None = Field(description="Id of the user who created it (null: the CLI, or a deleted user).")
    created_by_email: str | None = Field(description="Email of the user who created it (null as for `createdBy`).")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked: bool
