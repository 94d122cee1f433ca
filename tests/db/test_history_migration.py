"""Migration 0008 on a database made by the previous schema: raw rows become compact blocks with nothing lost,
rollups, states and outages stay, and resource ids are never reused afterwards (both engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import create_engine, text

from kairos.db.engine import sync_url
from kairos.db.migrate import alembic_config, upgrade_to_head
from tests.dbs import DatabaseFactory, stored_results

T0 = datetime(2026, 11, 1, 10, 0, 7, 123456, tzinfo=UTC)


def _old_database(url: str) -> None:
    command.upgrade(alembic_config(url), "0007")
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        for rid in (1, 2, 3):
            conn.execute(
                text("INSERT INTO resource (id, name, kind, target, config, enabled, skip_tls, recursive, "
                     "display_order, created_at, updated_at) VALUES (:id, :n, 'HTTP', 'http://127.0.0.1:1/', '{}', "
                     ":t, :f, :f, 0, :at, :at)"),
                {"id": rid, "n": f"r{rid}", "t": True, "f": False, "at": T0.replace(tzinfo=None)},
            )  # fmt: skip
        rows = [
            {
                "rid": 1 + i % 2,
                "at": (T0 + timedelta(minutes=7 * i)).replace(tzinfo=None),
                "status": "NOT_AVAILABLE" if i % 5 == 0 else "AVAILABLE",
                "lat": 10.0 + i,
                "http": 500 if i % 5 == 0 else 200,
                "code": "http_status" if i % 5 == 0 else None,
                "msg": "HTTP 500" if i % 5 == 0 else "HTTP 200",
                "details": '{"digest": "sha256:ab"}' if i == 3 else None,
            }
            for i in range(40)
        ]
        conn.execute(
            text("INSERT INTO check_result (resource_id, checked_at, status, latency_ms, http_status, error_code, "
                 "message, details) VALUES (:rid, :at, :status, :lat, :http, :code, :msg, :details)"),
            rows,
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO rollup_1d (resource_id, bucket, available, not_available, unknown, latency_count, "
                 "latency_sum, dns_count, dns_sum, connect_count, connect_sum, tls_count, tls_sum) "
                 "VALUES (1, 1761955200, 16, 4, 0, 20, 300, 0, 0, 0, 0, 0, 0)"),
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO outage (resource_id, started_at, message) VALUES (2, :at, 'down')"),
            {"at": T0.replace(tzinfo=None)},
        )
        conn.execute(
            text(
                "INSERT INTO check_result (resource_id, checked_at, status, message) VALUES (3, :at, 'AVAILABLE', '')"
            ),
            {"at": T0.replace(tzinfo=None)},
        )
        conn.execute(text("DELETE FROM resource WHERE id = 3"))  # the highest id, deleted (its history stays behind)
    engine.dispose()


def test_history_rows_become_blocks_and_nothing_else_changes(databases: DatabaseFactory) -> None:
    url = databases.empty()
    _old_database(url)
    upgrade_to_head(url)
    stored = stored_results(url)
    assert len(stored) == (41 if url.startswith("sqlite") else 40)  # PostgreSQL cascaded the deleted one's row
    assert sum(1 for r in stored if r.resource_id == 1) == 20
    first = stored[0]
    assert first.checked_at == T0.replace(microsecond=123000)  # kept to the millisecond
    assert (first.status, first.http_status, first.error_code, first.message) == (
        "NOT_AVAILABLE",
        500,
        "http_status",
        "HTTP 500",
    )
    assert first.latency_ms == 10.0
    assert [r.details for r in stored if r.details] == [{"digest": "sha256:ab"}]
    assert [r.message for r in stored if r.resource_id != 3][1:3] == ["HTTP 200", "HTTP 200"]
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        tables = {
            row[0]
            for row in conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                if engine.dialect.name == "postgresql"
                else text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        }
        assert "check_result" not in tables
        assert conn.execute(text("SELECT available FROM rollup_1d")).scalar_one() == 16
        assert conn.execute(text("SELECT count(*) FROM outage")).scalar_one() == 1
        if engine.dialect.name == "sqlite":  # PostgreSQL's sequences never reuse an id anyway
            conn.execute(
                text("INSERT INTO resource (name, kind, target, config, enabled, skip_tls, recursive, "
                     "display_order, created_at, updated_at) "
                     "VALUES ('new', 'HTTP', 'http://127.0.0.1:1/', '{}', 1, 0, 0, 0, :at, :at)"),
                {"at": T0.replace(tzinfo=None)},
            )  # fmt: skip
            new_id = conn.execute(text("SELECT id FROM resource WHERE name = 'new'")).scalar_one()
            assert new_id == 4  # before the migration SQLite handed out 3 again
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()
    databases.drop(url)
