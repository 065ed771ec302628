"""What several browser tests do the same way: launch from the demo platform, sit épreuve 1,
upload a dossier. (Fixtures and the axe-core audit stay in conftest.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

EXAM = "Épreuve 1 : questionnaire de certification"
DOSSIER = "Dossier professionnel : auto-contrôle"


def launch(context: Any, live: Any, role: str, activity: str = "hub") -> Any:
    """A new page of ``context`` launched as ``role`` to ``activity`` through the demo platform's
    own link (real OIDC login and signed id_token); returns once the tool's page is shown."""
    page = context.new_page()
    page.goto(f"{live.base}/demo/")
    page.locator(f"a[href*='lti_message_hint={role}%7C{activity}&']").first.click()
    page.wait_for_url(re.compile(r"/s/[^/]+/"))
    return page


# --- Épreuve 1 ------------------------------------------------------------------------------


def open_demo_paper(page: Any, live: Any) -> None:
    """From the demo platform, the trainee's épreuve 1 link, then « Commencer »: the paper."""
    page.goto(f"{live.base}/demo/")
    page.get_by_role("link", name="Épreuve 1 : questionnaire de certification").first.click()
    page.wait_for_url(re.compile(r"/examen/$"))
    page.get_by_role("button", name="Commencer l'épreuve").click()
    page.wait_for_url(re.compile(r"/examen/passer$"))


def start_exam(page: Any) -> None:
    """From the exam's introduction, start with the keyboard; the paper is shown."""
    start = page.get_by_role("button", name="Commencer l'épreuve")
    start.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/examen/passer$"))


def item_ids(page: Any) -> list[str]:
    """The paper's items, in the order shown."""
    return list(page.locator("form.exam-item").evaluate_all("fs => fs.map(f => f.dataset.item)"))


def tick(page: Any, item_id: str, positions: Iterable[int]) -> None:
    """Tick the propositions at these positions (1-based, as shown) with the keyboard."""
    for position in positions:
        box = page.locator(f'[id="p-{position}-{item_id}"]')
        box.focus()
        page.keyboard.press("Space")


def wait_all_saved(page: Any) -> None:
    """Every answer reached the server (the page says so)."""
    # (expect, not wait_for_function: a string predicate is an eval that the CSP forbids)
    expect(page.locator("#save-status")).to_contain_text(
        "Toutes vos réponses sont enregistrées", timeout=60000
    )


def submit_exam(page: Any) -> None:
    """Hand in the paper with the keyboard; the result page is shown."""
    submit = page.get_by_role("button", name="Remettre ma copie")
    submit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/examen/resultat$"))


def sit_exam(page: Any, choose: Callable[[str], Iterable[int]]) -> None:
    """Start, answer every item with ``choose(item_id)`` (positions to tick), save, submit."""
    start_exam(page)
    for item_id in item_ids(page):
        tick(page, item_id, choose(item_id))
    wait_all_saved(page)
    submit_exam(page)


def answer_key(live: Any, sub: str) -> dict[str, tuple[list[int], list[int], str]]:
    """For the candidate's attempt in progress: item -> (positions of the right propositions,
    positions of the wrong ones, competency), from the course loader's bank and the paper's
    proposition order."""
    from lti_tool.content import course
    from lti_tool.extensions import db
    from lti_tool.models.core import User
    from lti_tool.models.exam import ExamAttempt

    with live.app.app_context():
        bank = course().bank
        questions = {q.id: q for q in bank.items}
        for case in bank.cases:
            questions.update({q.id: q for q in case.items})
        attempt = db.session.scalar(
            select(ExamAttempt)
            .join(User, User.id == ExamAttempt.user_id)
            .where(User.sub == sub)
            .order_by(ExamAttempt.id.desc())
            .limit(1)
        )
        assert attempt is not None, f"no attempt for {sub}"
        paper = list(attempt.paper)
        db.session.remove()
    key = {}
    for item in paper:
        question = questions[item["item_id"]]
        keys = list(item["proposition_keys"])
        right = [n for n, k in enumerate(keys, start=1) if k in question.correct_keys]
        wrong = [n for n, k in enumerate(keys, start=1) if k not in question.correct_keys]
        key[item["item_id"]] = (right, wrong, question.competency or "C1")
    return key


# --- Dossier --------------------------------------------------------------------------------


def open_dossier(page: Any) -> None:
    """From the course hub, the dossier's page."""
    page.get_by_role("link", name=DOSSIER).click()
    page.wait_for_url(re.compile(r"/dossier/$"))


def choose_dossier(page: Any, name: str, data: bytes, mime: str = "text/markdown") -> None:
    """Pick the file to upload (as the file chooser would)."""
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def send_dossier(page: Any) -> None:
    """Press « Analyser » with the keyboard and wait for the page that follows the upload."""
    page.get_by_role("button", name="Analyser").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dossier/#rapport$"), timeout=120000)


def run_analysis(live: Any) -> str:
    """What the worker does within its 2 s loop: analyse the uploaded versions."""
    from lti_tool.clock import now
    from lti_tool.dossier.analysis import analyse_pending
    from lti_tool.extensions import db

    with live.app.app_context():
        done = analyse_pending(now())
        db.session.remove()
    return str(done)


def show_report(page: Any) -> None:
    """The page announces the report once analysed; follow its link with the keyboard."""
    ready = page.locator("#analysis-status").get_by_role("link", name="Afficher le rapport")
    ready.wait_for(timeout=30000)  # the page polls the version's state
    ready.focus()
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Rapport de la version \d+\.")).wait_for()
