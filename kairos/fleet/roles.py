"""Which role may start where: the one-process server must not run beside a fleet's workers.

Both would check every resource and write the same history twice, each with its own idea of the verdict."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.models import FleetWorker
from kairos.fleet.heartbeat import database_now
from kairos.settings import Settings


class MixedRoles(Exception):
    """A single process was asked to start where a fleet's workers run."""


async def refuse_beside_workers(settings: Settings) -> None:
    """Raise MixedRoles when live workers check from this database (PostgreSQL; SQLite has no fleet)."""
    if settings.role != "all" or settings.is_sqlite:
        return
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            now = await database_now(session)
            fresh = now - timedelta(seconds=2 * settings.heartbeat_interval_s)
            live = (
                await session.execute(select(FleetWorker.id, FleetWorker.location).where(FleetWorker.seen_at >= fresh))
            ).all()
    finally:
        await engine.dispose()
    if live:
        names = ", ".join(f"{wid} ({loc})" for wid, loc in live[:3]) + (" ..." if len(live) > 3 else "")
        raise MixedRoles(
            f"fleet workers run on this database ({names}): start this server as a web node "
            "(kairos serve --role web), or stop the workers first"
        )
