"""The discovery page: sources added, edited and deleted through forms, a preview and a sync against a real
registry (the discovery tests' own, tests/discovery/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.discovery.conftest import discovery_registry  # noqa: F401  (the session's registry fixture)
from tests.harness import Running
from tests.servers.ports import free_port
from tests.servers.registry import Registry
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in


def form(**fields: Any) -> dict[str, str]:
    base = {"name": "team", "prefix": "registry.example.com/team", "tagFilter": "", "intervalSeconds": "3600",
            "parallelism": "1", "username": "", "password": "", "active": "on"}  # fmt: skip
    return {**base, **fields}


async def sources(kairos: Running) -> list[dict[str, Any]]:
    return list((await kairos.client.get("/api/discovery-sources")).json())


async def test_a_source_is_added_edited_and_deleted_through_the_forms(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        assert "No discovery sources yet." in (await browser.get("/admin/discovery")).text
        r = await post_form(
            browser, "/admin/discovery/new", form(recursive="on", tagFilter="v*", username="ci", password="s3cret")
        )
        assert r.status_code == 303 and r.headers["location"] == "/admin/discovery?done=created"
        (source,) = await sources(kairos)
        assert (source["recursive"], source["tagFilter"], source["hasPassword"]) == (True, "v*", True)
        listing = await browser.get("/admin/discovery")
        assert "registry.example.com/team" in listing.text and "<code>v*</code>" in listing.text
        edit = await browser.get(f"/admin/discovery/{source['id']}")
        assert "s3cret" not in edit.text and "A password is stored" in edit.text
        assert 'id="f-recursive" name="recursive" type="checkbox" checked' in edit.text
        # Blank password keeps it; unticked boxes turn off.
        r = await post_form(browser, f"/admin/discovery/{source['id']}", form(name="team 2", username="ci"))
        assert r.status_code == 303
        (source,) = await sources(kairos)
        assert (source["name"], source["recursive"], source["tagFilter"], source["hasPassword"]) == (
            "team 2", False, None, True,
        )  # fmt: skip
        r = await post_form(browser, f"/admin/discovery/{source['id']}", form(username="ci", removePassword="on"))
        assert (await sources(kairos))[0]["hasPassword"] is False
        r = await post_form(browser, f"/admin/discovery/{source['id']}/delete", {}, page="/admin/discovery")
        assert r.status_code == 303 and r.headers["location"] == "/admin/discovery?done=deleted"
        assert await sources(kairos) == []


async def test_the_form_refuses_what_the_api_refuses_and_names_the_field(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/discovery/new", form(prefix="h:1/Bad"), page="/admin/discovery/new")
        assert r.status_code == 422 and 'id="f-prefix-error"' in r.text
        r = await post_form(browser, "/admin/discovery/new", form(tagFilter="re:("), page="/admin/discovery/new")
        assert r.status_code == 422 and 'id="f-tagFilter-error"' in r.text
        r = await post_form(browser, "/admin/discovery/new", form(intervalSeconds="5", password="p4ss"))
        assert r.status_code == 422 and 'id="f-intervalSeconds-error"' in r.text
        assert "p4ss" not in r.text  # a refused form does not echo the password either
        r = await post_form(browser, "/admin/discovery/new", form(parallelism="lots"))
        assert r.status_code == 422 and 'id="f-parallelism-error"' in r.text
        assert (await browser.get("/admin/discovery/4242")).status_code == 404
    assert await sources(kairos) == []


async def test_preview_then_sync_against_a_real_registry(
    kairos: Running,
    discovery_registry: Registry,  # noqa: F811
) -> None:
    async with admin_browser(kairos) as browser:
        await post_form(
            browser, "/admin/discovery/new", form(prefix=f"{discovery_registry.host}/team", insecureHttp="on")
        )
        (source,) = await sources(kairos)
        page = await browser.get("/admin/discovery")
        preview = await browser.post(
            f"/admin/discovery/{source['id']}/sync", data={"csrf_token": csrf_of(page.text), "dryRun": "1"}
        )
        assert preview.status_code == 200 and "nothing was changed" in preview.text
        assert f"<code>{discovery_registry.host}/team/app:v1</code>" in preview.text
        assert (await kairos.client.get(f"/api/discovery-sources/{source['id']}/resources")).json() == []
        synced = await browser.post(f"/admin/discovery/{source['id']}/sync", data={"csrf_token": csrf_of(page.text)})
        assert "Created (" in synced.text
        made = (await kairos.client.get(f"/api/discovery-sources/{source['id']}/resources")).json()
        assert f"{discovery_registry.host}/team/app:v1" in {m["target"] for m in made}
        listing = await browser.get("/admin/discovery")
        row = re.search(r'<tr data-source-id="\d+">.*?</tr>', listing.text, re.S)
        assert row and '<span class="badge badge-up">ok</span>' in row.group(0)
        assert f"<td>{len(made)}</td>" in row.group(0)


async def test_a_registry_that_cannot_be_listed_is_reported_not_a_crash(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        await post_form(browser, "/admin/discovery/new", form(prefix=f"127.0.0.1:{free_port()}/x", insecureHttp="on"))
        (source,) = await sources(kairos)
        page = await browser.get("/admin/discovery")
        r = await browser.post(f"/admin/discovery/{source['id']}/sync", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 200 and "could not be listed" in r.text
        listing = await browser.get("/admin/discovery")
        assert '<span class="badge badge-down">error</span>' in listing.text


async def test_the_discovery_page_is_for_admins_only(kairos: Running) -> None:
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert (await browser.get("/admin/discovery")).status_code == 403
        assert (await browser.get("/admin/discovery/new")).status_code == 403
    assert (await kairos.anon.get("/admin/discovery")).status_code == 303
