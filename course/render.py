"""Safe rendering: python-markdown with a few extensions, then an nh3 allow-list.

Content is written by trainers, but it is still HTML reaching every trainee's browser: whatever
python-markdown produces passes an allow-list (no script, style, iframe, object or form; no event
handler; links only to http, https, mailto or relative addresses; images only relative).
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}, "tables": {"use_align_attribute": True}}
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
#: Tags removed together with their content (the rest of unknown tags keep their text).
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "textarea"}
ATTRIBUTES = {
    "*": {"class", "lang", "title"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto"}
#: Classes a trainer may set with ``{: .encadre}`` (attr_list); any other class is dropped.
CLASSES = frozenset({"encadre", "attention", "exemple", "a-retenir", "definition"})
ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and ABSOLUTE.match(value):
        return None
    if attribute == "class":
        kept = [c for c in value.split() if c in CLASSES]
        return " ".join(kept) or None
    return value


def sanitize(html: str) -> str:
    """Keep only allowed tags, attributes and URL schemes (no scripts, handlers, javascript:)."""
    cleaned: str = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Render Markdown to safe HTML; cached by content, so an edited file renders anew."""
    html = markdown.markdown(
        text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    return sanitize(html)


def render_inline(text: str) -> str:
    """Render one line (a proposition, a choice label) without the surrounding paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def headings(html: str) -> list[tuple[str, str]]:
    """The ``h2`` headings of rendered HTML as (anchor, text), for a table of contents."""
    result = []
    for anchor, inner in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', html, flags=re.DOTALL):
        result.append((anchor, re.sub(r"<[^>]+>", "", inner).strip()))
    return result
