"""Basic credentials for targets, matched by URL or registry pattern. The secret is write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kairos.api.schemas.common import ApiModel, Description, InputModel, Name, PartialModel, Pattern, Username

_PATTERN_DOC = (
    "URL or registry pattern with `*` wildcards, e.g. `https://intranet.example.com/*`; "
    "without a scheme it matches any scheme. The longest matching pattern wins."
)
# Stored encrypted; never trimmed (spaces may be part of it), never returned.
Secret = Annotated[str, StringConstraints(max_length=4096)]
_SECRET_DOC = "Write-only: stored encrypted, never returned by the API."


class CredentialCreate(InputModel):
    name: Name
    pattern: Pattern = Field(description=_PATTERN_DOC)
    username: Username
    password: Secret = Field(description=_SECRET_DOC)
    description: Description | None = None


class CredentialUpdate(PartialModel):
    nullable = frozenset({"description"})

    name: Name | None = None
    pattern: Pattern | None = Field(None, description=_PATTERN_DOC)
    username: Username | None = None
    password: Secret | None = Field(None, description=_SECRET_DOC + " Missing keeps the current one.")
    description: Description | None = None


class CredentialPublic(ApiModel):
    id: int
    name: str
    pattern: str
    username: str
    description: str | None
    created_at: datetime
