"""The ``name_key`` column of named rows: :func:`kairos.naming.natural_key` of the name, kept by the model.

The ORM sets it whenever ``name`` is set (``@validates`` on the model), and a Core ``insert()`` that gives a
name but no key gets it from the column's default, so every writer (API, console, config as code, discovery,
MCP, benches) stores it without knowing about it. Compared byte by byte on PostgreSQL (``COLLATE "C"``): the
key is the order; a database locale that skips punctuation or folds case again must not reorder it."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import MappedColumn, mapped_column

from kairos.naming import KEY_LENGTH, natural_key

NameKeyType = String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")


def _key_of_inserted_name(context: ExecutionContext) -> str:
    params = context.get_current_parameters()  # type: ignore[attr-defined]
    return natural_key(str(params.get("name") or ""))


def name_key_column() -> MappedColumn[str]:
    """The column; ``index=True`` serves the lists ordered by name (``ORDER BY name_key, id``) and their pages."""
    return mapped_column(NameKeyType, default=_key_of_inserted_name, server_default="", index=True)
