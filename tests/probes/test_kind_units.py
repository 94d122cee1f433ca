"""A kind of check is one unit: a kind registered here, at run time, and known to no other file, is listed by
``/api/resource-types``, has its options validated by the API, is checked by the scheduler and gets its own
console form. Nothing touches the network: the ECHO probe answers what its option says."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from kairos.probes import kinds
from kairos.probes.base import ProbeConfig, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import KindSpec, OptionField
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running, make_settings, running_kairos
from tests.web.pages import admin_browser

NAME = "ECHO"


class EchoConfig(ProbeConfig):
    answer: Literal["up", "down"] = Field(default="up", description="What the check reports.")
    note: str = Field(default="", max_length=20)


async def _probe(config: EchoConfig, ctx: ProbeContext) -> ProbeResult:
    if config.answer == "down":
        raise ProbeFailure("echo_down", f"{ctx.target} says down")
    return ProbeResult(Status.AVAILABLE, f"{ctx.target} says up")


def _target(raw: str) -> str:
    word = raw.strip().lower()
    if not word.isalpha():
        raise ValueError("an echo target is one word of letters")
    return word


SPEC = KindSpec(
    name=NAME,
    label="Echo",
    page_name="Echo",
    target_hint="One word, echoed back",
    config_model=EchoConfig,
    probe_fn=_probe,
    validate_target=_target,
    default_interval_s=45,
    default_parallelism=3,
    default_timeout_s=2.0,
    default_outage_threshold=4,
    uses_tls=False,
    form_fields=(
        OptionField("answer", "Answer", "select", (("up", "Up"), ("down", "Down"))),
        OptionField("note", "Note", "text"),
    ),
)


@pytest.fixture
def echo_kind() -> Iterator[KindSpec]:
    kinds.register(SPEC)
    try:
        yield SPEC
    finally:
        kinds.unregister(NAME)


@pytest.fixture
async def echo_kairos(echo_kind: KindSpec, db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    """Kairos started after the kind was registered (and stopped before it goes away)."""
    async with running_kairos(make_settings(db_url, tmp_path)) as running:
        yield running


async def test_a_registered_kind_is_listed_with_its_defaults(echo_kairos: Running) -> None:
    listed = {t["resourceType"]: t for t in (await echo_kairos.client.get("/api/resource-types")).json()}
    assert {"HTTP", "TCP", "DOCKER", NAME} <= set(listed)
    echo = listed[NAME]
    assert (echo["intervalSeconds"], echo["parallelism"], echo["timeoutSeconds"]) == (45, 3, 2.0)
    assert (echo["outageThreshold"], echo["recoveryThreshold"]) == (4, 2)
    r = await echo_kairos.client.put(f"/api/resource-types/{NAME.lower()}", json={"intervalSeconds": 90})
    assert r.status_code == 200 and r.json()["intervalSeconds"] == 90


async def test_the_api_validates_its_options_and_target_by_its_own_rules(echo_kairos: Running) -> None:
    body = {"name": "bad", "resourceType": "echo", "target": "hello"}
    r = await echo_kairos.client.post("/api/resources", json={**body, "options": {"answer": "sideways"}})
    assert_error(r, 422, "validation_error", "options.answer")
    r = await echo_kairos.client.post("/api/resources", json={**body, "options": {"colour": "red"}})
    assert_error(r, 422, "validation_error", "options.colour")
    r = await echo_kairos.client.post("/api/resources", json={**body, "target": "two words"})
    assert_error(r, 422, "validation_error", "target")


async def test_the_scheduler_checks_it(echo_kairos: Running) -> None:
    up = await create_resource(echo_kairos, "Hello", name="echo up", resourceType=NAME, options={"answer": "up"})
    assert (up["resourceType"], up["target"], up["options"]) == (NAME, "hello", {"answer": "up", "note": ""})
    body = await wait_for_status(echo_kairos, up["id"], "available")
    assert body["currentStatus"] == "available"
    down = await create_resource(echo_kairos, "bye", name="echo down", resourceType=NAME, options={"answer": "down"})
    await wait_for_status(echo_kairos, down["id"], "not-available")


async def test_the_console_form_shows_its_fields(echo_kairos: Running) -> None:
    async with admin_browser(echo_kairos) as browser:
        page = await browser.get(f"/admin/resources/new?kind={NAME}")
        assert page.status_code == 200
        assert 'name="options.answer"' in page.text and 'name="options.note"' in page.text
        assert "One word, echoed back" in page.text and "What the check reports." in page.text
        assert 'name="skipTLS"' not in page.text  # it uses no TLS
        assert 'name="options.method"' not in page.text  # nothing of HTTP's form
        listing = await browser.get("/admin/resources")
        assert f"/admin/resources/new?kind={NAME}" in listing.text


def test_a_kind_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.spec_of("HTTP"))
