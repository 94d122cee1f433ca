"""Artifactory: prefixes ``host/artifactory/<repoKey>[/path]`` are listed through JFrog's Docker REST API.

Artifactory serves the catalog of one Docker repository at ``/artifactory/api/docker/<repoKey>/v2/_catalog``
(``n`` and ``last`` paging, names relative to the repository) and its tags at
``/artifactory/api/docker/<repoKey>/v2/<image>/tags/list`` (JFrog REST API, "List Docker Repositories" and
"List Docker Tags"). The images found are named the way Docker pulls them with Artifactory's repository path
method, ``host/<repoKey>/<image>:<tag>``, which is what the image check then asks for (``/v2/<repoKey>/<image>/…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kairos.registry.listing_options import Prefix

CONTEXT = "artifactory"


@dataclass(frozen=True, slots=True)
class Artifactory:
    repo_key: str
    below: Prefix  # the path under the repository, for the scope check (``""`` for all of it)

    @property
    def api_root(self) -> str:
        """Prepended to ``/v2/…`` paths: the REST API of this Docker repository."""
        return f"/{CONTEXT}/api/docker/{quote(self.repo_key, safe='')}"

    def image(self, repository: str) -> str:
        """The repository as Docker pulls it (repository path method): ``<repoKey>/<image>``."""
        return f"{self.repo_key}/{repository}"


def artifactory_of(prefix: Prefix) -> Artifactory | None:
    """The Artifactory repository a prefix names (``host/artifactory/<repoKey>[/path]``), or None."""
    context, _, rest = prefix.path.partition("/")
    if context != CONTEXT or not rest:
        return None
    repo_key, _, below = rest.partition("/")
    return Artifactory(repo_key, Prefix(prefix.registry, below))


def next_by_last(path: str, names: list[str], page_size: int) -> str | None:
    """Artifactory pages with ``n`` and ``last`` and may send no ``Link``: a full page asks for the next one."""
    if len(names) < page_size or not names:
        return None
    base = path.partition("?")[0]
    return f"{base}?n={page_size}&last={quote(names[-1], safe='')}"
