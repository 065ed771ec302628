"""The paper's HTML: each item rendered once per process and reused for every candidate.

Rendering 46 items with their propositions through Jinja cost ~15 ms per page; a candidate's
paper only differs by the items drawn, their proposition order, numbers and ticked choices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

#: Placeholders in the cached HTML (no content or translation contains a NUL character).
NUMBER = "\x00n\x00"
SAVE_URL = "\x00u\x00"
_fragments: dict[tuple[Any, ...], str] = {}
_FRAGMENT_LIMIT = 20_000


def _tick(html: str, element_id: str) -> str:
    """Tick the checkbox or radio button whose id is ``element_id``."""
    marker = f'id="{escape(element_id)}">'
    return html.replace(marker, marker[:-1] + " checked>", 1)


def item_fragments(
    paper: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
    content: Mapping[str, Any],
    content_version: str,
) -> list[Markup]:
    """Each item's form, numbered, with the candidate's saved choices and flag ticked."""
    macro = current_app.jinja_env.get_template("exam/_item.html").module.item_form  # type: ignore[attr-defined]
    locale = str(get_locale())
    total = len(paper)
    t_question = _("Question %(n)s sur %(total)s", n=NUMBER, total=total)
    t_flag = _("Marquer pour y revenir")
    save_url = str(escape(url_for("exam.save")))
    items = content.get("items", {})
    out = []
    for number, item in enumerate(paper, start=1):
        item_id = str(item["item_id"])
        keys = tuple(item["proposition_keys"])
        multiple = bool(item.get("multiple"))
        key = (content_version, locale, total, item_id, keys, multiple)
        html = _fragments.get(key)
        if html is None:
            if len(_fragments) >= _FRAGMENT_LIMIT:
                _fragments.clear()
            html = str(
                macro(
                    item_id,
                    keys,
                    multiple,
                    items.get(item_id),
                    t_question,
                    t_flag,
                    NUMBER,
                    SAVE_URL,
                )
            )
            _fragments[key] = html
        answer = answers.get(item_id)
        if answer is not None:
            for choice in answer.choices:
                if choice in keys:
                    html = _tick(html, f"p-{keys.index(choice) + 1}-{item_id}")
            if answer.flagged:
                html = _tick(html, f"flag-{item_id}")
        # Safe: the macro's autoescaped output, with a number, an escaped URL and " checked".
        html = html.replace(NUMBER, str(number)).replace(SAVE_URL, save_url)
        out.append(Markup(html))  # noqa: S704
    return out
