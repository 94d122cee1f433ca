"""Kubernetes sources and latest-only through the console's forms and ``kairos discovery list``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.discovery.test_cli_and_loop import cli, cli_env
from tests.harness import Running
from tests.web.pages import admin_browser, post_form

KUBE: dict[str, str | list[str]] = {
    "name": "cluster", "kind": "KUBERNETES", "intervalSeconds": "600", "parallelism": "1", "active": "on",
    "apiUrl": "https://api.cluster.example.com:6443", "token": "kube-s3cret", "namespaces": "prod, ops",
    "objectKinds": ["ROUTE", "INGRESS"], "annotationOnly": "on",
    # The registry fields of the same form, as a browser without the script sends them: ignored.
    "prefix": "", "tagFilter": "", "username": "", "password": "",
}  # fmt: skip


async def sources(kairos: Running) -> list[dict[str, Any]]:
    return list((await kairos.client.get("/api/discovery-sources")).json())


async def test_a_kubernetes_source_is_added_and_edited_through_the_form(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/discovery/new", KUBE)
        assert r.status_code == 303, r.text
        (source,) = await sources(kairos)
        assert (source["kind"], source["namespaces"], source["objectKinds"], source["annotationOnly"]) == (
            "KUBERNETES", ["prod", "ops"], ["ROUTE", "INGRESS"], True,
        )  # fmt: skip
        assert source["hasToken"] is True and source["prefix"] is None
        listing = await browser.get("/admin/discovery")
        assert "https://api.cluster.example.com:6443" in listing.text and "annotated only" in listing.text
        edit = await browser.get(f"/admin/discovery/{source['id']}")
        assert "kube-s3cret" not in edit.text and "A token is stored" in edit.text
        assert 'value="ROUTE" type="checkbox" checked' in edit.text
        assert 'value="HTTPROUTE" type="checkbox" >' in edit.text
        # Blank token keeps it; the kind cannot be switched by the form.
        changed = {**KUBE, "token": "", "kind": "REGISTRY", "namespaces": "", "objectKinds": ["HTTPROUTE"]}
        r = await post_form(browser, f"/admin/discovery/{source['id']}", changed)
        assert r.status_code == 303, r.text
        (source,) = await sources(kairos)
        assert (source["kind"], source["namespaces"], source["objectKinds"], source["hasToken"]) == (
            "KUBERNETES", [], ["HTTPROUTE"], True,
        )  # fmt: skip
        r = await post_form(browser, f"/admin/discovery/{source['id']}", {**KUBE, "token": "", "removeToken": "on"})
        assert (await sources(kairos))[0]["hasToken"] is False


async def test_the_form_names_the_kubernetes_field_at_fault(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = "/admin/discovery/new"
        r = await post_form(browser, page, {**KUBE, "namespaces": "prod, Bad_One"})
        assert r.status_code == 422 and 'id="f-namespaces-error"' in r.text
        assert "kube-s3cret" not in r.text
        r = await post_form(browser, page, {**KUBE, "apiUrl": ""})  # a token, but no URL to send it to
        assert r.status_code == 422 and 'id="f-token-error"' in r.text and "needs apiUrl" in r.text
        r = await post_form(browser, page, {**KUBE, "caCertificate": "-----BEGIN CERTIFICATE-----\nnope"})
        assert r.status_code == 422 and 'id="f-caCertificate-error"' in r.text
        r = await post_form(browser, page, {**KUBE, "kind": "HELM"})
        assert r.status_code == 422 and "Choose one of: REGISTRY or KUBERNETES." in r.text  # said for people
        assert "Input should be" not in r.text
    assert await sources(kairos) == []


async def test_latest_only_is_a_registry_checkbox(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form: dict[str, str | list[str]] = {
            "name": "r", "kind": "REGISTRY", "prefix": "registry.example.com/team", "intervalSeconds": "3600",
            "parallelism": "1", "active": "on", "latestOnly": "on",
        }  # fmt: skip
        assert (await post_form(browser, "/admin/discovery/new", form)).status_code == 303
        (source,) = await sources(kairos)
        assert source["latestOnly"] is True
        assert "latest only" in (await browser.get("/admin/discovery")).text


async def test_the_cli_lists_both_kinds(kairos: Running, db_url: str, tmp_path: Path) -> None:
    await kairos.client.post("/api/discovery-sources", json={"name": "r", "prefix": "registry.example.com/team",
                                                             "latestOnly": True})  # fmt: skip
    await kairos.client.post("/api/discovery-sources", json={"name": "k", "kind": "KUBERNETES", "namespaces": ["a"]})
    code, out = await cli(cli_env(db_url, tmp_path), "list")
    assert code == 0, out
    assert "REGISTRY    registry.example.com/team (latest only)  [r]" in out
    assert "KUBERNETES  in-cluster (a)  [k]" in out
