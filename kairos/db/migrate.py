"""Apply Alembic migrations (bundled in the package) to the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event

from kairos.db.engine import _sqlite_pragmas, sync_url
from kairos.db.files import prepare_sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"


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
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
