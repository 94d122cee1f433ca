"""Migration 0018 (natural sort keys) on a database made by 0017, on both engines: every resource and group gets
``name_key`` (also past one backfill batch), lists in SQL then order as people count, every way of writing a
row keeps the key, and going back down keeps resource ids from being reused on SQLite."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, insert, select, text

from kairos.db.engine import make_engine, make_sessionmaker, sync_url
from kairos.db.migrate import alembic_config, upgrade_to_head
from kairos.db.models import Resource, ResourceGroup
from kairos.naming import natural_key
from tests.dbs import DatabaseFactory

_AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None)
_COUNT = 1203  # more than one batch of the backfill (1000)


def _old_database(url: str) -> None:
    command.upgrade(alembic_config(url), "0017")
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO resource (name, kind, target, config, enabled, skip_tls, recursive, display_order, "
                 "created_at, updated_at, upside_down) VALUES (:n, 'HTTP', 'http://127.0.0.1:1/', '{}', :t, :f, :f, "
                 "0, :at, :at, :f)"),
            [{"n": f"k-{i}", "t": True, "f": False, "at": _AT} for i in range(_COUNT)],
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO resource_group (name, visibility, display_order, created_at) "
                 "VALUES (:n, 'PUBLIC', 0, :at)"),
            [{"n": n, "at": _AT} for n in ("Zone 10", "zone 9", "Über")],
        )  # fmt: skip
    engine.dispose()


def test_the_migration_fills_every_key_and_sql_orders_names_naturally(databases: DatabaseFactory) -> None:
    url = databases.empty()
    try:
        _old_database(url)
        upgrade_to_head(url)
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, name_key FROM resource")).all()
            assert len(rows) == _COUNT and all(key == natural_key(name) for name, key in rows)
            ordered = conn.execute(text("SELECT name FROM resource ORDER BY name_key, id LIMIT 12")).scalars().all()
            assert ordered == [f"k-{i}" for i in range(12)]
            groups = conn.execute(text("SELECT name FROM resource_group ORDER BY name_key, id")).scalars().all()
            assert groups == ["Über", "zone 9", "Zone 10"]
        engine.dispose()
    finally:
        databases.drop(url)


def test_every_writer_keeps_the_key_without_knowing_it(databases: DatabaseFactory) -> None:
    url = databases.fresh()

    async def write_and_read() -> dict[str, str]:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                row = Resource(name="web-2", kind="HTTP", target="http://127.0.0.1:1/", config={})
                group = ResourceGroup(name="Group 7")
                session.add_all([row, group])
                await session.flush()
                row.name = "Web-20"  # a rename through the ORM
                core = {"kind": "TCP", "target": "127.0.0.1:1", "config": {}}
                await session.execute(insert(Resource), [{"name": "db-3", **core}, {"name": "DB-03x", **core}])
                await session.commit()
                stored = await session.execute(select(Resource.name, Resource.name_key))
                groups = await session.execute(select(ResourceGroup.name, ResourceGroup.name_key))
                return {str(name): str(key) for name, key in [*stored.all(), *groups.all()]}
        finally:
            await engine.dispose()

    try:
        keys = asyncio.run(write_and_read())
        assert keys == {name: natural_key(name) for name in ("Web-20", "Group 7", "db-3", "DB-03x")}
    finally:
        databases.drop(url)


def test_going_back_down_drops_the_key_and_keeps_ids_unique(databases: DatabaseFactory) -> None:
    url = databases.empty()
    try:
        _old_database(url)
        upgrade_to_head(url)
        command.downgrade(alembic_config(url), "0017")
        engine = create_engine(sync_url(url))
        with engine.begin() as conn:
            top = conn.execute(text("SELECT max(id) FROM resource")).scalar_one()
            conn.execute(text("DELETE FROM resource WHERE id = :id"), {"id": top})
            conn.execute(
                text("INSERT INTO resource (name, kind, target, config, enabled, skip_tls, recursive, display_order, "
                     "created_at, updated_at, upside_down) VALUES ('new', 'HTTP', 'http://127.0.0.1:1/', '{}', :t, :f, "
                     ":f, 0, :at, :at, :f)"),
                {"t": True, "f": False, "at": _AT},
            )  # fmt: skip
            new_id = conn.execute(text("SELECT id FROM resource WHERE name = 'new'")).scalar_one()
            columns = conn.execute(select(text("*")).select_from(text("resource")).limit(1)).keys()
        engine.dispose()
        assert new_id > top
        assert "name_key" not in list(columns)
        upgrade_to_head(url)  # and up again
    finally:
        databases.drop(url)
