"""Health asks whether the database accepts writes, not only whether it answers: with every write blocked
(another connection holding the write lock, as a stuck migration or a backup tool would), SELECT 1 still
answers, so the old health said UP while Kairos lost every result."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from kairos.api.routes.actuator import WRITE_PROBE_KEY
from kairos.db.models import Setting
from tests.harness import Running, wait_for


@contextmanager
def writes_blocked(db_url: str) -> Iterator[None]:
    """Another client holds the database's write lock (readers go on: WAL on SQLite, EXCLUSIVE on PostgreSQL)."""
    url = make_url(db_url)
    conn: Any
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), timeout=10, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
    else:
        import psycopg

        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        conn.execute("LOCK TABLE setting IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


async def _db(kairos: Running) -> tuple[int, dict[str, Any]]:
    r = await kairos.anon.get("/actuator/health")
    return r.status_code, r.json()["components"]["db"]


async def test_health_is_down_while_the_database_refuses_writes_and_up_again_after(
    kairos: Running, db_url: str
) -> None:
    await wait_for(lambda: _up(kairos), timeout=10)
    with writes_blocked(db_url):
        status, db = await wait_for(lambda: _down(kairos), timeout=15, interval=0.5)
    assert status == 503
    assert db["status"] == "DOWN" and "does not accept writes" in db["message"]
    await wait_for(lambda: _up(kairos), timeout=15, interval=0.5)


async def test_the_write_probe_stores_nothing(kairos: Running) -> None:
    assert (await kairos.anon.get("/actuator/health")).status_code == 200
    async with kairos.runtime.sessionmaker() as session:
        assert (await session.execute(select(Setting).where(Setting.key == WRITE_PROBE_KEY))).first() is None


async def test_a_health_hammer_is_answered_from_the_shared_check(kairos: Running) -> None:
    import asyncio

    answers = await asyncio.gather(*(kairos.anon.get("/actuator/health") for _ in range(50)))
    assert {a.status_code for a in answers} == {200}


async def _up(kairos: Running) -> bool:
    return (await _db(kairos))[0] == 200


async def _down(kairos: Running) -> tuple[int, dict[str, Any]] | None:
    status, db = await _db(kairos)
    return (status, db) if db["status"] == "DOWN" else None
