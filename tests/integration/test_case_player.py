"""The case-study player: one step at a time, resume, no going back, double submit once, passback."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import CaseChoice, CasePlay

CASE = "cas-reconversion-comptable"
BEST = [
    1,
    0,
    0,
    0,
    0,
    0,
]  # premier-entretien → analyse → cadre → exploration → vérification → plan → fin


def choose(client, who, position, index):
    return client.post(
        who.url(f"/cas/{CASE}/choisir"), data={"position": position, "choice": index}
    )


def test_play_resume_double_submit_and_passback(client, launch):
    trainee = launch("trainee", target=f"case:{CASE}")
    assert "Claire, 38 ans" in client.get(trainee.url(f"/cas/{CASE}")).get_data(as_text=True)
    assert client.post(trainee.url(f"/cas/{CASE}/commencer")).status_code == 303
    page = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "Le premier entretien" in page and "Que faites-vous ?" in page
    choose(client, trainee, 0, 1)
    choose(client, trainee, 0, 1)  # double submit of the same choice
    assert db.session.scalar(select(func.count(CaseChoice.id))) == 1
    page = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert 'role="status"' in page and "La reformulation et la question ouverte" in page
    # Leaving and coming back resumes at the same step.
    assert (
        client.get(trainee.url(f"/cas/{CASE}")).headers["Location"].endswith(f"/cas/{CASE}/jouer")
    )
    assert "L&#39;analyse de la demande" in client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(
        as_text=True
    )
    # Going back: an old position changes nothing.
    choose(client, trainee, 0, 0)
    assert db.session.scalar(select(CasePlay.current_step)) == "analyse-demande"
    for position, index in enumerate(BEST[1:], start=1):
        choose(client, trainee, position, index)
    end = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "Débriefing" in end and "Score : 100" in end and "Le meilleur parcours" in end
    run = db.session.scalar(select(CasePlay))
    assert run.status == "finished" and run.score == 1.0 and run.points["C3"] == 5
    score = db.session.scalar(select(ScoreOutbox))
    assert score.score_given == 100 and "C3 5/5" in score.comment


def test_poor_path_scores_per_competency(client, launch):
    trainee = launch("trainee", target=f"case:{CASE}")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    choose(client, trainee, 0, 2)  # promise
    choose(client, trainee, 1, 1)  # encourage resignation → fin-verdict
    run = db.session.scalar(select(CasePlay))
    assert run.status == "finished" and run.score == 0.0
    assert run.points == {"C1": 0, "C2": 0, "C3": 0, "C4": 0, "C5": 0, "C6": 0}


def test_trainer_preview_creates_nothing_and_sees_the_cohort(client, launch):
    trainer = launch("trainer")
    client.post(trainer.url(f"/cas/{CASE}/commencer"))
    choose(client, trainer, 0, 1)
    page = client.get(trainer.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "aperçu formateur" in page and "L&#39;analyse de la demande" in page
    assert db.session.scalar(select(func.count(CasePlay.id))) == 0
    trainee = launch("trainee", sub="s-1", name="Léa")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    choose(client, trainee, 0, 1)
    cohort = client.get(trainer.url(f"/cas/{CASE}/cohorte")).get_data(as_text=True)
    assert "<svg" in cohort and "Léa" in cohort
    assert client.get(trainee.url(f"/cas/{CASE}/cohorte")).status_code == 403
