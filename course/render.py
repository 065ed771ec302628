"""Safe rendering: python-markdown with a few extensions, then an nh3 allow-list."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list", "toc"]
TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "*": {"id", "class", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """Keep only allowed tags, attributes and URL schemes (no scripts, handlers, javascript:)."""
    cleaned: str = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Images only from the module's own folder: drop absolute and data: sources.
    return re.sub(
        r'<img[^>]*\ssrc="(?:[a-z][a-z0-9+.-]*:|//)[^"]*"[^>]*>', "", cleaned, flags=re.IGNORECASE
    )


@lru_cache(maxsize=4096)
def _render(digest: str, text: str) -> str:
    del digest
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return sanitize(html)


def render_markdown(text: str) -> str:
    """Render Markdown to safe HTML; cached by content, so an edited file renders anew."""
    return _render(hashlib.sha256(text.encode()).hexdigest(), text)


def headings(html: str) -> list[tuple[str, str]]:
    """The ``h2`` headings of rendered HTML as (anchor, text), for a table of contents."""
    result = []
    for anchor, inner in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', html, flags=re.DOTALL):
        result.append((anchor, re.sub(r"<[^>]+>", "", inner).strip()))
    return result
