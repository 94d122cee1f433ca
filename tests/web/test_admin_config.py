"""/admin/config: export, preview an import, then apply it — through the console forms."""

from __future__ import annotations

from tests.harness import Running
from tests.web.pages import admin_browser, csrf_of

DOCUMENT = """\
apiVersion: kairos/v1
kind: KairosConfig
groups:
  - name: Web
    visibility: PUBLIC
resources:
  - name: Homepage
    type: HTTP
    target: http://127.0.0.1:9/
    groups: [Web]
"""


async def test_an_import_is_previewed_first_and_applied_only_on_request(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/config")
        assert page.status_code == 200 and 'href="/api/config/export"' in page.text
        form = {"csrf_token": csrf_of(page.text), "document": DOCUMENT, "action": "preview"}
        preview = await browser.post("/admin/config", data=form)
        assert preview.status_code == 200 and 'id="config-preview"' in preview.text
        assert "Homepage" in preview.text and 'id="apply"' in preview.text
        assert (await kairos.client.get("/api/resources")).json() == []
        applied = await browser.post("/admin/config", data={**form, "action": "apply"})
        assert 'id="config-applied"' in applied.text
        names = [r["name"] for r in (await kairos.client.get("/api/resources")).json()]
        assert names == ["Homepage"]
        again = await browser.post("/admin/config", data=form)
        assert 'id="config-nothing"' in again.text
        export = await browser.get("/api/config/export")
        assert export.status_code == 200 and "Homepage" in export.text


async def test_an_invalid_document_shows_its_line_and_field_and_changes_nothing(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/config")
        bad = DOCUMENT.replace("http://127.0.0.1:9/", "not a url")
        r = await browser.post(
            "/admin/config", data={"csrf_token": csrf_of(page.text), "document": bad, "action": "apply"}
        )
        assert r.status_code == 422 and 'id="config-error"' in r.text
        assert "document:9: resources[0].target" in r.text
        assert (await kairos.client.get("/api/resources")).json() == []


async def test_the_configuration_page_is_for_admins_only(kairos: Running) -> None:
    assert (await kairos.anon.get("/admin/config")).status_code == 303
