"""Announcements: a kind, Markdown content, and whether (and until when) it shows on the status pages."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, InputModel, PartialModel, UtcDatetime

MAX_CONTENT = 20_000

_KIND_DOC = "INFORMATION, WARNING or PROBLEM (any case in, upper case out)."
_CONTENT_DOC = (
    "Markdown (CommonMark with tables and strikethrough; HTML allowed), 1 to 20000 characters. "
    "It is shown only after sanitising: see `contentHtml`."
)
_UNTIL_DOC = (
    "ISO 8601 date and time with a zone (`2026-05-01T18:00:00Z`); after it the announcement stops showing "
    "by itself. Null: until switched off."
)


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _text(value: str) -> str:
    """Line breaks and tabs are part of Markdown; other control characters (NUL breaks PostgreSQL) are not."""
    if not value.strip():
        raise ValueError("must not be blank")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


Kind = Annotated[Literal["INFORMATION", "WARNING", "PROBLEM"], BeforeValidator(_upper), Field(description=_KIND_DOC)]
Content = Annotated[
    str, StringConstraints(max_length=MAX_CONTENT), AfterValidator(_text), Field(description=_CONTENT_DOC)
]
ActiveUntil = Annotated[UtcDatetime | None, Field(description=_UNTIL_DOC)]


class _EchoedFields(InputModel):
    """What an answer holds but a request cannot set. Accepted and ignored, so that a client may GET an
    announcement, change a field and PUT the whole object back (as clients of the Java Kairos do)."""

    id: Any = Field(None, description="Ignored (read-only).")
    content_html: Any = Field(None, description="Ignored (read-only).")
    created_by: Any = Field(None, description="Ignored (read-only).")
    created_at: Any = Field(None, description="Ignored (read-only).")
    updated_at: Any = Field(None, description="Ignored (read-only).")


class AnnouncementCreate(_EchoedFields):
    kind: Kind = "INFORMATION"
    content: Content
    active: bool = Field(True, description="Off: kept, but not shown.")
    active_until: ActiveUntil = None


class AnnouncementUpdate(PartialModel, _EchoedFields):
    """A field left out keeps its value; ``activeUntil: null`` removes the end."""

    nullable = frozenset({"active_until", "id", "content_html", "created_by", "created_at", "updated_at"})

    kind: Kind | None = None
    content: Content | None = None
    active: bool | None = None
    active_until: ActiveUntil = None


class AnnouncementPreview(InputModel):
    content: Annotated[str, StringConstraints(max_length=MAX_CONTENT)] = Field(
        description="Markdown as in `content`; may be empty."
    )


class AnnouncementPreviewed(ApiModel):
    content_html: str = Field(description="The sanitised rendering, exactly as the pages would show it.")


class AnnouncementPublic(ApiModel):
    id: int
    kind: str = Field(description="INFORMATION, WARNING or PROBLEM.")
    content: str = Field(description="What the author wrote (Markdown). Never put it on a page as HTML.")
    content_html: str = Field(description="`content` rendered and sanitised: safe to insert into a page.")
    active: bool = Field(description="The switch; it shows only while also before `activeUntil`.")
    active_until: datetime | None
    created_by: str | None = Field(
        description="Email of the user; for an API key, its creator's email, or `api-key:<name>` when no "
        "user created it. Shown to admins only: null for everyone else."
    )
    created_at: datetime
    updated_at: datetime
