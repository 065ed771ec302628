"""The item bank and blueprint from ``course/questionnaire``, adapted for drawing and display."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import current_app

from course.questions import Question
from course.render import render_markdown
from grading.exam import BankCase, BankItem, DrawRules
from lti_tool.content import course
from lti_tool.exam.service import Bank
from lti_tool.web_errors import UserFacingError

#: Bank and display content by content version: built once, not on every request.
_by_version: dict[str, dict[str, Any]] = {}
#: Course root -> (monotonic time of the last look at the files, what was found).
_last_look: dict[str, tuple[float, dict[str, Any]]] = {}
#: How long a page may use the bank without looking at the files again (a walk of the
#: content folder per request cost more than the autosave itself).
RECHECK_SECONDS = 2.0


def _item(question: Question, case_id: str | None) -> BankItem:
    return BankItem(
        id=question.id,
        competency=question.competency or "C1",
        proposition_keys=tuple(p.key for p in question.propositions),
        correct_keys=question.correct_keys,
        multiple=question.multiple,
        case_id=case_id,
    )


def _load() -> dict[str, Any]:
    root = str(current_app.config["COURSE_ROOT"])
    moment = time.monotonic()
    last = _last_look.get(root)
    if last is not None and moment - last[0] < RECHECK_SECONDS:
        return last[1]
    loaded = course()
    bank = loaded.bank
    if bank is None or bank.blueprint is None:
        raise UserFacingError(
            "La banque d'items de l'épreuve 1 n'est pas disponible.",
            hint="Formateurs : lancez « python -m course check » et corrigez course/questionnaire/.",
            status=503,
        )
    result = _by_version.get(loaded.version)
    if result is None:
        _by_version.clear()
        result = _by_version[loaded.version] = _build(loaded.version, bank)
    _last_look[root] = (moment, result)
    return result


def _build(version: str, bank: Any) -> dict[str, Any]:
    blueprint = bank.blueprint
    items = [_item(q, None) for q in bank.items]
    for case in bank.cases:
        items += [_item(q, case.id) for q in case.items]
    return {
        "bank": Bank(
            items=items,
            cases=[BankCase(c.id, tuple(q.id for q in c.items)) for c in bank.cases],
            rules=DrawRules(
                dict(blueprint.items_per_competency),
                blueprint.case_studies,
                blueprint.shuffle_propositions,
                blueprint.items_per_case,
                blueprint.case_items_per_competency,
                blueprint.case_sizes,
            ),
            duration_minutes=blueprint.duration_minutes,
            pass_mark=blueprint.pass_mark,
            version=version,
            ratings=dict(bank.angoff.ratings) if bank.angoff else {},
            judges=len(bank.angoff.judges) if bank.angoff else 0,
            ratings_provisional=bank.angoff.provisional if bank.angoff else True,
            decisive=tuple(blueprint.decisive_competencies),
        ),
        "display": _display(bank.items, bank.cases),
        "version": version,
    }


def _inline(text: str) -> str:
    html = render_markdown(text)
    return re.sub(r"^<p>(.*)</p>$", r"\1", html.strip(), flags=re.DOTALL)


def _display(items: Any, cases: Any) -> dict[str, Any]:
    questions = list(items) + [q for c in cases for q in c.items]
    return {
        "items": {
            q.id: {
                "stem": render_markdown(q.stem),
                "propositions": {p.key: _inline(p.text) for p in q.propositions},
                "feedback": {p.key: render_markdown(p.feedback) for p in q.propositions},
                "explanation": render_markdown(q.explanation),
            }
            for q in questions
        },
        "cases": {c.id: {"title": c.title, "html": render_markdown(c.vignette)} for c in cases},
    }


def current_bank() -> Bank:
    """The bank and blueprint the next paper is drawn from."""
    return _load()["bank"]  # type: ignore[no-any-return]


def pass_mark() -> float:
    """The blueprint's pass mark (share of points)."""
    return current_bank().pass_mark


def display_content() -> dict[str, Any]:
    """Rendered stems, propositions, explanations and vignettes by id."""
    return _load()["display"]  # type: ignore[no-any-return]
