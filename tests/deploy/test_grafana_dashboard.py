"""docs/grafana-dashboard.json asks Prometheus only for series a running Kairos really exposes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kairos.probes.base import Status
from tests.api.loopback import Target
from tests.api.support import create_resource
from tests.harness import Running, wait_for

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
# Words of PromQL that are not metric names (functions, aggregations, modifiers) and the labels we group by.
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "or", "and", "unless", "offset",
    "count", "sum", "avg", "min", "max", "vector", "rate", "increase", "avg_over_time", "histogram_quantile",
    "label_values", "le", "resource_type", "resource_name", "status", "inf", "nan",
}  # fmt: skip
SUFFIXES = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # rows


def expressions(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in panels(dashboard) for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return exprs


def metric_names(expr: str) -> set[str]:
    """Identifiers in a PromQL expression that name series: label matchers, ranges, strings and variables gone."""
    bare = re.sub(r'"[^"]*"|\{[^}]*\}|\[[^\]]*\]|\$\{?\w+\}?', " ", expr)
    bare = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", bare)
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare))
    return {w for w in words if w.lower() not in PROMQL_WORDS}


async def exposed(kairos: Running, target: Target) -> set[str]:
    """Series names Kairos exposes once a resource exists and has been checked."""
    await create_resource(kairos, target.url("/"), name="shop")

    async def scraped() -> str | None:
        text = (await kairos.anon.get("/actuator/prometheus")).text
        return text if "kairos_checks_total{" in text and "kairos_check_duration_seconds_bucket{" in text else None

    text = await wait_for(scraped, timeout=20)
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {sample.name for sample in family.samples}
        # A labelled counter with no sample yet (image digest changes) still declares its family.
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, [])}
    return names


async def test_every_query_of_the_dashboard_uses_metrics_kairos_exposes(
    kairos: Running, target: Target, dashboard: dict[str, Any]
) -> None:
    available = await exposed(kairos, target)
    used = {name for expr in expressions(dashboard) for name in metric_names(expr)}
    assert used, "no metric found in the dashboard"
    assert used <= available, f"not exposed: {sorted(used - available)}"
    # The main series the brief asks for are all there.
    for name in ("kairos_resource_status", "kairos_active_outages", "kairos_checks_total",
                 "kairos_recorder_pending_results", "kairos_check_duration_seconds_bucket"):  # fmt: skip
        assert name in used


def test_queries_select_the_datasource_variable_and_the_resource_variable(dashboard: dict[str, Any]) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource" and variables["DS_PROMETHEUS"]["query"] == "prometheus"
    assert variables["resource"]["definition"] == "label_values(kairos_resource_status, resource_name)"
    assert variables["resource"]["includeAll"] and variables["resource"]["multi"]
    for panel in panels(dashboard):
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        for t in panel["targets"]:
            assert t["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
            if "resource_name" in t["expr"] and "by (" not in t["expr"]:
                assert 'resource_name=~"$resource"' in t["expr"], t["expr"]


def test_the_dashboard_has_its_panels_with_unique_ids_and_status_names_kairos_uses(dashboard: dict[str, Any]) -> None:
    all_panels = list(panels(dashboard))
    ids = [p["id"] for p in all_panels]
    assert len(ids) == len(set(ids))
    types = {p["type"] for p in all_panels}
    assert {"state-timeline", "stat", "timeseries", "bargauge"} <= types
    timeline = next(p for p in all_panels if p["type"] == "state-timeline")
    mapping = timeline["fieldConfig"]["defaults"]["mappings"][0]["options"]
    assert set(mapping) == {"1", "0", "-1"}  # kairos_resource_status: available, not available, unknown
    for p in all_panels:
        for override in p["fieldConfig"].get("overrides", []):
            if override["matcher"]["id"] == "byName":
                assert override["matcher"]["options"] in {s.value for s in Status}
