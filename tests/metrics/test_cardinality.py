"""``/actuator/prometheus`` at scale: the operator's cardinality settings (``KAIROS_METRICS_*``) drop exactly the
series they name, the counts by status (in total and per group) stay to alert on, a scrape narrows with
``?group=`` and ``?name[]=``, and the answer is gzipped when the scraper asks. Every body is read with
prometheus_client's own parser, so the text written by hand is the format Prometheus reads."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kairos.settings import SettingsError, load_settings
from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running, make_settings, running_kairos

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]
STATE = ("kairos_resource", "kairos_tls_", "kairos_group_", "kairos_active_outages")
# name → (group or None, tags, status): "secret" is in a HIDDEN group; "empty" is a group without members.
WORLD: dict[str, tuple[str | None, list[dict[str, str]], str]] = {
    "cart": ("shop", [], "available"),
    "pay": ("shop", [{"key": "team", "value": "payments"}], "not-available"),
    "secret": ("vault", [{"key": "team", "value": "core"}], "available"),
    "lonely": (None, [{"key": "env", "value": "prod"}], "available"),
}


def parse(text: str) -> Series:
    """Every sample as (name, labels) → value, read by prometheus_client's parser (it fails on a bad line)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def state(series: Series) -> Series:
    """The series that follow resources and their counts (the check counters grow with every check)."""
    return {k: v for k, v in series.items() if k[0].startswith(STATE)}


def resource_of(key: tuple[str, frozenset[tuple[str, str]]]) -> str | None:
    return dict(key[1]).get("resource_name")


async def scrape(kairos: Running, query: str = "", **kwargs: Any) -> Series:
    r = await kairos.anon.get("/actuator/prometheus" + query, **kwargs)
    assert r.status_code == 200, r.text
    return parse(r.text)


async def build(kairos: Running, target: Target) -> dict[str, int]:
    """The world above, checked once each; its ids by name."""
    ids: dict[str, int] = {}
    for name, (_, tags, _) in WORLD.items():
        url = target.url("/fail" if name == "pay" else "/")
        ids[name] = (await create_resource(kairos, url, name=name, tags=tags))["id"]
    for group, visibility in (("shop", "PUBLIC"), ("vault", "HIDDEN"), ("empty", "PUBLIC")):
        r = await kairos.client.post("/api/groups", json={"name": group, "visibility": visibility})
        assert r.status_code == 201, r.text
        members = [ids[n] for n, (g, _, _) in WORLD.items() if g == group]
        r = await kairos.client.put(f"/api/groups/{r.json()['id']}/order", json={"resourceIds": members})
        assert r.status_code == 200, r.text
    await checked(kairos, ids)
    return ids


async def checked(kairos: Running, ids: dict[str, int]) -> None:
    for name, rid in ids.items():
        await wait_for_status(kairos, rid, WORLD[name][2])


async def test_every_resource_has_its_series_and_counts_by_status_per_group_and_in_total(
    kairos: Running, target: Target
) -> None:
    await build(kairos, target)
    series = await scrape(kairos)
    for name in WORLD:
        assert any(k[0] == "kairos_resource_status" and resource_of(k) == name for k in series), name
        assert any(k[0] == "kairos_resource_latency_milliseconds" and resource_of(k) == name for k in series), name
    totals = {dict(k[1])["status"]: v for k, v in series.items() if k[0] == "kairos_resources_by_status"}
    assert totals == {"AVAILABLE": 3, "NOT_AVAILABLE": 1, "UNKNOWN": 0, "MAINTENANCE": 0}
    groups = {tuple(sorted(dict(k[1]).values())): v for k, v in series.items() if k[0] == "kairos_group_resources"}
    assert groups[("AVAILABLE", "shop")] == 1 and groups[("NOT_AVAILABLE", "shop")] == 1
    assert groups[("AVAILABLE", "vault")] == 1  # a HIDDEN group too: metrics are for operators (docs/access.md)
    assert groups[("AVAILABLE", "empty")] == 0 and groups[("UNKNOWN", "empty")] == 0  # zeros, not missing
    assert len(groups) == 3 * 4  # three groups, four statuses; "lonely" counts in the totals only
    outages = {dict(k[1])["group"] for k in series if k[0] == "kairos_group_active_outages"}
    assert outages == {"shop", "vault", "empty"}
    assert series[("kairos_resources", frozenset())] == 4


Expect = Callable[[tuple[str, frozenset[tuple[str, str]]]], bool]
PER_RESOURCE: Expect = lambda k: resource_of(k) is not None  # noqa: E731


