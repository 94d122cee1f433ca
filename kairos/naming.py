"""Natural order of names: ``k-2`` before ``k-10``, ``Web`` beside ``web``, ``Été`` beside ``ete``.

Lists are paged in SQL on SQLite and PostgreSQL alike, so the order cannot be a Python ``key=`` function: each
named row stores :func:`natural_key` of its name (the ``name_key`` column, kept by the models) and lists order
by that column, compared byte by byte (PostgreSQL: ``COLLATE "C"``, so a database's locale changes nothing).

The key: compatibility decomposition (NFKD: ``é`` → ``e`` + accent, fullwidth digits → ASCII), accents dropped,
case folded, and every run of digits written with its leading zeros removed and padded to :data:`DIGITS`
places, so numbers compare by value. It is cut at :data:`KEY_LENGTH` characters: an index entry stays small
(PostgreSQL refuses B-tree entries over about 2.7 kB) and nobody tells names apart after 500 characters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

DIGITS = 20  # 10^20 > 2^64: every number a name is likely to carry
KEY_LENGTH = 500  # characters of key kept; at most 4 bytes each in UTF-8
_DIGIT_RUN = re.compile(r"[0-9]+")  # ASCII only: NFKD already turned other digit forms into these

T = TypeVar("T")


def _padded(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0") or "0"
    # A run longer than DIGITS stays whole: it still sorts after every shorter (padded) number.
    return digits.rjust(DIGITS, "0")


def natural_key(name: str) -> str:
    """The sort key stored beside a name (see the module's docstring)."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _DIGIT_RUN.sub(_padded, folded)[:KEY_LENGTH]


def natural_sorted(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` in the natural order of their names (ties keep their order): for short lists kept in Python."""
    return sorted(items, key=lambda item: natural_key(name(item)))
