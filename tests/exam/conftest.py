"""A small bank for the exam's web tests (the real bank is tested in tests/content)."""

from __future__ import annotations

import pytest

from lti_tool.exam import bank as bank_module
from tests.exam.test_exam_service import make_bank


@pytest.fixture()
def small_bank(monkeypatch):
    bank = make_bank()
    display = {
        "items": {
            i.id: {
                "stem": f"<p>Situation {i.id}</p>",
                "propositions": {k: f"Proposition {k.upper()}" for k in i.proposition_keys},
                "explanation": f"<p>Explication {i.id}</p>",
            }
            for i in bank.items
        },
        "cases": {"k": {"title": "Cas K", "html": "<p>Vignette du cas K</p>"}},
    }
    monkeypatch.setattr(bank_module, "_load", lambda: {"bank": bank, "display": display})
    return bank


@pytest.fixture()
def people(launch, small_bank):
    """A candidate and a trainer of the same exam activity."""
    candidate = launch("trainee", sub="cand-1", target="exam:certification", name="Alice Candidate")
    trainer = launch("trainer", sub="form-1", target="exam:certification")
    return candidate, trainer