SETTINGS: list[tuple[dict[str, str], Expect]] = [
    ({"metrics_latency": "false"}, lambda k: k[0].endswith("latency_milliseconds")),
    ({"metrics_resource_series": "groups"}, PER_RESOURCE),
    ({"metrics_resource_series": "none"}, lambda k: PER_RESOURCE(k) or k[0].startswith("kairos_group_")),
    ({"metrics_groups": "shop, vault"}, lambda k: resource_of(k) == "lonely"),
    ({"metrics_tags": "team:payments,env:prod"}, lambda k: resource_of(k) in ("cart", "secret")),
    ({"metrics_groups": "shop", "metrics_tags": "team:payments"}, lambda k: resource_of(k) not in (None, "pay")),
]


async def test_each_setting_drops_exactly_the_series_it_names(db_url: str, tmp_path: Path, target: Target) -> None:
    async with running_kairos(make_settings(db_url, tmp_path)) as kairos:
        ids = await build(kairos, target)
        everything = state(await scrape(kairos))
    for overrides, dropped in SETTINGS:
        async with running_kairos(make_settings(db_url, tmp_path, **overrides)) as kairos:
            await checked(kairos, ids)
            shown = state(await scrape(kairos))
        assert set(shown) == {k for k in everything if not dropped(k)}, overrides
        assert {k for k in everything if dropped(k)}, overrides  # the setting did drop something
        for key in shown:  # the counts stay as they were
            if key[0] in ("kairos_resources_by_status", "kairos_group_resources"):
                assert shown[key] == everything[key], (overrides, key)


async def test_a_scrape_narrows_to_groups_and_to_series_names(kairos: Running, target: Target) -> None:
    await build(kairos, target)
    shop = await scrape(kairos, "?group=shop")
    assert {resource_of(k) for k in shop} == {None, "cart", "pay"}
    assert {dict(k[1])["group"] for k in shop if k[0].startswith("kairos_group_")} == {"shop"}
    assert ("kairos_resources", frozenset()) in shop  # totals stay whole
    both = await scrape(kairos, "?group=shop&group=vault")
    assert {resource_of(k) for k in both} == {None, "cart", "pay", "secret"}
    only = await scrape(kairos, "?name[]=kairos_resource_status&name[]=kairos_checks_total")
    assert {k[0] for k in only} == {"kairos_resource_status", "kairos_checks_total"}
    assert len(only) == len(WORLD) + 2  # four resources; a check of each, two statuses by type
    assert_error(await kairos.anon.get("/actuator/prometheus?group=nope"), 422, "validation_error", "group")
    many = "&".join(f"group=g{i}" for i in range(51))
    assert_error(await kairos.anon.get(f"/metrics?{many}"), 422, "validation_error", "group")
    assert_error(await kairos.anon.get("/metrics?name[]=" + "x" * 201), 422, "validation_error", "name[]")


async def test_the_answer_is_gzipped_when_the_scraper_takes_it(kairos: Running, target: Target) -> None:
    await build(kairos, target)
    plain = await kairos.anon.get("/actuator/prometheus", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"
    async with (
        httpx.AsyncClient(base_url=kairos.url) as raw,
        raw.stream("GET", "/metrics", headers={"Accept-Encoding": "gzip"}) as zipped,
    ):
        wire = b"".join([chunk async for chunk in zipped.aiter_raw()])  # the bytes as sent
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["content-type"].startswith("text/plain")
    assert len(wire) < len(plain.content)
    assert state(parse(gzip.decompress(wire).decode())) == state(parse(plain.text))
    refused = await kairos.anon.get("/metrics", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


async def test_labels_are_escaped_and_follow_a_rename_at_once(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url(), name='say "hi" \\ now'))["id"]
    await wait_for_status(kairos, rid, "available")
    assert {resource_of(k) for k in await scrape(kairos)} >= {'say "hi" \\ now'}
    r = await kairos.client.put(f"/api/resources/{rid}", json={"name": "renamed"})
    assert r.status_code == 200, r.text
    names = {resource_of(k) for k in await scrape(kairos)}
    assert "renamed" in names and 'say "hi" \\ now' not in names


async def test_with_a_key_required_narrowed_and_gzipped_scrapes_need_it_too(
    db_url: str, tmp_path: Path, target: Target
) -> None:
    async with running_kairos(make_settings(db_url, tmp_path, metrics_require_key=True)) as kairos:
        await build(kairos, target)
        for query in ("?group=vault", "?group=nope", "?name[]=kairos_group_resources"):
            r = await kairos.anon.get("/actuator/prometheus" + query, headers={"Accept-Encoding": "gzip"})
            assert_error(r, 401, "unauthorized")  # refused before the group is even looked up
        key = (await kairos.client.post("/api/api-keys", json={"name": "scraper", "role": "READ"})).json()["key"]
        r = await kairos.anon.get("/actuator/prometheus?group=vault", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and {resource_of(k) for k in parse(r.text)} == {None, "secret"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [("metrics_tags", "team"), ("metrics_tags", "Bad Key:x"), ("metrics_resource_series", "some")],
)
def test_a_bad_setting_stops_the_start_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"KAIROS_{variable.upper()}"):
        load_settings(**{variable: value})
