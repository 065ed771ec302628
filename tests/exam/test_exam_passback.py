"""Exam results in the gradebook: the overall column and one percentage column per competency."""

from sqlalchemy import select

from lti_tool.exam import service
from lti_tool.extensions import db
from lti_tool.models import ScoreOutbox
from tests.exam.test_exam_service import save, start


def test_competency_columns_are_percentages_whatever_the_paper(launch, clock):
    # Two candidates whose papers give C2 a different number of items must land in one column
    # whose maximum means the same for both: the column is a percentage, the count a comment.
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    candidate.resource_link.lineitems_url = "https://lms.example/api/lineitems"
    candidate.resource_link.competency_columns = True  # chosen at content selection
    db.session.commit()
    attempt, page = start(candidate, clock)
    for n, p in enumerate(attempt.paper, start=1):
        right = p["correct_keys"][0]
        save(attempt, page, p["item_id"], right if p["competency"] == "C1" else "c", n, clock)
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    assert attempt.per_competency == {"C1": [2.0, 2], "C2": [0.0, 4]}

    rows = db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)).all()
    by_tag = {row.tag: row for row in rows if row.tag}
    assert set(by_tag) == {"C1", "C2"}
    assert (by_tag["C1"].score_given, by_tag["C1"].score_maximum) == (100.0, 100.0)
    assert (by_tag["C2"].score_given, by_tag["C2"].score_maximum) == (0.0, 100.0)
    # No rating in this bank: each item counts for the pass mark (0.6 x 4 = 2.4, so 3 points).
    assert by_tag["C2"].comment == "C2 : 0 / 4 items ; seuil 3 : non atteint"
    overall = [row for row in rows if not row.tag]
    assert len(overall) == 1 and overall[0].score_maximum == 100


def test_no_competency_columns_unless_chosen(launch, clock):
    """Issue 15, point 3: by default only the exam's own column; C1..C7 stay in the comment."""
    candidate = launch("trainee", sub="cand-2", target="exam:certification")
    candidate.resource_link.lineitems_url = "https://lms.example/api/lineitems"
    db.session.commit()
    attempt, page = start(candidate, clock)
    for n, p in enumerate(attempt.paper, start=1):
        save(attempt, page, p["item_id"], p["correct_keys"][0], n, clock)
    service.submit(service.lock_attempt(attempt.id), now=clock(), reason="candidate")
    db.session.commit()
    rows = db.session.scalars(select(ScoreOutbox)).all()
    assert [r.tag for r in rows] == [None]
    assert "C1 2/2" in rows[0].comment and "C2 4/4" in rows[0].comment

