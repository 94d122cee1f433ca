"""The groups board in a real browser: drag a resource to another group, drag a group, move with the keyboard;
every change is saved through the order API and survives a reload."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Pages
from tests.harness import Running


async def setup(kairos: Running) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name in ("web", "ops"):
        ids[name] = (await kairos.client.post("/api/groups", json={"name": name})).json()["id"]
    for name, group in (("shop", "web"), ("blog", "web"), ("db", "ops")):
        body: dict[str, Any] = {"name": name, "resourceType": "TCP", "target": "127.0.0.1:9", "active": False}
        body["groupIds"] = [ids[group]]
        ids[name] = (await kairos.client.post("/api/resources", json=body)).json()["id"]
    await kairos.client.put(f"/api/groups/{ids['web']}/order", json={"resourceIds": [ids["shop"], ids["blog"]]})
    return ids


async def members(kairos: Running, group_id: int) -> list[str]:
    return [m["name"] for m in (await kairos.client.get(f"/api/groups/{group_id}/resources")).json()]


def column(page: Page, name: str) -> Locator:
    return page.locator(".group-col", has=page.locator("h3", has_text=name))


def names(page: Page, group: str) -> Locator:
    return column(page, group).locator(".member .name")


async def open_board(pages: Pages) -> Page:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/groups")
    await expect(page.locator(".group-col .handle").first).to_be_visible()  # the script has drawn the board
    return page


async def test_dragging_a_resource_to_another_group_moves_it_and_survives_a_reload(pages: Pages) -> None:
    ids = await setup(pages.kairos)
    page = await open_board(pages)
    await (
        names(page, "web")
        .filter(has_text="blog")
        .drag_to(column(page, "ops").locator(".members"), target_position={"x": 20, "y": 2})
    )
    await expect(page.locator("#board-status")).to_have_text("Saved: blog moved to ops.")
    assert await members(pages.kairos, ids["ops"]) == ["blog", "db"]
    assert await members(pages.kairos, ids["web"]) == ["shop"]
    # The count table under the board follows the move at once, not only after a reload.
    await expect(page.locator(f"#edit-{ids['web']} td.count")).to_have_text("1")
    await expect(page.locator(f"#edit-{ids['ops']} td.count")).to_have_text("2")
    await page.reload()
    await expect(names(page, "ops")).to_have_text(["blog", "db"])
    await expect(names(page, "web")).to_have_text(["shop"])
    # Onto Ungrouped: it leaves the group it came from.
    await names(page, "web").filter(has_text="shop").drag_to(column(page, "Ungrouped").locator(".members"))
    await expect(page.locator("#board-status")).to_have_text("Saved: shop left web.")
    await expect(names(page, "Ungrouped")).to_have_text(["shop"])
    assert await members(pages.kairos, ids["web"]) == []
    await expect(page.locator(f"#edit-{ids['web']} td.count")).to_have_text("0")
    await expect(page.locator(f"#edit-{ids['web']} .confirm-box p")).to_contain_text("Its 0 resource(s) stay")


async def test_dragging_a_group_header_reorders_the_groups(pages: Pages) -> None:
    await setup(pages.kairos)
    page = await open_board(pages)
    await expect(page.locator(".group-col h3")).to_have_text(["web", "ops", "Ungrouped"])
    ops_head = column(page, "ops").locator(".group-head h3")
    web = column(page, "web")
    await ops_head.drag_to(web, target_position={"x": 5, "y": 30})
    await expect(page.locator("#board-status")).to_have_text("Saved: group ops is number 1.")
    assert [g["name"] for g in (await pages.kairos.client.get("/api/groups")).json()] == ["ops", "web"]
    await page.reload()
    await expect(page.locator(".group-col h3")).to_have_text(["ops", "web", "Ungrouped"])


async def test_the_keyboard_moves_resources_and_groups_without_a_mouse(pages: Pages) -> None:
    ids = await setup(pages.kairos)
    page = await open_board(pages)
    blog = column(page, "web").locator(".member", has_text="blog")
    await blog.focus()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator("#board-status")).to_have_text("Saved: blog is number 1 in web.")
    assert await members(pages.kairos, ids["web"]) == ["blog", "shop"]
    # Focus stays on the moved resource, so the keys can be pressed again.
    await expect(column(page, "web").locator(".member", has_text="blog")).to_be_focused()
    await page.keyboard.press("Alt+ArrowRight")
    await expect(page.locator("#board-status")).to_have_text("Saved: blog moved to ops.")
    await expect(column(page, "ops").locator(".member", has_text="blog")).to_be_focused()
    assert await members(pages.kairos, ids["ops"]) == ["db", "blog"]
    # The "Move or add" list: add db to web as well, keeping it in ops.
    db = column(page, "ops").locator(".member", has_text="db")
    await db.locator("select").select_option(label="Also add to web")
    await db.get_by_role("button", name="Apply the choice for db").click()
    await expect(page.locator("#board-status")).to_have_text("Saved: db added to web.")
    assert await members(pages.kairos, ids["web"]) == ["shop", "db"]
    assert await members(pages.kairos, ids["ops"]) == ["db", "blog"]
    # A group's handle moves the group.
    await column(page, "ops").locator(".group-handle").focus()
    await page.keyboard.press("Alt+ArrowLeft")
    await expect(page.locator("#board-status")).to_have_text("Saved: group ops is number 1.")
    await page.reload()
    await expect(page.locator(".group-col h3")).to_have_text(["ops", "web", "Ungrouped"])
    await expect(names(page, "web")).to_have_text(["shop", "db"])


async def test_a_refused_change_is_reported_and_the_board_shows_what_is_stored(pages: Pages) -> None:
    ids = await setup(pages.kairos)
    page = await open_board(pages)
    # Someone else deletes a resource the board still shows.
    await pages.kairos.client.delete(f"/api/resources/{ids['blog']}")
    pages.expect_failures = True
    await column(page, "web").locator(".member", has_text="shop").focus()
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page.locator("#board-status")).to_contain_text("Not saved: resourceIds[0]: resource")
    await expect(names(page, "web")).to_have_text(["shop"])


async def touch(page: Page, kind: str, x: float, y: float, target: str) -> None:
    await page.eval_on_selector(
        target,
        """(node, a) => node.dispatchEvent(new PointerEvent(a.kind, {pointerId: 7, pointerType: "touch",
            clientX: a.x, clientY: a.y, bubbles: true, cancelable: true, isPrimary: true}))""",
        {"kind": kind, "x": x, "y": y},
    )


async def test_a_finger_drags_a_resource_by_its_handle(pages: Pages) -> None:
    ids = await setup(pages.kairos)
    page = await open_board(pages)
    handle = column(page, "web").locator(".member", has_text="shop").locator(".handle")
    start = await handle.bounding_box()
    goal = await column(page, "ops").locator(".member", has_text="db").bounding_box()
    assert start and goal
    shop = f'.group-col[data-group-id="{ids["web"]}"] .member[data-resource-id="{ids["shop"]}"] .handle'
    await touch(page, "pointerdown", start["x"] + 3, start["y"] + 3, shop)
    end_x, end_y = goal["x"] + 10, goal["y"] + goal["height"] - 2  # the lower half of db: after it
    await touch(page, "pointermove", end_x, end_y, shop)
    await expect(page.locator(".drag-ghost")).to_have_count(1)
    await touch(page, "pointerup", end_x, end_y, shop)
    await expect(page.locator("#board-status")).to_have_text("Saved: shop moved to ops.")
    await expect(page.locator(".drag-ghost")).to_have_count(0)
    assert await members(pages.kairos, ids["ops"]) == ["db", "shop"]
    assert await members(pages.kairos, ids["web"]) == ["blog"]
