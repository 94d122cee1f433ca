"""Target credentials matched by URL or registry pattern with ``*`` wildcards."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.crypto import SecretBox
from kairos.db.models import Credential as CredentialRow
from kairos.probes.base import Credential


@dataclass(frozen=True, slots=True)
class _Entry:
    id: int
    pattern: str
    regex: re.Pattern[str]
    credential: Credential


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE)


def _strip_scheme(value: str) -> str:
    return value.split("://", 1)[1] if "://" in value else value


class CredentialStore:
    """In-memory, decrypted view of the credential table, reloaded after every change.

    The most specific pattern (the longest one) wins when several match."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], box: SecretBox) -> None:
        self._sessionmaker = sessionmaker
        self._box = box
        self._entries: list[_Entry] = []
        self._by_id: dict[int, Credential] = {}

    async def reload(self) -> None:
        async with self._sessionmaker() as session:
            rows = (await session.execute(select(CredentialRow))).scalars().all()
        entries = []
        for row in rows:
            try:
                secret = self._box.open(row.secret_enc)
            except ValueError:
                continue
            entries.append(_Entry(row.id, row.pattern, _compile(row.pattern), Credential(row.username, secret)))
        self._entries = sorted(entries, key=lambda e: len(e.pattern), reverse=True)
        self._by_id = {e.id: e.credential for e in entries}

    def for_resource(self, target: str, credential_id: int | None) -> Credential | None:
        """The resource's own credentials when it names some, else those matched by pattern."""
        if credential_id is not None:
            return self._by_id.get(credential_id)
        return self.match(target)

    def match(self, target: str) -> Credential | None:
        """Credentials for ``target``; a pattern without a scheme also matches any scheme."""
        bare = _strip_scheme(target)
        for entry in self._entries:
            subject = target if "://" in entry.pattern else bare
            if entry.regex.fullmatch(subject):
                return entry.credential
        return None
