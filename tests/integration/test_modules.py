"""Modules: reading, knowledge checks, progress and resume, completion to the gradebook."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import CheckAnswer, ModuleProgress

MODULE = "c1-cadre"


@pytest.fixture(autouse=True)
def small_course(app, tmp_path):
    """A one-module course written by the test (the real content is checked in tests/content)."""
    from tests.unit.test_course_parser import MODULE as TEXT

    folder = tmp_path / "course" / "modules" / "c1"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        TEXT.replace("## Durée", "## Durée\n\nTexte.\n\n## Les trois phases"), encoding="utf-8"
    )
    app.config["COURSE_ROOT"] = str(tmp_path / "course")


def test_course_home_lists_modules_with_progress(client, launch):
    trainee = launch("trainee")
    page = client.get(trainee.url("/modules/")).get_data(as_text=True)
    assert "Le cadre légal" in page and "pas commencé" in page


def test_module_page_answer_feedback_resume_and_completion_queue_a_score(client, launch):
    trainee = launch(
        "trainee", target=f"module:{MODULE}", lineitem_url="https://lms.example.org/li/m"
    )
    page = client.get(trainee.url(f"/modules/{MODULE}")).get_data(as_text=True)
    assert "Sommaire" in page and 'id="q-duree-max"' in page
    client.post(
        trainee.url(f"/modules/{MODULE}/section"),
        json={"anchor": "les-trois-phases"},
    )
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.last_section == "les-trois-phases"
    assert 'href="#les-trois-phases">Reprendre' in client.get(
        trainee.url(f"/modules/{MODULE}")
    ).get_data(as_text=True)
    wrong = client.post(trainee.url(f"/modules/{MODULE}/question/duree-max"), data={"choice": "a"})
    assert wrong.status_code == 303 and wrong.headers["Location"].endswith("#fb-duree-max")
    page = client.get(trainee.url(f"/modules/{MODULE}")).get_data(as_text=True)
    assert "Ce n'est pas la bonne réponse" in page and "pratique courante" in page
    client.post(trainee.url(f"/modules/{MODULE}/question/duree-max"), data={"choice": "b"})
    row = db.session.scalar(select(CheckAnswer).where(CheckAnswer.question_id == "duree-max"))
    assert row.correct and not row.first_correct and row.attempts == 2
    answers = {"phases": ["a", "b"]}
    for question, choices in answers.items():
        client.post(trainee.url(f"/modules/{MODULE}/question/{question}"), data={"choice": choices})
    assert db.session.scalar(select(ScoreOutbox)) is None  # not read to the end yet
    client.post(trainee.url(f"/modules/{MODULE}/fin"))
    db.session.expire_all()
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is not None and progress.score == 0.5
    score = db.session.scalar(select(ScoreOutbox))
    assert score.score_given == 50 and score.activity_progress == "Completed"


def test_trainer_preview_creates_no_results_and_sees_the_cohort(client, launch):
    trainer = launch("trainer")
    page = client.get(trainer.url(f"/modules/{MODULE}")).get_data(as_text=True)
    assert "Aperçu formateur" in page
    preview = client.post(
        trainer.url(f"/modules/{MODULE}/question/phases"), data={"choice": ["a", "b"]}
    ).get_data(as_text=True)
    assert "Bonne réponse" in preview
    assert (
        db.session.scalar(select(ModuleProgress)) is None
        and db.session.scalar(select(CheckAnswer)) is None
    )
    launch("trainee", sub="t-1", name="Léa Stagiaire")
    assert "Léa Stagiaire" in client.get(trainer.url("/modules/suivi")).get_data(as_text=True)


def test_trainee_cannot_open_the_trainer_table(client, launch):
    assert client.get(launch("trainee").url("/modules/suivi")).status_code == 403


def test_unknown_module_is_404(client, launch):
    assert client.get(launch("trainee").url("/modules/nope")).status_code == 404


def _order(page: str, question: str) -> list[str]:
    import re

    return re.findall(rf'id="{question}-(\w+)"', page)


def test_each_trainee_sees_the_options_in_an_order_of_their_own_kept_at_every_visit(client, launch):
    trainer = launch("trainer", sub="trainer-1", target=f"module:{MODULE}")
    preview = client.get(trainer.url(f"/modules/{MODULE}")).get_data(as_text=True)
    in_file = _order(preview, "duree-max")
    assert len(in_file) >= 3 and in_file == sorted(in_file)  # the trainer sees the file's order
    orders = []
    for n in range(8):
        trainee = launch("trainee", sub=f"learner-{n}", target=f"module:{MODULE}")
        page = client.get(trainee.url(f"/modules/{MODULE}")).get_data(as_text=True)
        order = _order(page, "duree-max")
        assert sorted(order) == in_file  # every option, once
        again = client.get(trainee.url(f"/modules/{MODULE}")).get_data(as_text=True)
        assert _order(again, "duree-max") == order  # the same at every visit
        orders.append(tuple(order))
    assert len(set(orders)) > 1  # not the file's order for everyone
    # Answers are stored by key, whatever the place: the right key is right for everybody.
    client.post(trainee.url(f"/modules/{MODULE}/question/duree-max"), data={"choice": "b"})
    row = db.session.scalar(
        select(CheckAnswer).where(
            CheckAnswer.question_id == "duree-max", CheckAnswer.user_id == trainee.user.id
        )
    )
    assert row.correct
