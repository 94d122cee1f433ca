"""The console's announcement list shows a plain-text excerpt of each one, never its raw Markdown or HTML."""

from __future__ import annotations

import html
import re

from kairos.web.excerpt import ELLIPSIS, EXCERPT_CHARS
from tests.harness import Running
from tests.web.pages import admin_browser


async def _excerpts(kairos: Running, *contents: str) -> dict[int, str]:
    ids = []
    for content in contents:
        r = await kairos.client.post("/api/announcements", json={"content": content, "kind": "INFORMATION"})
        assert r.status_code == 201, r.text
        ids.append(int(r.json()["id"]))
    async with admin_browser(kairos) as admin:
        page = (await admin.get("/admin/announcements")).text
    out = {}
    for rid in ids:
        cell = re.search(rf'id="announcement-row-{rid}">.*?<td class="announcement-excerpt">(.*?)</td>', page, re.S)
        assert cell, rid
        out[rid] = html.unescape(cell.group(1))
    return out


async def test_markdown_is_shown_as_its_words(kairos: Running) -> None:
    markdown = (
        "### Database upgrade\n\nThe **primary** moves to [the new cluster](https://example.org/x) at "
        "`02:00`.\n\n- API\n- Console\n\n> Expect *short* errors & retries."
    )
    hostile = '<script>alert(1)</script><b onclick="x()">Bold</b> &lt;tag&gt; text'
    shown = await _excerpts(kairos, markdown, hostile)
    first, second = shown.values()
    assert first == (
        "Database upgrade The primary moves to the new cluster at 02:00. API Console Expect short errors & retries."
    )
    assert second == "Bold <tag> text"  # the script's content is gone, the escaped text reads as written


async def test_a_long_announcement_is_cut_at_a_word_with_an_ellipsis(kairos: Running) -> None:
    words = " ".join(f"word{i}" for i in range(400))
    (shown,) = (await _excerpts(kairos, f"## Heading\n\n{words}")).values()
    assert shown.startswith("Heading word0 word1 ")
    assert shown.endswith(ELLIPSIS) and len(shown) <= EXCERPT_CHARS
    assert re.fullmatch(r"[\w ]+" + ELLIPSIS, shown)  # whole words only
    assert "#" not in shown
