"""The heartbeat bar and "failing, 1 of 3" on a web node: both follow the verdicts workers record on PostgreSQL
(the fleet's feed hands each one to the board, as the single process's recorder does)."""

from __future__ import annotations

from sqlalchemy import update

from kairos.db.models import ResourceState
from kairos.fleet import channels
from tests.fleet.test_web_node import Sessions, create, record, web
from tests.harness import Running, wait_for

__all__ = ["web"]  # the fixture


async def test_a_worker_verdict_reaches_the_heartbeat_and_a_first_failure_shows_at_once(
    web: Running, pg_sessions: Sessions
) -> None:
    rid = await create(web)
    board = web.runtime.board
    await record(pg_sessions, rid, "AVAILABLE", {"eu": ("AVAILABLE", 12.0, "200 OK")})
    await wait_for(lambda: board.recent.letters(rid) == "A", timeout=5)
    # One failed verdict, below the threshold of 3: a streak of 1, no outage.
    await record(pg_sessions, rid, "NOT_AVAILABLE", {"eu": ("NOT_AVAILABLE", 3.0, "refused")}, announce=False)
    async with pg_sessions() as s:
        await s.execute(
            update(ResourceState)
            .where(ResourceState.resource_id == rid)
            .values(fail_streak=1, ok_streak=0, last_error_code="connect_refused")
        )
        await channels.notify_results(s, [rid])
        await s.commit()
    await wait_for(lambda: board.recent.letters(rid) == "AN", timeout=5)
    body = (await web.anon.get(f"/api/resources/{rid}/recent")).json()
    assert [c["status"] for c in body["checks"]] == ["available", "not-available"]
    assert body["checks"][-1]["message"] == "Not available: connect_refused"
    assert body["failing"] == {"streak": 1, "threshold": 3}
    page = (await web.anon.get("/")).text
    assert ">failing, 1 of 3</span>" in page and 'data-hb="AN"' in page
