"""Status pages: slug, title, description (Markdown), the groups shown (in order), linked announcements,
an optional custom domain, and whether a logo was uploaded (the image itself goes through its own endpoint)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from kairos.api.schemas.announcements import MAX_CONTENT
from kairos.api.schemas.common import ApiModel, Id, InputModel, Name, PartialModel

MAX_GROUPS = 100
MAX_ANNOUNCEMENTS = 100
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError("must be 1 to 64 lower-case letters, digits or '-', not starting or ending with '-'")
    return value


def _domain(value: str) -> str:
    """A DNS name with at least two labels; no IP literal (it would shadow the dashboard for every visitor by
    address), no ``localhost`` (the name the first run answers to), no port, no wildcard."""
    name = value.rstrip(".")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise ValueError("must be a host name, not an IP address")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError("must be a host name such as status.example.com (no scheme, port or path)")
    if labels[-1] == "localhost" or labels[-1].isdigit():
        raise ValueError("must be a public host name, not localhost")
    return name


def _no_repeats(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValueError("must not list an id twice")
    return ids


Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=64),
    AfterValidator(_slug),
    Field(description="The page's address: `/status/{slug}`. Lower-case letters, digits and `-`."),
]
Domain = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254),
    AfterValidator(_domain),
    Field(
        description="Custom domain: a request whose Host is this name gets the page at `/`, and the name is "
        "allowed by the Host check by itself. Null: none."
    ),
]
Description = Annotated[
    str,
    StringConstraints(max_length=MAX_CONTENT),
    Field(description="Markdown, sanitised like an announcement's (see `descriptionHtml`); may be empty."),
]
GroupIds = Annotated[
    list[Id],
    Field(max_length=MAX_GROUPS, description="The groups shown, first shown first."),
    AfterValidator(_no_repeats),
]
AnnouncementIds = Annotated[
    list[Id],
    Field(max_length=MAX_ANNOUNCEMENTS, description="Announcements shown on this page (while they are showing)."),
    AfterValidator(_no_repeats),
]


class StatusPageCreate(InputModel):
    slug: Slug
    title: Name
    description: Description = ""
    domain: Domain | None = None
    group_ids: GroupIds = Field(default_factory=list)
    announcement_ids: AnnouncementIds = Field(default_factory=list)


class StatusPageUpdate(PartialModel):
    nullable = frozenset({"domain"})

    slug: Slug | None = None
    title: Name | None = None
    description: Description | None = None
    domain: Domain | None = None
    group_ids: GroupIds | None = None
    announcement_ids: AnnouncementIds | None = None


class StatusPagePublic(ApiModel):
    id: int
    slug: str
    title: str
    description: str = Field(description="What the author wrote (Markdown).")
    description_html: str = Field(description="`description` rendered and sanitised: safe to insert into a page.")
    domain: str | None
    group_ids: list[int] = Field(description="The groups shown, in order.")
    announcement_ids: list[int]
    url: str = Field(description="The page's path, `/status/{slug}`.")
    logo_url: str | None = Field(description="The uploaded logo's path; null when there is none.")
    created_at: datetime
    updated_at: datetime
