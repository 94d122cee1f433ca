"""The catalog of one project, for registries that refuse the global ``/v2/_catalog``.

Harbor, GitLab and others answer 401, 403 or 404 to the global catalog (it would reveal every project) but
serve ``/v2/<project>/_catalog`` with the same ``n``/``Link`` paging and the ``registry:catalog:*`` scope.
Some return full repository names there (``team/app``), others names relative to the project (``app``).
"""

from __future__ import annotations

from urllib.parse import quote

REFUSALS = frozenset({401, 403, 404})


def refused(status: int | None) -> bool:
    """Whether a catalog answer means "not here, not for you" rather than a broken registry."""
    return status in REFUSALS


def project_of(prefix_path: str) -> str | None:
    """The first path segment of the prefix (``team`` of ``team/sub``), or None for a whole registry."""
    project = prefix_path.partition("/")[0]
    return project or None


def project_catalog_path(project: str, page_size: int) -> str:
    return f"/v2/{quote(project, safe='')}/_catalog?n={page_size}"


def full_names(project: str, names: list[str]) -> list[str]:
    """Repository names as the rest of the Distribution API knows them: with the project in front."""
    return [name if name.startswith(f"{project}/") else f"{project}/{name}" for name in names]
