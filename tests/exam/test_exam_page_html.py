"""The paper's navigation, vignettes and items, assembled in Python (lti_tool/exam/page.py)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from lti_tool.exam.page import paper_html

PAPER = [
    {"item_id": "q-a", "proposition_keys": ["a", "b"], "multiple": False},
    {"item_id": "q-b", "proposition_keys": ["b", "a"], "multiple": False, "case_id": "cas<1>"},
    {"item_id": "q-c", "proposition_keys": ["a", "b"], "multiple": True, "case_id": "cas<1>"},
    {"item_id": "q-d", "proposition_keys": ["a", "b"], "multiple": False},
]
CONTENT = {
    "items": {},
    "cases": {"cas<1>": {"title": "Mme <B>", "html": "<p>Vignette <em>ici</em></p>"}},
}


def test_navigation_states_vignettes_once_per_case_and_escaping(app):
    answers = {
        "q-a": SimpleNamespace(choices=["b"], flagged=False),
        "q-c": SimpleNamespace(choices=[], flagged=True),
    }
    with app.test_request_context("/"):
        from flask import g

        g.lt = "tok"
        html = str(paper_html(PAPER, answers, CONTENT, "v1", "seed-1"))
    links = re.findall(r'<a href="#q-(\d)" id="nav-([^"]+)" class="([^"]*)">', html)
    assert links == [
        ("1", "q-a", "answered"),
        ("2", "q-b", ""),
        ("3", "q-c", " flagged"),
        ("4", "q-d", ""),
    ]
    assert html.count("(répondue)") == 1 and html.count("(sans réponse)") == 3
    assert html.count('<section class="vignette"') == 1  # one vignette for the case's 2 items
    assert "Étude de cas : Mme &lt;B&gt;" in html and "<p>Vignette <em>ici</em></p>" in html
    assert 'aria-labelledby="case-cas&lt;1&gt;"' in html
    # The vignette comes right before its first item, and each item once, in paper order.
    order = [m.group(1) for m in re.finditer(r'data-item="([^"]+)"', html)]
    assert order == ["q-a", "q-b", "q-c", "q-d"]
    assert html.index('class="vignette"') < html.index('data-item="q-b"')
    assert 'id="p-2-q-a" checked' in html  # the saved choice is ticked
