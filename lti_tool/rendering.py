"""Course content as HTML for a page of this launch: modules, case studies, the editor's preview.

The Markdown renderer (``course.render``) is cached and shared by every launch, so an authored
content's images are rendered with a mark in place of the launch token
(``/s/_lt_/auteur/contenus/<id>/images/…``, see ``lti_tool.authoring.resolve``). Only the
content rendered here gets the page's own token: no other response is scanned or rewritten.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context

from course.modules import Module
from course.render import render_markdown

#: Stands for the launch token in the address of an authored content's images.
LAUNCH_MARK = "_lt_"
_MARKED = f"/s/{LAUNCH_MARK}/"


def localise(html: str) -> str:
    """The rendered content with this page's launch token in its images' addresses."""
    lt = g.get("lt") if has_app_context() else None
    if not lt or _MARKED not in html:
        return html
    return html.replace(_MARKED, f"/s/{lt}/")


def content_html(text: str, lang: str = "fr") -> str:
    """Markdown of a module or a case study as sanitised HTML for this page (``course.render``)."""
    return localise(render_markdown(text, lang))


def rendered(module: Module) -> list[dict[str, Any]]:
    """Segments ready for the template: HTML prose, or a question with rendered parts."""
    parts: list[dict[str, Any]] = []
    lang = module.lang  # French typography only in French modules

    def html(text: str) -> str:
        return content_html(text, lang)

    for segment in module.segments:
        if segment.question is None:
            parts.append({"html": html(segment.markdown)})
        else:
            q = segment.question
            parts.append(
                {
                    "question": q,
                    "stem": html(q.stem),
                    "explanation": html(q.explanation),
                    "propositions": [(p, html(p.text), html(p.feedback)) for p in q.propositions],
                }
            )
    return parts
