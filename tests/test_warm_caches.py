"""Gunicorn's master builds the course and exam caches once, before forking its workers."""

from __future__ import annotations

from lti_tool import after_fork, warm_caches
from lti_tool.exam import bank


def test_warm_caches_builds_the_exam_bank_before_any_request(app):
    bank._last_look.clear()
    bank._by_version.clear()
    warm_caches(app)
    assert bank._by_version, "the bank was not built"
    with app.app_context():
        built = bank.display_content()
    assert built is next(iter(bank._by_version.values()))["display"]  # reused, not rebuilt
    after_fork(app)  # the forked worker's pool starts empty and still works
    with app.app_context():
        assert bank.current_bank().duration_minutes == 60


def test_warm_caches_renders_the_items_of_drawn_papers_in_both_languages(app):
    from lti_tool.exam import page

    page._pieces.clear()
    bank._last_look.clear()
    warm_caches(app)
    heads = {key for key in page._pieces if key[0] == "head"}
    assert {key[2] for key in heads} == {"fr", "en"}
    with app.app_context():
        items = {item.id for item in bank.current_bank().items}
    rendered = {key[4] for key in heads}
    assert len(rendered & items) >= len(items) // 2  # most of the bank, before any request
