"""The scoped live stream the board uses above its collapse threshold: ``?groups=…&summary=true`` sends the
counts and only the rows the page shows; a page that falls behind is told to resync."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.state import RuntimeState
from kairos.web.dashboard_live import MAX_GROUPS, ROWS_BOUND
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.console_seed import seed
from tests.web.test_dashboard import group

STREAM = "/api/resources/stream"


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event name, parsed data) of each message; comments are skipped."""
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data += line.split(":", 1)[1].strip()
        elif line == "" and data:
            yield event, json.loads(data)
            event, data = "message", ""


def _result(kairos: Running, rid: int, status: Status) -> None:
    """A result recorded for ``rid``, as the scheduler or the fleet's feed records one (the board's one input)."""
    result = ProbeResult(status, "ok" if status is Status.AVAILABLE else "down", checked_at=datetime.now(UTC))
    streak = {"fail_streak": 3, "outage_since": datetime.now(UTC)} if status is Status.NOT_AVAILABLE else {}
    kairos.runtime.board.record(rid, result, RuntimeState(status=status, last=result, **streak))  # type: ignore[arg-type]


def _rows(seen: list[tuple[str, Any]]) -> set[int]:
    return {u["resourceId"] for event, data in seen if event == "status" for u in data}


async def _collect(
    events: AsyncIterator[tuple[str, Any]], enough: Callable[[list[tuple[str, Any]]], bool]
) -> list[tuple[str, Any]]:
    """Messages read until ``enough`` says so (within 10 s)."""
    seen: list[tuple[str, Any]] = []

    async def read() -> None:
        async for message in events:
            seen.append(message)
            if enough(seen):
                return
        raise AssertionError("the stream ended")

    await asyncio.wait_for(read(), 10)
    return seen


def _counted(seen: list[tuple[str, Any]], up: int, down: int) -> bool:
    return any(e == "summary" and d["total"]["up"] == up and d["total"]["down"] == down for e, d in seen)


async def test_rows_come_only_for_open_groups_and_problems_with_the_counts_first(kairos: Running) -> None:
    web = await group(kairos, "Web")
    db = await group(kairos, "Databases")
    web_ids = await seed(kairos, ["web-1", "web-2"], group=web)
    db_ids = await seed(kairos, ["db-1", "db-2", "db-3"], group=db)
    async with kairos.anon.stream("GET", STREAM, params={"groups": str(web), "summary": "true"}) as response:
        assert response.status_code == 200
        events = _events(response)
        first = await asyncio.wait_for(anext(events), 10)
        assert first[0] == "summary"
        assert first[1]["total"] == {"total": 5, "up": 0, "down": 0, "unknown": 5, "failing": 0, "maintenance": 0}
        assert first[1]["groups"][str(db)]["total"] == 3 and first[1]["groups"][str(web)]["total"] == 2
        _result(kairos, db_ids[0], Status.AVAILABLE)  # a closed group: counted, no row
        _result(kairos, web_ids[0], Status.AVAILABLE)  # the open group: a row
        _result(kairos, db_ids[1], Status.NOT_AVAILABLE)  # a problem anywhere: a row ("Problems")
        seen = await _collect(events, lambda s: {web_ids[0], db_ids[1]} <= _rows(s) and _counted(s, 2, 1))
        assert db_ids[0] not in _rows(seen)
        changed = [d for e, d in seen if e == "summary"][-1]
        assert changed["groups"][str(db)] == {
            "total": 3,
            "up": 1,
            "down": 1,
            "unknown": 1,
            "failing": 0,
            "maintenance": 0,
        }
        _result(kairos, db_ids[1], Status.AVAILABLE)  # sent as a problem: its recovery is sent too
        _result(kairos, db_ids[2], Status.AVAILABLE)  # never a problem, in a closed group: no row
        seen = await _collect(events, lambda s: db_ids[1] in _rows(s) and _counted(s, 4, 0))
        assert db_ids[2] not in _rows(seen)


async def test_a_visitor_gets_no_row_or_count_of_a_group_it_may_not_see(kairos: Running) -> None:
    staff = await group(kairos, "Staff", visibility="AUTHENTICATED")
    public = await group(kairos, "Public")
    staff_ids = await seed(kairos, ["staff-1"], group=staff)
    public_ids = await seed(kairos, ["pub-1"], group=public)
    params = {"groups": f"{staff},{public},none", "summary": "true"}
    async with kairos.anon.stream("GET", STREAM, params=params) as response:
        events = _events(response)
        first = await asyncio.wait_for(anext(events), 10)
        assert str(staff) not in first[1]["groups"] and first[1]["total"]["total"] == 1
        _result(kairos, staff_ids[0], Status.NOT_AVAILABLE)
        _result(kairos, public_ids[0], Status.NOT_AVAILABLE)
        seen = await _collect(events, lambda s: public_ids[0] in _rows(s))
    assert staff_ids[0] not in _rows(seen)


async def test_a_page_that_falls_behind_is_told_to_resync(kairos: Running) -> None:
    big = await group(kairos, "Big")
    ids = await seed(kairos, [f"k-{i}" for i in range(ROWS_BOUND + 20)], group=big)
    async with kairos.anon.stream("GET", STREAM, params={"groups": str(big), "summary": "true"}) as response:
        events = _events(response)
        assert (await asyncio.wait_for(anext(events), 10))[0] == "summary"
        for rid in ids:  # a burst: more rows due at once than the bound
            _result(kairos, rid, Status.AVAILABLE)
        seen = await _collect(events, lambda s: s[-1][0] in ("resync", "status"))
    assert seen[-1][0] == "resync"
    assert sum(len(data) for event, data in seen if event == "status") == 0


async def test_bad_groups_are_a_precise_error(kairos: Running) -> None:
    for value in ("abc", "1,-2", "1" * 40):
        assert_error(await kairos.anon.get(STREAM, params={"groups": value}), 422, "validation_error", "groups")
    many = ",".join(str(i) for i in range(MAX_GROUPS + 1))
    assert_error(await kairos.anon.get(STREAM, params={"groups": many}), 422, "validation_error", "groups")
