"""Apply Alembic migrations (bundled in the package) to the configured database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

from kairos.db.engine import _sqlite_pragmas, sync_url
from kairos.db.files import prepare_sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 7737581575016238149  # beside the fleet leader's (kairos.fleet.leader.LOCK_KEY)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return cfg


def upgrade_to_head(url: str) -> None:
    """Bring the schema to the newest revision; safe to call on every start."""
    cfg = alembic_config(url)
    prepare_sqlite_file(url)  # `kairos migrate` may be the first to touch a fresh data directory
    engine = create_engine(sync_url(url))
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(engine, "connect", _migration_pragmas)
    try:
        with engine.begin() as conn:
            if not sqlite:
                # Web nodes and workers starting together migrate one at a time (the others then find nothing to
                # do); without it, two creating the same table collide on PostgreSQL's catalog.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        if sqlite:
            _check_foreign_keys(engine)
    finally:
        engine.dispose()


def _migration_pragmas(dbapi_conn: Any, record: Any) -> None:
    """The usual settings, but foreign keys off: SQLite rebuilds a table to alter it (copy, drop, rename), and
    with them on, dropping a parent table would cascade-delete its children's rows."""
    _sqlite_pragmas(dbapi_conn, record)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.close()


def _check_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} rows with a broken foreign key: {broken[:5]}")
