"""The real Content-Security-Policy in a real browser: every page works under it and nothing is refused.

Chromium reports a refused script, style or connection both as a console error ("Refused to ...", which the
``pages`` fixture turns into a failure) and as a ``securitypolicyviolation`` event, recorded here as well."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.api.loopback import Target, target
from tests.api.support import create_resource
from tests.browser.conftest import Pages

__all__ = ["target"]

_REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# Runs before any script of the page; CSP does not apply to scripts the browser itself injects.
_RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


async def _recording(pages: Pages) -> Page:
    await pages.context.add_init_script(_RECORD)
    return await pages.open("/login")


async def _no_violations(page: Page) -> None:
    assert await page.evaluate("window.__csp") == [], f"CSP violations on {page.url}"


async def test_the_pages_a_visitor_sees_run_under_the_policy(pages: Pages, target: Target) -> None:
    created = await create_resource(pages.kairos, target.url("/"), name="web")
    page = await _recording(pages)
    assert "script-src 'self'" in (await page.request.get(pages.kairos.url + "/")).headers["content-security-policy"]
    await page.goto(pages.kairos.url + "/")
    await expect(page.locator(f'li[data-id="{created["id"]}"]')).to_be_visible()
    await page.select_option("#theme-picker", "light")  # theme.js and kairos.js both ran
    await expect(page.locator("html")).to_have_attribute("data-theme", "light")
    await _no_violations(page)
    await page.goto(pages.kairos.url + f"/resources/{created['id']}")
    await expect(page.locator("h1")).to_contain_text("web")
    await _no_violations(page)
    for path in ("/outages", "/announcements", f"/embed/resources/{created['id']}"):
        await page.goto(pages.kairos.url + path)
        await _no_violations(page)


async def test_the_console_pages_run_under_the_policy(pages: Pages, target: Target) -> None:
    await create_resource(pages.kairos, target.url("/"), name="web")
    page = await _recording(pages)
    await pages.sign_in_as_admin(page)
    await _no_violations(page)
    await page.goto(pages.kairos.url + "/admin/resources")
    await expect(page.locator("tbody tr").first).to_be_visible()
    await _no_violations(page)
    await page.goto(pages.kairos.url + "/admin/groups")
    await _no_violations(page)
    await page.goto(pages.kairos.url + "/admin/announcements/new")
    await page.fill("#content", "Planned **maintenance**")
    await expect(page.locator("#preview-body strong")).to_have_text("maintenance")
    await _no_violations(page)
    await page.goto(pages.kairos.url + "/admin/instant-check")
    await page.fill("#target", target.url("/"))
    await page.click("#run")
    await expect(page.locator("#instant-result .verdict-status")).to_have_text("AVAILABLE")
    await _no_violations(page)


async def test_the_swagger_ui_lists_the_operations_under_the_policy(pages: Pages) -> None:
    page = await _recording(pages)
    await page.goto(pages.kairos.url + "/api")
    await expect(page.locator(".opblock").first).to_be_visible()
    await expect(page.locator("#swagger-ui")).to_contain_text("/api/resources")
    # Expanding an operation renders its parameters and schemas, which is where inline styles would show up.
    await page.locator(".opblock-summary").first.click()
    await expect(page.locator(".opblock-body").first).to_be_visible()
    await _no_violations(page)


async def test_redoc_renders_the_api_under_the_policy(pages: Pages) -> None:
    page = await _recording(pages)
    await page.goto(pages.kairos.url + "/api/redoc")
    await expect(page.locator(".api-content")).to_contain_text("/api/resources")
    # ReDoc always shows Redocly's logo from their CDN; the policy refuses it (no call home) and ReDoc then
    # drops the image. That refusal is the only one allowed.
    violations = await page.evaluate("window.__csp")
    assert all(v.startswith(f"img-src {_REDOC_LOGO}") for v in violations), violations
    pages.console_errors = [e for e in pages.console_errors if _REDOC_LOGO not in e]
    pages.foreign = [url for url in pages.foreign if url != _REDOC_LOGO]
    await expect(page.locator('img[alt="redocly logo"]')).to_have_count(0)


async def test_the_oauth2_redirect_page_runs_its_script_under_the_policy(pages: Pages) -> None:
    """Opened by Swagger UI as a pop-up; here the opener's callback is stubbed to see that the script ran."""
    page = await _recording(pages)
    await page.goto(pages.kairos.url + "/api")
    await expect(page.locator(".opblock").first).to_be_visible()
    await page.evaluate(
        """() => { window.swaggerUIRedirectOauth2 = {
             state: "s1", redirectUrl: "x", auth: {schema: {get: () => "implicit"}, name: "a"},
             callback: (r) => { window.__oauth = r; }, errCb: () => {} }; }"""
    )
    async with page.expect_popup() as popup_info:
        await page.evaluate("window.open('/api/oauth2-redirect#access_token=t1&state=s1')")
    popup = await popup_info.value
    await popup.wait_for_event("close")
    token = await page.evaluate("window.__oauth && window.__oauth.token")
    assert token == {"access_token": "t1", "state": "s1"}
    assert await page.evaluate("window.__oauth.isValid") is True
    await _no_violations(page)
