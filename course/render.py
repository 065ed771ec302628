"""Safe rendering: python-markdown with a few extensions, then an nh3 allow-list.

Content is written by trainers, but it is still HTML reaching every trainee's browser: whatever
python-markdown produces passes an allow-list (no script, style, iframe, object or form; no event
handler; links only to http, https, mailto or relative addresses; images only relative).

French typography is set here, after the allow-list, so authors type ordinary spaces and straight
apostrophes: a narrow no-break space (U+202F) before « ; ! ? », a no-break space (U+00A0) before
« : » and inside « », and the typographic apostrophe (’). Only text is touched: never a tag or an
attribute, never the content of ``code``, ``pre``, ``kbd`` or ``samp``, never an address
(``https://…``, ``www.…``, ``mailto:…``, an e-mail), never a time or ratio such as 10:30, and
nothing in a page or an element whose language is not French.
"""

from __future__ import annotations

import html as html_lib
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


NNBSP = "\u202f"  # espace fine insécable, before ; ! ?
NBSP = "\u00a0"  # espace insécable, before : and inside « »
#: Elements whose text is never typeset (code, keyboard input, sample output).
VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style", "textarea"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"})
#: Elements inside a line of text: the character before them still counts (« <em>mot</em>? »).
INLINE = frozenset(
    {"a", "abbr", "b", "code", "del", "em", "i", "ins", "kbd", "mark", "s", "samp", "small"}
    | {"span", "strong", "sub", "sup", "u"}
)
#: A tag, its attributes quoted (a « > » inside a quoted value does not end it), or a comment.
_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--.*?-->""", re.DOTALL
)
_LANG = re.compile(r"""\blang\s*=\s*["']?([A-Za-z-]+)""")
#: Addresses and e-mails are left exactly as written.
_VERBATIM_TEXT = re.compile(
    r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.|\bmailto:)[^\s<>«»]*[^\s<>«».,;:!?)\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_SPACES = f"[ \t\n{NBSP}{NNBSP}]"
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=\w)")
#: Before « ; ! ? » (once before a run such as « ?! »).
_HIGH = re.compile(rf"(?:{_SPACES}+|(?<=[\w»)\]’”%€]))(?=[;!?])")
#: Before « : », except in a time or a ratio (10:30, 1:2), where no space belongs.
_COLON = re.compile(rf"(?:{_SPACES}+|(?<=[\w»)\]’”%€]))(?=:)(?!:\d)")
_OPEN = re.compile(rf"«{_SPACES}*")
_CLOSE = re.compile(rf"(?<!^){_SPACES}*»|^{_SPACES}+»")


def typeset(text: str) -> str:
    """French typography of plain text (no markup): spaces before « ; ! ? : », inside « », ’.

    Idempotent: text that already has the right spaces comes out unchanged. Addresses, e-mails
    and times (10:30) are kept as written.
    """
    parts: list[str] = []
    last = 0
    for match in _VERBATIM_TEXT.finditer(text):
        parts.append(_typeset_run(text[last : match.start()]))
        parts.append(match.group())
        last = match.end()
    parts.append(_typeset_run(text[last:]))
    return "".join(parts)


def _typeset_run(text: str) -> str:
    if not text:
        return text
    text = _APOSTROPHE.sub("’", text)
    text = _HIGH.sub(NNBSP, text)
    text = _COLON.sub(NBSP, text)
    text = _OPEN.sub("«" + NBSP, text)
    text = _CLOSE.sub(NBSP + "»", text)
    return text


def typeset_html(html: str) -> str:
    """French typography of the text of (sanitised) HTML; tags, attributes and code untouched."""
    out: list[str] = []
    kept: list[str] = []  # open elements whose text stays as written (code, another language)
    previous = ""  # the character just before, across inline tags: « <em>mot</em>? »
    last = 0
    for match in _TAG.finditer(html):
        previous = _text(html[last : match.start()], out, previous, verbatim=bool(kept))
        out.append(match.group())
        last = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if not name or name in VOID:
            continue
        if name not in INLINE:
            previous = ""  # a new block: nothing before
        if closing:
            if kept and kept[-1] == name:
                kept.pop()
            continue
        language = _LANG.search(match.group(3) or "")
        if kept or name in VERBATIM or (language and not is_french(language.group(1))):
            kept.append(name)
    _text(html[last:], out, previous, verbatim=bool(kept))
    return "".join(out)


def _text(raw: str, out: list[str], previous: str, *, verbatim: bool) -> str:
    """Append the typeset text node to ``out``; return its last character (or ``previous``)."""
    if not raw:
        return previous
    text = html_lib.unescape(raw)
    if verbatim:
        out.append(raw)
    else:
        done = typeset(text)
        if previous:  # « mot</em>? »: the space depends on the character before the tag
            joined = typeset(previous + text)
            if joined.startswith(previous):
                done = joined[len(previous) :]
        out.append(done.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return text[-1]


def is_french(lang: str | None) -> bool:
    """``fr``, ``fr-FR``… or no language given (the course is French)."""
    return not lang or lang.lower().split("-")[0] == "fr"


@lru_cache(maxsize=8192)
def render_markdown(text: str, lang: str = "fr") -> str:
    """Render Markdown to safe HTML, French typography set for French content (``lang``).

    Cached by content and language, so an edited file renders anew.
    """
    html = markdown.markdown(
        text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    safe = sanitize(html)
    return typeset_html(safe) if is_french(lang) else safe


def render_inline(text: str, lang: str = "fr") -> str:
    """Render one line (a proposition, a choice label) without the surrounding paragraph."""
    html = render_markdown(text, lang).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def headings(html: str) -> list[tuple[str, str]]:
    """The ``h2`` headings of rendered HTML as (anchor, text), for a table of contents."""
    result = []
    for anchor, inner in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', html, flags=re.DOTALL):
        result.append((anchor, re.sub(r"<[^>]+>", "", inner).strip()))
    return result
