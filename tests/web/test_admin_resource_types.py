"""The console's resource-type settings: the API's validation, and the scheduler using a change at once."""

from __future__ import annotations

import httpx

from kairos.probes.base import Kind
from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

VALID = {
    "intervalSeconds": "30",
    "timeoutSeconds": "2.5",
    "parallelism": "7",
    "outageThreshold": "4",
    "recoveryThreshold": "1",
}


async def test_saving_a_kind_updates_the_scheduler_and_the_api_at_once(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resource-types")
        assert page.status_code == 200 and 'id="form-docker"' in page.text
        r = await post_form(browser, "/admin/resource-types/tcp", VALID, "/admin/resource-types")
        assert r.status_code == 303 and r.headers["location"] == "/admin/resource-types?saved=TCP"
        assert "Saved the TCP port settings." in (await browser.get(r.headers["location"])).text
    tcp = kairos.runtime.scheduler.types[Kind.TCP]
    assert (tcp.interval_s, tcp.timeout_s, tcp.parallelism, tcp.outage_threshold, tcp.recovery_threshold) == (
        30,
        2.5,
        7,
        4,
        1,
    )
    listed = {t["resourceType"]: t for t in (await kairos.client.get("/api/resource-types")).json()}
    assert listed["TCP"]["parallelism"] == 7 and listed["HTTP"]["parallelism"] == 5


async def test_out_of_range_values_are_refused_next_to_their_field_and_kept(kairos: Running) -> None:
    before = kairos.runtime.scheduler.types[Kind.HTTP]
    async with admin_browser(kairos) as browser:
        bad = {**VALID, "intervalSeconds": "2", "parallelism": "", "outageThreshold": "many"}
        r = await post_form(browser, "/admin/resource-types/HTTP", bad, "/admin/resource-types")
        assert r.status_code == 422
        assert 'id="http-intervalSeconds-error">Enter whole seconds between 5 and 86,400.' in r.text
        assert 'id="http-parallelism-error">This is required.' in r.text
        assert 'id="http-outageThreshold-error"' in r.text and 'value="many"' in r.text
        assert 'id="tcp-intervalSeconds-error"' not in r.text
    assert kairos.runtime.scheduler.types[Kind.HTTP] == before


async def test_a_user_without_the_admin_role_can_read_but_not_save(kairos: Running) -> None:
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "viewer@example.com", "viewer-password-1")
        page = await browser.get("/admin/resource-types")
        assert page.status_code == 200 and "Save HTTP" not in page.text
        r = await browser.post("/admin/resource-types/HTTP", data={"csrf_token": csrf_of(page.text), **VALID})
        assert r.status_code == 403
    assert kairos.runtime.scheduler.types[Kind.HTTP].interval_s == 60


async def test_an_unknown_kind_is_a_404_page(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/resource-types/FTP", VALID, "/admin/resource-types")
        assert r.status_code == 404
