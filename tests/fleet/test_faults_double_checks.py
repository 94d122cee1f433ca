"""Two workers of one location never check the same resource within one interval: counted at the target over
ninety seconds of real running, two locations of two workers each (check-now is not used)."""

from __future__ import annotations

import asyncio
import itertools

from tests.fleet.procs import Fleet, Sessions, Target, add_http, checks_by, until, until_up

INTERVAL_S = 5
RUN_S = 90.0
LOCATIONS = ("eu", "us")


async def test_workers_of_one_location_never_check_a_resource_twice_in_an_interval(
    pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    paths = await add_http(pg_sessions, target, 12, interval_s=INTERVAL_S)
    workers = [fleet.worker(loc, f"{loc}-{n}") for loc in LOCATIONS for n in (1, 2)]
    await until_up(fleet, *workers)
    await until(fleet, lambda: _running(target), 30, "the first checks")
    await asyncio.sleep(RUN_S)  # the fleet runs; what it did is read from the target's log below
    assert all(w.alive for w in workers), fleet.logs()

    hits = await target.hits()
    for loc in LOCATIONS:
        assert {h.worker for h in hits if h.location == loc} == {f"{loc}-1", f"{loc}-2"}, "a worker checked nothing"
        for path in paths.values():
            checks = checks_by(hits, path, loc)
            # Every slot of the run was checked (nobody skipped it thinking another worker had it) ...
            assert len(checks) >= RUN_S / INTERVAL_S - 1, f"{path} from {loc}: {len(checks)} checks"
            # ... and never twice: consecutive checks keep about one interval apart, whichever worker took them.
            gaps = [round(b.t - a.t, 2) for a, b in itertools.pairwise(checks)]
            assert min(gaps) >= INTERVAL_S - 1, f"{path} from {loc} checked twice within an interval: {gaps}"


async def _running(target: Target) -> bool:
    return len(await target.hits()) > 0
