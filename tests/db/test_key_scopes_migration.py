"""Migration 0010: API keys made before scopes keep their meaning (ADMIN → ADMIN, READ → STATUS_READ), on both
engines."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from kairos.auth.apikeys import hash_key
from kairos.db.engine import sync_url
from kairos.db.migrate import alembic_config, upgrade_to_head
from tests.dbs import DatabaseFactory

_NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None)


def test_keys_made_before_scopes_keep_their_role_as_scopes(databases: DatabaseFactory) -> None:
    url = databases.empty()
    try:
        command.upgrade(alembic_config(url), "0009")
        engine = create_engine(sync_url(url))
        with engine.begin() as conn:
            for name, role in (("grafana", "READ"), ("ops", "ADMIN")):
                conn.execute(
                    text("INSERT INTO api_key (name, prefix, key_hash, role, created_at) "
                         "VALUES (:n, 'kai_x', :h, :r, :at)"),
                    {"n": name, "h": hash_key(f"kai_{name}"), "r": role, "at": _NOW},
                )  # fmt: skip
        upgrade_to_head(url)
        with engine.connect() as conn:
            rows = {str(name): str(scopes) for name, scopes in conn.execute(text("SELECT name, scopes FROM api_key"))}
        engine.dispose()
        assert rows == {"grafana": "STATUS_READ", "ops": "ADMIN"}
    finally:
        databases.drop(url)
