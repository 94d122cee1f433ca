"""The latency chart's y-axis in Chromium: distinct labels in even 1-2-5 steps from 0 to just above the highest
value, with decimals when the whole range is a millisecond or two, whatever the size of the latencies."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from playwright.async_api import expect

from kairos.probes.base import Phases, ProbeResult, Status
from tests.browser.conftest import Pages
from tests.harness import Running
from tests.web.resource_seed import add_resource, seed_checks

Make = Callable[[datetime, int], ProbeResult]


def latencies(values: list[float]) -> Make:
    def make(at: datetime, i: int) -> ProbeResult:
        phases = Phases(total_ms=values[i % len(values)])
        return ProbeResult(Status.AVAILABLE, "OK", None, phases, 200, {}, at)

    return make


async def _ticks(kairos: Running, pages: Pages, name: str, values: list[float]) -> list[str]:
    rid = await add_resource(kairos, name)
    await seed_checks(kairos, rid, 24, timedelta(minutes=5), latencies(values))
    page = await pages.open(f"/resources/{rid}")
    chart = page.locator("#chart")
    await expect(chart.locator("path.s-total")).to_have_count(1)
    labels = await chart.locator("text.y-tick").all_text_contents()
    await page.close()
    return labels


def _check(labels: list[str], highest: float) -> list[float]:
    """Distinct labels, all "<number> ms" with the same decimals, from 0 in equal steps, the top at or above
    the highest value and less than a step above it."""
    assert len(labels) == len(set(labels)) >= 3, labels
    assert all(label.endswith(" ms") for label in labels), labels
    numbers = [label.removesuffix(" ms") for label in labels]
    assert len({len(n.partition(".")[2]) for n in numbers}) == 1, labels  # one number of decimals
    values = [float(n) for n in numbers]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(values)}
    assert values[0] == 0 and len(steps) == 1, labels
    step = steps.pop()
    assert step > 0 and values[-1] >= highest > values[-1] - step, labels
    assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 5), labels  # a 1-2-5 step
    return values


async def test_chart_ticks_are_distinct_and_evenly_stepped(kairos: Running, pages: Pages) -> None:
    small = _check(await _ticks(kairos, pages, "loopback", [0.0, 0.25, 0.5, 0.75, 1.0]), 1.0)
    assert small == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # not "0 ms" four times
    few = _check(await _ticks(kairos, pages, "lan", [0.0, 1.5, 3.0, 4.2, 5.0]), 5.0)
    assert few == [0, 1, 2, 3, 4, 5]  # not "0, 1, 3, 4, 5 ms"
    _check(await _ticks(kairos, pages, "far", [0.0, 300.0, 640.0, 1200.0]), 1200.0)
    assert not pages.console_errors
