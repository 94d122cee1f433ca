"""A badge that cannot be shown is still an image: a grey "unknown" SVG (status 404), the same bytes for an
unknown, a deleted, a malformed and a hidden id, so a badge neither breaks a README nor confirms a hidden row."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from tests.harness import Running
from tests.web.pages import admin_browser
from tests.web.resource_seed import add_group, add_resource

SVG = "{http://www.w3.org/2000/svg}"
GREY = 'fill="#6a737d"'


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _unknown(r: httpx.Response) -> str:
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert texts(r.text)[1] == "unknown"
    assert GREY in r.text
    return r.text


async def test_unknown_deleted_and_malformed_ids_answer_a_grey_unknown_badge(kairos: Running) -> None:
    gone = await add_resource(kairos, "gone")
    assert (await kairos.client.delete(f"/api/resources/{gone}")).status_code == 204
    for path, label in (
        ("/badges/resources/{}.svg", "status"),
        ("/badges/resources/{}/cert.svg", "certificate"),
        ("/badges/groups/{}.svg", "status"),
    ):
        bodies = {_unknown(await kairos.anon.get(path.format(i))) for i in (gone, 999999, 0, "abc", "9" * 40)}
        assert len(bodies) == 1, path
        assert texts(bodies.pop()) == [label, "unknown"]
    uptime = await kairos.anon.get("/badges/resources/999999.svg", params={"show": "uptime"})
    assert texts(_unknown(uptime)) == ["uptime", "unknown"]
    labelled = await kairos.anon.get("/badges/resources/999999.svg", params={"label": "<API>"})
    assert texts(_unknown(labelled)) == ["<API>", "unknown"]  # the caller's own label, escaped as XML
    assert "<API>" not in labelled.text


async def test_a_hidden_resource_or_group_answers_exactly_what_an_unknown_one_does(kairos: Running) -> None:
    gid = await add_group(kairos, "Ops", "AUTHENTICATED")
    rid = await add_resource(kairos, "secret-db", group=gid)
    for path in ("/badges/resources/{}.svg", "/badges/resources/{}/cert.svg", "/badges/groups/{}.svg"):
        for params in ({}, {"label": "db"}, {"show": "uptime"} if "cert" not in path else {}):
            hidden = await kairos.anon.get(path.format(rid if "resources" in path else gid), params=params)
            unknown = await kairos.anon.get(path.format(999999), params=params)
            assert (hidden.status_code, hidden.content) == (unknown.status_code, unknown.content), path
            assert dict(hidden.headers) | {"date": ""} == dict(unknown.headers) | {"date": ""}
            assert "secret-db" not in hidden.text and "Ops" not in hidden.text
            _unknown(hidden)
    async with admin_browser(kairos) as admin:
        seen = await admin.get(f"/badges/resources/{rid}.svg")
        assert seen.status_code == 200
        assert texts(seen.text)[0] == "secret-db"
        assert texts((await admin.get(f"/badges/groups/{gid}.svg")).text) == ["Ops", "0/1 up"]


async def test_embeds_of_unknown_rows_stay_html_pages(kairos: Running) -> None:
    r = await kairos.anon.get("/embed/resources/999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
