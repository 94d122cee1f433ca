"""Announcements: rendering what an author wrote into safe HTML.

``render_content`` is the only way content reaches a page: Markdown (CommonMark with tables and
strikethrough; raw HTML allowed, because the Java Kairos stored HTML) is rendered, then everything passes
through nh3 with an explicit allow-list. Whatever the Markdown renderer lets through, the sanitiser has the
last word: no script, style, frame, event handler, image, form or non-http(s)/mailto URL survives it."""

from __future__ import annotations

import asyncio
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Removed with everything inside: their content is code or markup, never text meant for the reader.
_DROP_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "noscript", "noembed", "noframes",
    "template", "textarea", "title", "xmp", "svg", "math", "select", "option",
}  # fmt: skip
_ALIGN = {"align-left", "align-center", "align-right"}

_cleaner = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    allowed_classes={"th": _ALIGN, "td": _ALIGN},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
    # Same-site paths ("/resources/3") and fragments stay; "//host/x" is another site without a visible scheme.
    url_relative=lambda url: None if url.startswith("//") or url.startswith("\\") else url,
)


def _alignment_as_class(state: StateCore) -> None:
    """Table column alignment as a class: markdown-it writes ``style=``, which the page's CSP would refuse."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", ""))
            if style.startswith("text-align:"):
                token.attrs["class"] = "align-" + style.removeprefix("text-align:")


_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_markdown.core.ruler.push("alignment_as_class", _alignment_as_class)

# nh3 writes tags back in a normal form (lower case, no attributes left on headings), so this can match them.
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _demote(match: re.Match[str]) -> str:
    # The page has its own h1 and h2; an announcement's headings start at h3 so the outline stays intact.
    return f"<{match.group(1)}h{min(int(match.group(2)) + 2, 6)}>"


def render_content(markdown: str) -> str:
    """The author's Markdown (or HTML) as sanitised HTML, safe to insert into any page."""
    return _HEADING.sub(_demote, _cleaner.clean(_markdown.render(markdown)))


async def render_off_loop(markdown: str) -> str:
    """``render_content`` for a request handler: long content costs tens of milliseconds of pure-Python
    Markdown parsing (about 45 ms for 18 000 characters), which would stall the scheduler on the event loop."""
    if len(markdown) < 2000:
        return render_content(markdown)
    return await asyncio.to_thread(render_content, markdown)
