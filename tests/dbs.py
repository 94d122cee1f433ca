"""Fresh, migrated databases per test: a copied SQLite file, or a PostgreSQL database cloned from a
migrated template when KAIROS_TEST_DATABASE_URL names a PostgreSQL server."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.history.codec import StoredResult
from kairos.history.reader import everything

TEMPLATE = "kairos_template"


def postgres_base() -> str | None:
    return os.environ.get("KAIROS_TEST_DATABASE_URL") or None


def _admin_conninfo(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} user={u.username or 'postgres'} dbname={u.database or 'postgres'}" + (
        f" password={u.password}" if u.password else ""
    )


class DatabaseFactory:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg = postgres_base()
        self._template_ready = False
        self._made: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.pg else "sqlite"

    def _pg_url(self, name: str) -> str:
        assert self.pg
        return (
            make_url(self.pg).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        )

    def _prepare_template(self) -> None:
        if self._template_ready:
            return
        if self.pg:
            with psycopg.connect(_admin_conninfo(self.pg), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
                conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
            upgrade_to_head(self._pg_url(TEMPLATE))
        else:
            upgrade_to_head(f"sqlite+aiosqlite:///{self.workdir / 'template.db'}")
        self._template_ready = True

    def fresh(self) -> str:
        """A new migrated database's URL."""
        self._prepare_template()
        name = "t_" + uuid.uuid4().hex[:12]
        if self.pg:
            with psycopg.connect(_admin_conninfo(self.pg), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
            self._made.append(name)
            return self._pg_url(name)
        path = self.workdir / f"{name}.db"
        shutil.copyfile(self.workdir / "template.db", path)
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        """A new database with no tables at all (for the migration test)."""
        name = "e_" + uuid.uuid4().hex[:12]
        if self.pg:
            with psycopg.connect(_admin_conninfo(self.pg), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self._made.append(name)
            return self._pg_url(name)
        return f"sqlite+aiosqlite:///{self.workdir / name}.db"

    def drop(self, url: str) -> None:
        if not self.pg:
            return
        name = make_url(url).database
        with psycopg.connect(_admin_conninfo(self.pg), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def cleanup(self) -> None:
        if self.pg:
            with psycopg.connect(_admin_conninfo(self.pg), autocommit=True) as conn:
                for name in [*self._made, TEMPLATE]:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stored_results(url: str) -> list[StoredResult]:
    """Every raw result a database holds (blocks and journal), oldest first, read as Kairos reads them."""

    async def read() -> list[StoredResult]:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as s:
                return await everything(s)
        finally:
            await engine.dispose()

    return asyncio.run(read())
