"""The console resource list's address: its filters, sort, page and page size, read from and written to the query
string, so a list can be bookmarked and the back button returns to it. The bulk form carries the filter part
(``filter``) so that "all matching" is evaluated again on the server when the action is confirmed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from kairos.errors import DomainError
from kairos.probes.kinds import kind_names
from kairos.services import tags
from kairos.services.resource_listing import SORTS, Listing
from kairos.web.deps import safe_next

LIST = "/admin/resources"
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_SIZE = 50
STATUSES = (
    ("available", "Available"), ("not-available", "Not available"), ("unknown", "Unknown"),
    ("maintenance", "Maintenance"),
)  # fmt: skip
SORT_LABELS = {"name": "Name", "order": "Display order", "status": "Problems first"}
FILTER_KEYS = ("q", "kind", "status", "group", "enabled", "tag")
_NOTICES = ("checked", "created", "updated", "deleted", "bulk", "n")
_RESOURCE_PAGE = re.compile(r"/resources/[0-9]{1,10}")
_DIGITS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The list's state as the address spells it; :meth:`parse` keeps only values that make sense."""

    q: str = ""
    kind: str = ""
    status: str = ""
    group: str = ""
    enabled: str = ""  # "yes", "no" or "" (all)
    tag: str = ""  # "key:value" (docs/tags.md)
    sort: str = "name"
    size: int = DEFAULT_SIZE
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def active(self) -> bool:
        return any(getattr(self, k) for k in FILTER_KEYS)

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ListQuery:
        """Each value that cannot be used is left out, and the page says so (a bookmark with an old kind still
        opens the list): never an error page for a query string."""
        problems: list[str] = []
        value = {k: str(params.get(k, "") or "").strip()[:200] for k in (*FILTER_KEYS, "sort", "size", "page")}
        kind = value["kind"].upper()
        if kind and kind not in kind_names():
            problems.append(f"There is no kind “{value['kind'][:40]}”: the kind filter was left out.")
            kind = ""
        status = value["status"]
        if status and status not in dict(STATUSES):
            problems.append(f"There is no status “{status[:40]}”: the status filter was left out.")
            status = ""
        group = value["group"]
        if group and not _DIGITS.fullmatch(group):
            problems.append("The group filter is a group's number: it was left out.")
            group = ""
        enabled = value["enabled"] if value["enabled"] in ("yes", "no") else ""
        tag = value["tag"]
        if tag:
            try:
                tags.parse_filter(tag)
            except DomainError:
                problems.append("A tag filter is key:value, e.g. team:payments: it was left out.")
                tag = ""
        sort = value["sort"] or "name"
        if sort not in SORTS:
            problems.append(f"The list cannot be sorted by “{sort[:40]}”: it is sorted by name.")
            sort = "name"
        size = _number(value["size"], DEFAULT_SIZE)
        if size not in PAGE_SIZES:
            problems.append(f"A page shows 25, 50, 100 or 200 resources: it shows {DEFAULT_SIZE}.")
            size = DEFAULT_SIZE
        page = _number(value["page"], 1)
        return cls(value["q"], kind, status, group, enabled, tag, sort, size, max(page, 1), tuple(problems))

    def listing(self) -> Listing:
        """What the service lists (every value was checked by :meth:`parse`)."""
        return Listing(
            q=self.q,
            kind=self.kind,
            status=self.status,
            group=int(self.group) if self.group else None,
            enabled=None if not self.enabled else self.enabled == "yes",
            tag=tags.parse_filter(self.tag) if self.tag else None,
            sort=self.sort,
        )

    def filter_string(self) -> str:
        """The filter alone (no sort or page), as the bulk form sends it for "all matching"."""
        return urlencode([(k, getattr(self, k)) for k in FILTER_KEYS if getattr(self, k)])

    def url(self, **changes: Any) -> str:
        """The list's address with ``changes``; defaults are left out, so addresses stay short."""
        state = replace(self, **changes)
        query = [(k, getattr(state, k)) for k in FILTER_KEYS if getattr(state, k)]
        defaults = {"sort": "name", "size": DEFAULT_SIZE, "page": 1}
        query += [(k, getattr(state, k)) for k, default in defaults.items() if getattr(state, k) != default]
        return LIST + ("?" + urlencode(query) if query else "")

    def describe(self, group_names: Mapping[str, str]) -> str:
        """The filter in words, for the confirmation of an action on everything matching it."""
        parts = [f"name or target contains “{self.q}”"] if self.q else []
        parts += [f"kind {self.kind}"] if self.kind else []
        parts += [f"status {dict(STATUSES)[self.status].lower()}"] if self.status else []
        parts += [f"in group {group_names.get(self.group, '#' + self.group)}"] if self.group else []
        parts += [{"yes": "enabled", "no": "disabled"}[self.enabled]] if self.enabled else []
        parts += [f"tagged {self.tag}"] if self.tag else []
        return ", ".join(parts) if parts else "every resource"


def from_filter_string(text: str) -> ListQuery:
    """The bulk form's ``filter`` field back into a query (only the filter keys count)."""
    pairs = dict(parse_qsl(text[:2000]))
    return ListQuery.parse({k: v for k, v in pairs.items() if k in FILTER_KEYS})


def _number(text: str, default: int) -> int:
    return int(text) if _DIGITS.fullmatch(text) and len(text) <= 6 else default


def back_to_list(form: Any, **notice: Any) -> str:
    """The list as the form's page showed it (its filters, sort and page), with this action's notice instead of
    older ones; the public resource page's admin actions return there (it shows the fresh state)."""
    target = safe_next(str(form.get("back", "") or ""), LIST)
    parts = urlsplit(target)
    if _RESOURCE_PAGE.fullmatch(parts.path):
        return parts.path
    if parts.path != LIST:
        return LIST + "?" + urlencode(notice) if notice else LIST
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in _NOTICES] + list(notice.items())
    return LIST + ("?" + urlencode(query) if query else "")
