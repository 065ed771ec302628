"""The case-study player gives no positional cue and caps a run with a critical error.

Each run shows the choices of a step in an order of its own (stable on reload), records the
choice by its id, and a run with a choice marked ``critique`` reaches at most the file's cap,
in the page (« erreur critique »), in the gradebook and on the trainer's cohort page.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from course.render import typeset
from lti_tool.cases import service
from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import CaseChoice, CasePlay
from tests.integration.test_case_player import CASE, choose, real_case

RADIO = re.compile(
    r'<input type="radio" name="choice" value="([^"]+)" id="(c-\d+)"[^>]*>\s*'
    r'<label for="\2">([^<]*)</label>'
)


def shown(client, who) -> list[str]:
    """The choice ids in the order the page shows them (found by their label)."""
    case = real_case()
    page = client.get(who.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    step = service.follow(case, current_ids(who)).step
    by_label = {typeset(c.label): c.id for c in step.choices}  # shown with French typography
    found = RADIO.findall(page)
    assert len(found) == len(step.choices)
    return [by_label[html.unescape(label)] for _, _, label in found]


def current_ids(who) -> list[str]:
    run = db.session.scalar(select(CasePlay).where(CasePlay.user_id == who.user.id))
    return service.made(real_case(), service.choices_of(run)) if run else []


def test_the_page_shows_no_step_id_nor_file_position(client, launch):
    case = real_case()
    trainee = launch("trainee")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    page = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    values = [value for value, _, _ in RADIO.findall(page)]
    step_ids = {s.id for s in case.steps}
    assert values and not step_ids & set(values)  # « fin-abandon » would give the answer away
    assert not {str(n) for n in range(len(values))} & set(values)
    # A step id or a position posted instead of the token is not a choice: nothing recorded.
    for forged in (case.start_step.choices[0].id, "0"):
        client.post(trainee.url(f"/cas/{CASE}/choisir"), data={"position": 0, "choice": forged})
    assert db.session.scalars(select(CaseChoice)).all() == []


def test_each_run_has_its_own_order_stable_on_reload(client, launch):
    case = real_case()
    orders = []
    for n in range(6):
        trainee = launch("trainee", sub=f"s-{n}")
        client.post(trainee.url(f"/cas/{CASE}/commencer"))
        first = shown(client, trainee)
        assert shown(client, trainee) == first  # a reload does not reorder
        assert sorted(first) == sorted(c.id for c in case.start_step.choices)
        orders.append(tuple(first))
    assert len(set(orders)) > 1  # not one order for everyone
    seeds = db.session.scalars(select(CasePlay.seed)).all()
    assert len(set(seeds)) == 6 and all(len(s) == 32 for s in seeds)


def test_the_choice_is_recorded_by_its_id_not_its_position(client, launch):
    case = real_case()
    trainee = launch("trainee", target=f"case:{CASE}")
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    order = shown(client, trainee)
    picked = order[-1]
    assert choose(client, trainee, 0, picked).status_code == 303
    row = db.session.scalar(select(CaseChoice))
    chosen = case.start_step.choice_by_id(picked)
    assert row.choice_id == picked and row.target == chosen.target
    assert row.choice_index == case.start_step.choices.index(chosen)
    # An unknown choice is refused: nothing more is recorded.
    choose(client, trainee, 1, "no-such-choice")
    assert len(db.session.scalars(select(CaseChoice)).all()) == 1


def test_always_the_first_displayed_option_scores_under_half(client, launch, monkeypatch):
    case = real_case()
    for n in range(3):
        monkeypatch.setattr(service, "new_seed", lambda n=n: f"fixed-seed-{n}")
        trainee = launch("trainee", sub=f"first-{n}", target=f"case:{CASE}")
        client.post(trainee.url(f"/cas/{CASE}/commencer"))
        position = 0
        while order := shown(client, trainee):
            choose(client, trainee, position, order[0])
            position += 1
        run = db.session.scalar(select(CasePlay).where(CasePlay.user_id == trainee.user.id))
        assert run.status == "finished" and run.score < 0.5, (n, run.score)
    assert case.best_total > 0


def test_a_critical_error_caps_the_grade_and_is_explained(client, launch):
    case = real_case()
    # A path that follows the best path to a step offering a critical error, then takes it.
    where, critical = next(
        (case.step(s), c) for s in case.best_path for c in case.step(s).choices if c.critical
    )
    prefix = list(case.best_path[: case.best_path.index(where.id) + 1])
    ids = list(case.best_choices[: len(prefix) - 1]) + [critical.id]
    step = case.step(critical.target)
    while not step.is_ending:
        best = max(step.choices, key=lambda c: c.total)
        ids.append(best.id)
        step = case.step(best.target)
    trainee = launch(
        "trainee", target=f"case:{CASE}", lineitem_url="https://lms.example.org/li/case"
    )
    client.post(trainee.url(f"/cas/{CASE}/commencer"))
    for position, choice_id in enumerate(ids):
        choose(client, trainee, position, choice_id)
    run = db.session.scalar(select(CasePlay))
    assert run.status == "finished" and run.score <= case.critical_cap / 100
    end = client.get(trainee.url(f"/cas/{CASE}/jouer")).get_data(as_text=True)
    assert "Erreur critique" in end and "L.6313-4" in end and "(erreur critique)" in end
    assert critical.label.split()[0] in end
    outbox = db.session.scalar(select(ScoreOutbox))
    assert outbox.score_given <= case.critical_cap and "erreur critique" in outbox.comment
    intro = client.get(trainee.url(f"/cas/{CASE}")).get_data(as_text=True)
    assert "erreur critique" in intro
    trainer = launch("trainer")
    cohort = client.get(trainer.url(f"/cas/{CASE}/cohorte")).get_data(as_text=True)
    assert "erreur critique" in cohort


def test_runs_recorded_before_choice_ids_still_replay(client, launch, clock):
    case = real_case()
    trainee = launch("trainee")
    run = service.start(case, trainee.context.id, trainee.user.id, None, clock())
    first = case.start_step.choices[1]
    db.session.add(
        CaseChoice(
            play_id=run.id,
            position=0,
            step_id=case.start,
            choice_index=1,
            choice_id="",
            target=first.target,
            chosen_at=clock(),
        )
    )
    db.session.flush()
    assert service.made(case, service.choices_of(run)) == [first.id]
    assert service.follow(case, [first.id]).step.id == first.target
