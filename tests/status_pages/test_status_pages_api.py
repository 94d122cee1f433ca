"""``/api/status-pages``: CRUD by admins only, validation with precise errors, the logo upload's rules."""

from __future__ import annotations

import pytest

from tests.api.support import assert_error
from tests.harness import Running
from tests.status_pages.support import PNG, group, page
from tests.web.pages import add_user


async def test_an_admin_creates_reads_edits_and_deletes_a_status_page(kairos: Running) -> None:
    g1, g2 = await group(kairos, "Web"), await group(kairos, "Databases")
    a = (await kairos.client.post("/api/announcements", json={"content": "Upgrade tonight"})).json()["id"]
    created = await page(
        kairos, description="**Hello** <script>x()</script>", groupIds=[g2, g1], announcementIds=[a],
        domain="Status.Example.COM",
    )  # fmt: skip
    assert created["slug"] == "main" and created["url"] == "/status/main"
    assert created["groupIds"] == [g2, g1] and created["announcementIds"] == [a]
    assert created["descriptionHtml"] == "<p><strong>Hello</strong> </p>\n"
    assert created["domain"] == "status.example.com" and created["logoUrl"] is None
    url = f"/api/status-pages/{created['id']}"
    assert (await kairos.client.get(url)).json() == created
    assert [p["id"] for p in (await kairos.client.get("/api/status-pages")).json()] == [created["id"]]

    r = await kairos.client.put(url, json={"title": "Status", "groupIds": [g1], "domain": None})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Status" and r.json()["groupIds"] == [g1] and r.json()["domain"] is None
    assert r.json()["announcementIds"] == [a]  # left out: kept

    assert (await kairos.client.delete(url)).status_code == 204
    assert_error(await kairos.client.get(url), 404, "not_found")


async def test_only_admins_may_read_or_write_status_pages(kairos: Running) -> None:
    await add_user(kairos, "user@example.com", "a-good-password-1")
    assert_error(await kairos.anon.get("/api/status-pages"), 401, "unauthorized")
    assert_error(await kairos.anon.post("/api/status-pages", json={"slug": "x", "title": "x"}), 401, "unauthorized")
    auth = ("user@example.com", "a-good-password-1")
    r = await kairos.anon.post("/api/status-pages", json={"slug": "x", "title": "x"}, auth=auth)
    assert_error(r, 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "Has Space", "title": "x"}, "slug"),
        ({"slug": "-edge", "title": "x"}, "slug"),
        ({"slug": "a" * 65, "title": "x"}, "slug"),
        ({"slug": "ok", "title": " "}, "title"),
        ({"slug": "ok", "title": "x", "domain": "127.0.0.1"}, "domain"),
        ({"slug": "ok", "title": "x", "domain": "localhost"}, "domain"),
        ({"slug": "ok", "title": "x", "domain": "app.localhost"}, "domain"),
        ({"slug": "ok", "title": "x", "domain": "https://status.example.com/"}, "domain"),
        ({"slug": "ok", "title": "x", "domain": "status.example.com:8080"}, "domain"),
        ({"slug": "ok", "title": "x", "domain": "*.example.com"}, "domain"),
        ({"slug": "ok", "title": "x", "groupIds": [1, 1]}, "groupIds"),
        ({"slug": "ok", "title": "x", "groupIds": [999]}, "groupIds[0]"),
        ({"slug": "ok", "title": "x", "announcementIds": [999]}, "announcementIds[0]"),
        ({"slug": "ok", "title": "x", "logo": "x"}, "logo"),
    ],
)
async def test_bad_input_is_refused_with_the_field_named(kairos: Running, body: dict[str, object], field: str) -> None:
    assert_error(await kairos.client.post("/api/status-pages", json=body), 422, "validation_error", field)


async def test_a_slug_or_domain_in_use_is_a_conflict(kairos: Running) -> None:
    await page(kairos, domain="status.example.com")
    r = await kairos.client.post("/api/status-pages", json={"slug": "main", "title": "x"})
    assert_error(r, 409, "conflict", "slug")
    r = await kairos.client.post("/api/status-pages", json={"slug": "b", "title": "x", "domain": "status.example.com"})
    assert_error(r, 409, "conflict", "domain")


async def test_a_logo_is_stored_and_served_as_an_image_with_a_csp_that_allows_nothing(kairos: Running) -> None:
    created = await page(kairos)
    r = await kairos.client.put(f"/api/status-pages/{created['id']}/logo", content=PNG,
                                headers={"content-type": "text/html"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["logoUrl"] == "/status/main/logo"
    logo = await kairos.anon.get("/status/main/logo")
    assert logo.status_code == 200 and logo.content == PNG
    assert logo.headers["content-type"] == "image/png"  # sniffed, not the claimed text/html
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert logo.headers["content-security-policy"] == "default-src 'none'; sandbox"

    r = await kairos.client.delete(f"/api/status-pages/{created['id']}/logo")
    assert r.json()["logoUrl"] is None
    assert (await kairos.anon.get("/status/main/logo")).status_code == 404


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 422, "logo_type"),
        (b"<html><script>alert(1)</script></html>", 422, "logo_type"),
        (b"", 422, "logo_empty"),
        (PNG + b"\0" * (256 * 1024), 413, "logo_too_large"),
    ],
)
async def test_a_logo_that_is_not_a_small_raster_image_is_refused(
    kairos: Running, data: bytes, status: int, code: str
) -> None:
    created = await page(kairos)
    r = await kairos.client.put(f"/api/status-pages/{created['id']}/logo", content=data,
                                headers={"content-type": "image/svg+xml"})  # fmt: skip
    assert_error(r, status, code)
    assert (await kairos.anon.get("/status/main/logo")).status_code == 404


async def test_deleting_a_group_takes_it_off_the_page(kairos: Running) -> None:
    g1, g2 = await group(kairos, "Web"), await group(kairos, "Databases")
    created = await page(kairos, groupIds=[g1, g2])
    assert (await kairos.client.delete(f"/api/groups/{g1}")).status_code == 204
    assert (await kairos.client.get(f"/api/status-pages/{created['id']}")).json()["groupIds"] == [g2]
