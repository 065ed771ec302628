"""The case-study player: one step at a time, resume, no going back, double submit once, passback.

Runs on the real case studies: the best path is computed from the file, not hard-coded.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import func, select

from course.case_studies import CaseStudy, parse_case_study
from grading.case_study import choice_token
from lti_tool.cases import service
from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import CaseChoice, CasePlay

CASE = "cas-reconversion-comptable"
ROOT = Path(__file__).resolve().parents[2] / "course" / "case_studies"


LINEITEM = "https://lms.example.org/li/case"  # a graded activity: it has a column


def real_case() -> CaseStudy:
    case, errors = parse_case_study(ROOT / f"{CASE}.md")
    assert case is not None, errors
    return case


def best_choices(case: CaseStudy) -> list[str]:
    """The ids of the choices along the best path (what a run records)."""
    return list(case.best_choices)


def token(client, who, position, choice_id) -> str:
    """What the page's radio button for ``choice_id`` posts: an opaque token of the run.

    Computed as the page does, from the run's seed (the trainer's preview keeps it in the
    session) and the step at ``position`` of the path, so that stale forms can be replayed.
    """
    case = real_case()
    run = db.session.scalar(
        select(CasePlay)
        .where(CasePlay.user_id == who.user.id, CasePlay.case_id == CASE)
        .order_by(CasePlay.run_no.desc())
        .limit(1)
    )
    if run is None:  # the trainer's preview: read the token off the page, by the choice's label
        page = client.get(who.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
        label = next(c.label for s in case.steps for c in s.choices if c.id == choice_id)
        for value, for_id in re.findall(r'value="([^"]+)" id="(c-\d+)"', page):
            text = re.search(rf'<label for="{for_id}">([^<]*)</label>', page)
            if text and html.unescape(text.group(1)) == label:
                return value
        return choice_id
    seed = service.seed_of(run)
    rows = db.session.scalars(
        select(CaseChoice).where(CaseChoice.play_id == run.id).order_by(CaseChoice.position)
    ).all()
    path = [case.start, *[r.target for r in rows]]
    step_id = path[min(position, len(path) - 1)]
    return choice_token(seed, step_id, choice_id)


def choose(client, who, position, choice_id):
    return client.post(
        who.url(f"/cas/{CASE}/choisir"),
        data={"position": position, "choice": token(client, who, position, choice_id)},
    )


def test_play_resume_double_submit_and_passback(client, launch):
    case = real_case()
    best = best_choices(case)
    trainee = launch("trainee", target=f"case:{CASE}", lineitem_url=LINEITEM)
    assert case.profile.split()[0] in client.get(trainee.url(f"/cas/{CASE}")).get_data(as_text=True)
    assert client.post(trainee.url(f"/cas/{CASE}/commencer")).status_code == 303
    page = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "Que faites-vous ?" in page
    choose(client, trainee, 0, best[0])
    choose(client, trainee, 0, best[0])  # double submit of the same choice
    assert db.session.scalar(select(func.count(CaseChoice.id))) == 1
    page = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert 'role="status"' in page and "Votre choix" in page
    # Leaving and coming back resumes at the same step.
    assert (
        client.get(trainee.url(f"/cas/{CASE}")).headers["Location"].endswith(f"/cas/{CASE}/jouer")
    )
    assert db.session.scalar(select(CasePlay.current_step)) == case.best_path[1]
    # Going back: a choice for an old position changes nothing.
    other = next(c.id for c in case.step(case.start).choices if c.id != best[0])
    choose(client, trainee, 0, other)
    assert db.session.scalar(select(CasePlay.current_step)) == case.best_path[1]
    for position, index in enumerate(best[1:], start=1):
        choose(client, trainee, position, index)
    end = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "Débriefing" in end and "Score : 100" in end and "Le meilleur parcours" in end
    run = db.session.scalar(select(CasePlay))
    assert run.status == "finished" and run.score == 1.0
    assert (
        run.points == {c: case.max_points.get(c, 0) for c in case.competencies}
        or sum(run.points.values()) == case.best_total
    )
    score = db.session.scalar(select(ScoreOutbox))
    assert score.score_given == 100 and "Étude de cas terminée" in score.comment


def test_a_poor_path_scores_less(client, launch):
    case = real_case()
    trainee = launch("trainee", target=f"case:{CASE}")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    step, position = case.step(case.start), 0
    while not step.is_ending:
        worst = min(step.choices, key=lambda c: c.total)
        choose(client, trainee, position, worst.id)
        step, position = case.step(worst.target), position + 1
    run = db.session.scalar(select(CasePlay))
    assert run.status == "finished" and run.score < 1.0


def test_trainer_preview_creates_nothing_and_sees_the_cohort(client, launch):
    case = real_case()
    first = best_choices(case)[0]
    trainer = launch("trainer")
    client.post(trainer.url(f"/cas/{CASE}/commencer"))
    choose(client, trainer, 0, first)
    page = client.get(trainer.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "aperçu formateur" in page and "Votre choix" in page
    assert db.session.scalar(select(func.count(CasePlay.id))) == 0
    trainee = launch("trainee", sub="s-1", name="Léa")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    choose(client, trainee, 0, first)
    cohort = client.get(trainer.url(f"/cas/{CASE}/cohorte")).get_data(as_text=True)
    assert "<svg" in cohort and "Léa" in cohort
    assert client.get(trainee.url(f"/cas/{CASE}/cohorte")).status_code == 403


def test_the_same_choice_posted_twice_at_once_is_recorded_once(client, launch, monkeypatch):
    # Two requests read the run before either records: the second one's insert meets the
    # first one's row (unique play + position). It must not be a server error.
    case = real_case()
    best = best_choices(case)
    trainee = launch("trainee", target=f"case:{CASE}")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    assert choose(client, trainee, 0, best[0]).status_code == 303
    real_choices_of = service.choices_of
    monkeypatch.setattr(service, "choices_of", lambda play: [])  # as read before the first commit
    response = choose(client, trainee, 0, best[0])
    monkeypatch.setattr(service, "choices_of", real_choices_of)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(CaseChoice.id))) == 1
    assert db.session.scalar(select(CasePlay.current_step)) == case.best_path[1]


def test_cohort_chart_names_each_bar(client, launch):
    """Issue 15, point 16: every bar of the cohort chart carries its choice's label."""
    import html
    import re

    from lti_tool.content import course

    trainer = launch("trainer", sub="t-chart", target=f"case:{CASE}")
    cohort = client.get(trainer.url(f"/cas/{CASE}/cohorte")).get_data(as_text=True)
    step = next(s for s in course().case_study(CASE).steps if s.choices)
    svg = cohort[cohort.index("<svg") : cohort.index("</svg>")]
    labels = re.findall(r'<text class="bar-label"[^>]*>([^<]+)</text>', svg)
    assert len(labels) == len(step.choices)
    assert labels[0].startswith("A. ") and step.choices[0].label[:10] in html.unescape(labels[0])
