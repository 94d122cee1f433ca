from __future__ import annotations

from sqlalchemy import create_engine, inspect

from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from tests.dbs import DatabaseFactory


def test_an_empty_database_migrates_to_head_and_again_without_change(databases: DatabaseFactory) -> None:
    url = databases.empty()
    upgrade_to_head(url)
    upgrade_to_head(url)  # a second start finds nothing to do
    engine = create_engine(sync_url(url))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {
        "resource",
        "result_block",
        "result_journal",
        "rollup_15m",
        "rollup_1d",
        "outage",
        "resource_state",
        "app_user",
        "api_key",
        "credential",
        "resource_group",
        "resource_type_settings",
        "alembic_version",
    } <= tables
    databases.drop(url)


def test_the_models_and_the_migrations_describe_the_same_schema(databases: DatabaseFactory) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import kairos.db.models  # noqa: F401
    from kairos.db.base import Base

    url = databases.fresh()
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
    databases.drop(url)
