"""The console keeps what the API keeps: header values never reach a page (the edit form shows the mask and
saving it unchanged keeps the stored value), and a USER's resource list follows the group visibility rule."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx

from kairos.secrets_mask import MASK
from tests.api.loopback import GOOD_BASIC, Target, target
from tests.api.support import create_resource
from tests.harness import Running
from tests.web.pages import add_user, admin_browser, sign_in
from tests.web.resource_seed import add_group, add_resource

__all__ = ["target"]


class _FormFields(HTMLParser):
    """What a browser submits for the page's resource form as shown: text inputs, checked boxes, selected
    options and textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and (a.get("type") != "checkbox" or "checked" in a):
            self.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def _form_of(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html[html.index('class="form card resource-form"') :])
    return parser.fields


async def test_the_edit_form_shows_the_mask_and_saving_it_unchanged_keeps_the_header_value(
    kairos: Running, target: Target
) -> None:
    res = await create_resource(kairos, target.url("/auth"), options={"headers": {"Authorization": GOOD_BASIC}})
    async with admin_browser(kairos) as browser:
        page = await browser.get(f"/admin/resources/{res['id']}/edit")
        assert page.status_code == 200
        assert GOOD_BASIC not in page.text and "probe-secret" not in page.text
        fields = _form_of(page.text)
        assert fields["options.headers"] == f"Authorization: {MASK}"
        saved = await browser.post(f"/admin/resources/{res['id']}/edit", data=fields)
        assert saved.status_code == 303, saved.text
    # The target answers 200 only to the stored Authorization value: the mask was not saved over it.
    check = await kairos.client.post(f"/api/resources/{res['id']}/check")
    assert check.json()["status"] == "AVAILABLE", check.text


async def test_the_mask_on_a_new_resource_is_refused_next_to_the_headers_field(kairos: Running, target: Target) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources/new?kind=HTTP")
        fields = {**_form_of(page.text), "name": "n", "target": target.url("/"), "options.headers": f"X-Key: {MASK}"}
        refused = await browser.post("/admin/resources/new?kind=HTTP", data=fields)
    assert refused.status_code == 422 and 'id="opt-headers-error"' in refused.text
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_a_user_does_not_see_hidden_resources_their_targets_or_hidden_groups(kairos: Running) -> None:
    hidden = await add_group(kairos, "secret-ops", "HIDDEN")
    edge = await add_group(kairos, "edge-public", "PUBLIC")
    await add_resource(kairos, "vault-db", group=hidden, target="http://vault.internal/")
    shared = await add_resource(kairos, "front-web", group=edge, target="http://front.internal/")
    await kairos.client.put(f"/api/resources/{shared}", json={"groupIds": [edge, hidden]})
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        assert (await sign_in(browser, "viewer@example.com", "viewer-password-1")).status_code == 303
        pages = {
            "list": await browser.get("/admin/resources"),
            "searched": await browser.get("/admin/resources?q=vault"),
            "by hidden group": await browser.get(f"/admin/resources?group={hidden}"),
        }
        for what, page in pages.items():
            assert page.status_code == 200, what
            for secret in ("vault-db", "vault.internal", "secret-ops"):
                assert secret not in page.text, (what, secret)
        assert "front-web" in pages["list"].text and "edge-public" in pages["list"].text
        assert "front-web" not in pages["by hidden group"].text
        assert "1 of 1 resources" in pages["list"].text
    async with admin_browser(kairos) as admin:
        listing = (await admin.get("/admin/resources")).text
    assert "vault-db" in listing and "secret-ops" in listing


async def test_a_users_console_summary_counts_only_the_resources_they_may_see(kairos: Running) -> None:
    hidden = await add_group(kairos, "secret-ops", "HIDDEN")
    edge = await add_group(kairos, "edge-public", "PUBLIC")
    for name in ("vault-db", "vault-kms", "vault-hsm"):
        await add_resource(kairos, name, group=hidden, target="http://vault.internal/")
    await add_resource(kairos, "front-web", group=edge, target="http://front.internal/")
    await add_user(kairos, "viewer@example.com", "viewer-password-1")

    def total(html: str) -> str:
        return html.split('<span class="stat-value">', 1)[1].split("<", 1)[0]

    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        assert (await sign_in(browser, "viewer@example.com", "viewer-password-1")).status_code == 303
        home = await browser.get("/admin")
    assert home.status_code == 200 and total(home.text) == "1"
    async with admin_browser(kairos) as admin:
        assert total((await admin.get("/admin")).text) == "4"
