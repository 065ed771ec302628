"""The case-study service on its own: the walk, which choices are taken, runs and their end."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from lti_tool.cases import service
from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.learning import CaseChoice
from tests.integration.test_case_player import CASE, best_choices, real_case


def test_follow_gives_the_path_the_current_step_and_the_last_choice():
    case = real_case()
    best = best_choices(case)
    start = service.follow(case, [])
    assert start.path == [case.start] and start.last_choice is None and start.count == 0
    end = service.follow(case, best)
    assert end.path == list(case.best_path) and end.step.is_ending and end.count == len(best)
    assert end.last_choice is case.step(case.best_path[-2]).choice_by_id(best[-1])


def test_accepts_only_the_current_position_and_an_offered_choice():
    case = real_case()
    best = best_choices(case)
    first = service.follow(case, best[:1])
    offered = first.step.choices[0].id
    assert service.accepts(first, 1, offered)
    assert not service.accepts(first, 0, offered)  # stale: the page of the previous step
    assert not service.accepts(first, 2, offered)  # from the future
    assert not service.accepts(first, 1, "no-such-choice")
    assert not service.accepts(first, 1, "0")  # a position is not an id
    assert not service.accepts(first, 1, None)
    assert not service.accepts(service.follow(case, best), len(best), offered)  # after the end


def test_choose_records_once_finishes_and_queues_the_grade(launch, clock):
    case = real_case()
    best = best_choices(case)
    trainee = launch(
        "trainee", target=f"case:{CASE}", lineitem_url="https://lms.example.org/li/case"
    )
    run = service.start(
        case, trainee.context.id, trainee.user.id, trainee.resource_link.id, clock()
    )
    assert service.choose(case, run, 0, best[0], clock())
    assert not service.choose(case, run, 0, best[0], clock())  # the same form sent twice
    assert db.session.scalar(select(func.count(CaseChoice.id))) == 1
    for position, index in enumerate(best[1:], start=1):
        assert service.choose(case, run, position, index, clock())
    assert run.status == service.FINISHED and run.score == 1.0
    assert run.current_step == case.best_path[-1]
    assert db.session.scalar(select(ScoreOutbox)).score_given == 100


def test_practice_runs_again_graded_runs_once(launch, clock):
    practice = replace(real_case(), mode="practice")
    graded = replace(practice, mode="graded")
    trainee = launch("trainee")
    ids = (trainee.context.id, trainee.user.id, None)
    first = service.start(practice, *ids, clock())
    assert service.start(practice, *ids, clock()) is first  # in progress: resumed
    first.status = service.FINISHED
    again = service.start(practice, *ids, clock())
    assert again is not first and again.run_no == 2
    again.status = service.FINISHED
    assert service.start(graded, *ids, clock()) is again  # graded: the run made counts


def test_cohort_counts_each_choice_and_keeps_each_path(launch, clock):
    case = real_case()
    best = best_choices(case)
    for sub in ("a", "b"):
        who = launch("trainee", sub=sub)
        run = service.start(case, who.context.id, who.user.id, None, clock())
        service.choose(case, run, 0, best[0], clock())
    runs = service.cohort(case, who.context.id)
    assert runs.total == 2 and runs.counts[case.start][best[0]] == 2
    assert [path for _, path in runs.paths] == [list(case.best_path[:2])] * 2
