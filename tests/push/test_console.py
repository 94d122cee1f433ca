"""PUSH resources in the console, over plain HTTP against a running Kairos: the form without a target URL, the
ping URL shown once (after creating and after rotating), and the resource page's last ping."""

from __future__ import annotations

import html
import re

import httpx

from tests.api.support import wait_for_status
from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

_URL = re.compile(r'id="push-url"[^>]*value="([^"]+)"')
_NEW = "/admin/resources/new?kind=PUSH"


def _ping_url(page: str) -> str:
    match = _URL.search(page)
    assert match, page
    return html.unescape(match.group(1))


def _rid(page: str) -> int:
    match = re.search(r'href="/resources/(\d+)"', page)
    assert match, page
    return int(match.group(1))


async def _create(browser: httpx.AsyncClient, **fields: str) -> httpx.Response:
    """Post the form; a created resource redirects (303) to the page that shows its ping URL once."""
    form = {"name": "nightly backup", "target": "", "active": "on", "options.graceSeconds": "60", **fields}
    r = await post_form(browser, _NEW, form)
    if r.status_code != 303:
        return r
    assert re.fullmatch(r"/admin/resources/\d+/ping-url", r.headers["location"]), r.headers
    return await browser.get(r.headers["location"])


async def test_the_push_form_has_a_note_instead_of_a_target_url(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = (await browser.get(_NEW)).text
    assert "Note (optional)" in page and "Kairos contacts nothing" in page
    assert 'name="options.periodSeconds"' in page and 'name="options.graceSeconds"' in page
    target_input = re.search(r'<input[^>]*id="target"[^>]*>', page)
    assert target_input and "required" not in target_input.group(0)


async def test_creating_a_push_resource_shows_its_ping_url_once_and_it_works(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await _create(browser)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        url = _ping_url(r.text)
        assert url.startswith(f"{kairos.url}/api/push/kp_")
        token = url.rsplit("/", 1)[1]
        assert f"curl -fsS -m 10 --retry 3 {url}" in html.unescape(r.text)  # the curl and cron lines
        assert f"{url}/fail" in html.unescape(r.text) and 'id="copy-key"' in r.text
        rid = _rid(r.text)
        for later in ("/admin/resources", f"/admin/resources/{rid}/edit", f"/resources/{rid}"):
            shown = (await browser.get(later)).text
            assert token not in shown and token[:7] not in later
    detail = (await kairos.client.get(f"/api/resources/{rid}")).json()
    assert detail["target"] == "nightly backup"  # an empty note: the name
    assert (await kairos.anon.get(url, params={"msg": "42 files"})).status_code == 200
    await wait_for_status(kairos, rid, "available")


async def test_a_refused_push_form_issues_no_token(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await _create(browser, **{"options.graceSeconds": "-5"})
        assert r.status_code == 422 and 'id="push-url"' not in r.text
    assert [x for x in (await kairos.client.get("/api/resources")).json() if x["resourceType"] == "PUSH"] == []


async def test_rotating_in_the_console_asks_first_and_shows_a_new_url_once(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        created = (await _create(browser, target="backup@db1")).text
        old, rid = _ping_url(created), _rid(created)
        edit = (await browser.get(f"/admin/resources/{rid}/edit")).text
        assert f'href="/admin/resources/{rid}/push-token"' in edit
        confirm = await browser.get(f"/admin/resources/{rid}/push-token")
        assert confirm.status_code == 200 and "stops working at once" in confirm.text
        assert old.rsplit("/", 1)[1][:7] in confirm.text  # which token goes
        posted = await post_form(
            browser, f"/admin/resources/{rid}/push-token", {}, page=f"/admin/resources/{rid}/push-token"
        )
        assert posted.status_code == 303 and posted.headers["location"] == f"/admin/resources/{rid}/ping-url"
        r = await browser.get(posted.headers["location"])
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        new = _ping_url(r.text)
        assert new != old and "previous URL has stopped working" in r.text
    assert (await kairos.anon.get(old)).status_code == 404
    assert (await kairos.anon.get(new)).status_code == 200


async def test_rotating_needs_an_admin_a_csrf_token_and_a_push_resource(kairos: Running) -> None:
    other = await kairos.client.post(
        "/api/resources", json={"name": "t", "resourceType": "TCP", "target": "127.0.0.1:9"}
    )
    tcp = other.json()["id"]
    push = (
        await kairos.client.post("/api/resources", json={"name": "p", "resourceType": "PUSH", "target": "x"})
    ).json()
    async with admin_browser(kairos) as browser:
        assert (await browser.get(f"/admin/resources/{tcp}/push-token")).status_code == 409
        r = await post_form(browser, f"/admin/resources/{tcp}/push-token", {}, page="/admin")
        assert r.status_code == 409
        assert (await browser.get("/admin/resources/4242/push-token")).status_code == 404
        r = await browser.post(f"/admin/resources/{push['id']}/push-token", data={"csrf_token": "wrong"})
        assert r.status_code in (400, 403) and 'id="push-url"' not in r.text
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as user:
        await sign_in(user, "user@example.com", "user-password")
        page = await user.get("/admin")
        r = await user.post(f"/admin/resources/{push['id']}/push-token", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 403
    assert (await kairos.anon.get(push["push"]["pushUrl"])).status_code == 200  # still the same token


async def test_the_resource_page_shows_the_last_ping_and_only_admins_its_source_and_body(kairos: Running) -> None:
    created = (
        await kairos.client.post("/api/resources", json={"name": "job", "resourceType": "PUSH", "target": "cron"})
    ).json()
    rid, url = created["id"], created["push"]["pushUrl"]
    before = (await kairos.anon.get(f"/resources/{rid}")).text
    assert 'id="push-last"' in before and "never" in before
    r = await kairos.anon.post(url, params={"status": "down", "msg": "disk <full>"}, content=b"tar: secret-path/x")
    assert r.status_code == 200
    async with admin_browser(kairos) as browser:
        page = (await browser.get(f"/resources/{rid}")).text
    assert 'id="push-signal">failure' in page and "disk &lt;full&gt;" in page
    assert 'id="push-source">127.0.0.1' in page and "tar: secret-path/x" in page
    assert f'href="/admin/resources/{rid}/push-token"' in page
    public = (await kairos.anon.get(f"/resources/{rid}")).text
    assert "disk &lt;full&gt;" in public and 'id="push-count">1' in public
    assert "secret-path" not in public and 'id="push-source"' not in public and "push-token" not in public
    tcp = (
        await kairos.client.post("/api/resources", json={"name": "t", "resourceType": "TCP", "target": "127.0.0.1:9"})
    ).json()
    assert 'id="push"' not in (await kairos.anon.get(f"/resources/{tcp['id']}")).text
