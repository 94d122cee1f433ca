"""A new API key in a real browser: the form redirects to a page that shows the key once; reloading that page
makes no second key and says the key cannot be shown again; the key is in no URL and no Referer."""

from __future__ import annotations

from playwright.async_api import Request, expect

from tests.browser.conftest import Pages


async def test_reloading_the_created_page_makes_no_second_key_and_leaks_it_nowhere(pages: Pages) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    sent: list[tuple[str, str]] = []

    def record(request: Request) -> None:
        sent.append((request.url, request.headers.get("referer", "")))

    page.on("request", record)
    await page.goto(pages.kairos.url + "/admin/api-keys")
    await page.fill("#key-name", "ci deploy")
    await page.click("#create-key button[type=submit]")
    await page.wait_for_url("**/admin/api-keys/created")
    key = await page.locator("#new-key").input_value()
    assert key.startswith("kai_")
    await expect(page.locator("#copy-key")).to_be_visible()  # the page's script ran under the CSP
    await page.reload()
    await expect(page.locator("#key-gone")).to_contain_text("cannot be shown again")
    await expect(page.locator("#new-key")).to_have_count(0)
    await page.click("#key-gone a")  # back to the list: a request whose Referer is the created page
    await page.wait_for_url("**/admin/api-keys")
    names = [k["name"] for k in (await pages.kairos.client.get("/api/api-keys")).json() if k["name"] != "tests"]
    assert names == ["ci deploy"]
    assert sent and all(key not in url and key not in referer for url, referer in sent)
