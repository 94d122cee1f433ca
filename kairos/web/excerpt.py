"""A plain-text excerpt of an announcement for the console's list, instead of its raw Markdown.

The text comes from the stored ``content_html`` (the Markdown library's rendering, sanitised when saved:
kairos/services/announcement_html.py), read with the standard library's HTML parser; nothing parses Markdown
with regular expressions here. Block elements become spaces, so "### Heading" then a paragraph reads
"Heading Paragraph", and entities come back as the characters they stand for (the page escapes them again)."""

from __future__ import annotations

from html.parser import HTMLParser

EXCERPT_CHARS = 140
# Enough HTML for any excerpt: a long content is not parsed whole on every listing.
_HTML_READ = 20 * EXCERPT_CHARS + 4000
_BLOCKS = frozenset({
    "p", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
})  # fmt: skip
ELLIPSIS = "\u2026"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of ``html`` with whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def excerpt(html: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of text, cut at a word where there is one, with an ellipsis when cut."""
    text = plain_text(html[:_HTML_READ])
    if len(text) <= limit and len(html) <= _HTML_READ:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + ELLIPSIS
