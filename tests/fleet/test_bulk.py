"""kairos.db.bulk: one unnest statement upserts many rows of every column type the recorder writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.bulk import upsert_unnest
from kairos.db.models import Resource, ResourceState

TABLE = cast(Table, ResourceState.__table__)


def _row(rid: int, at: datetime, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {c.name: None for c in TABLE.c}
    base.update(resource_id=rid, status="AVAILABLE", fail_streak=0, ok_streak=1, last_checked_at=at, last_message="ok")
    base.update(extra)
    return base


async def test_rows_are_inserted_then_updated_with_json_times_and_nulls(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with pg_sessions() as s, s.begin():
        rows = [{"name": f"r{i}", "kind": "HTTP", "target": "http://127.0.0.1:9/"} for i in range(3)]
        ids = list((await s.execute(insert(Resource).returning(Resource.id), rows)).scalars())
    at = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
    async with pg_sessions() as s, s.begin():
        await upsert_unnest(s, TABLE, [_row(i, at) for i in ids], ["resource_id"])
    later = at + timedelta(minutes=1)
    details = {"locations": {"eu": "AVAILABLE", "us": "NOT_AVAILABLE"}, "n": [1, 2.5, None]}
    changed = _row(
        ids[1], later, status="NOT_AVAILABLE", last_details=details, last_latency_ms=12.5, last_http_status=503
    )
    async with pg_sessions() as s, s.begin():
        await upsert_unnest(s, TABLE, [changed], ["resource_id"])
    async with pg_sessions() as s:
        got = {r.resource_id: r for r in (await s.execute(select(ResourceState))).scalars()}
    assert set(got) == set(ids)
    assert got[ids[0]].status == "AVAILABLE" and got[ids[0]].last_checked_at == at and got[ids[0]].last_details is None
    second = got[ids[1]]
    assert (second.status, second.last_checked_at, second.last_details) == ("NOT_AVAILABLE", later, details)
    assert (second.last_latency_ms, second.last_http_status) == (12.5, 503)
