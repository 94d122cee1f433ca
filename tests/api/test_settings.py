"""Site settings through the REST API: public to read, admin to write, effective at once."""

from __future__ import annotations

from kairos.services.site import load_site
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import add_user


async def test_anyone_reads_the_settings(kairos: Running) -> None:
    answer = await kairos.anon.get("/api/settings")
    assert answer.status_code == 200
    assert answer.json() == {"title": "Kairos", "showTargets": True, "timeZone": "UTC", "availabilityDecimals": 2}


async def test_an_admin_changes_the_title_and_every_page_shows_it_at_once(kairos: Running) -> None:
    answer = await kairos.client.put("/api/settings", json={"title": "  Ops status  "})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "title": "Ops status",
        "showTargets": True,
        "timeZone": "UTC",
        "availabilityDecimals": 2,
    }  # left out: kept
    page = await kairos.anon.get("/login")
    assert '<a class="brand" href="/">Ops status</a>' in page.text
    assert (await kairos.anon.get("/api/settings")).json()["title"] == "Ops status"
    async with kairos.runtime.sessionmaker() as session:
        stored = await load_site(session)
    assert stored.title == "Ops status"


async def test_hiding_targets_is_kept_and_read_back(kairos: Running) -> None:
    answer = await kairos.client.put("/api/settings", json={"showTargets": False})
    assert answer.json() == {"title": "Kairos", "showTargets": False, "timeZone": "UTC", "availabilityDecimals": 2}
    assert kairos.runtime.site.show_targets is False


async def test_bad_settings_are_refused_with_the_field_named(kairos: Running) -> None:
    assert_error(await kairos.client.put("/api/settings", json={"title": "   "}), 422, "validation_error", "title")
    assert_error(await kairos.client.put("/api/settings", json={"title": "x" * 101}), 422, "validation_error",
                 "title")  # fmt: skip
    assert_error(await kairos.client.put("/api/settings", json={"title": "a\nb"}), 422, "validation_error", "title")
    assert_error(await kairos.client.put("/api/settings", json={"title": None}), 422, "validation_error", "title")
    assert_error(await kairos.client.put("/api/settings", json={"theme": "x"}), 422, "validation_error", "theme")
    assert (await kairos.anon.get("/api/settings")).json()["title"] == "Kairos"


async def test_only_an_admin_may_change_the_settings(kairos: Running) -> None:
    assert_error(await kairos.anon.put("/api/settings", json={"title": "x"}), 401, "unauthorized")
    await add_user(kairos, "user@example.com", "user-password")
    r = await kairos.anon.put("/api/settings", json={"title": "x"}, auth=("user@example.com", "user-password"))
    assert_error(r, 403, "forbidden")
    assert_error(
        await kairos.anon.get("/api/settings", headers={"Authorization": "Bearer kai_wrong"}), 401, "unauthorized"
    )
