"""Other platforms' quirks (issue 15, point 7): every finished score carries submittedAt (Canvas
marks a grade late otherwise), line item URLs with a query string keep it."""

from __future__ import annotations

from lti_tool.grades import sender
from lti_tool.grades.profiles import CANVAS_SUBMISSION, adapt
from tests.grades.test_outbox import learner, moodle, queue  # noqa: F401  (fixtures)


def test_a_completion_without_its_own_time_is_submitted_at_its_timestamp(moodle, learner, clock):  # noqa: F811
    row = queue(learner, clock, 1)  # a dossier completion: no started/submitted time
    body = sender.message(row)
    assert body["submission"]["submittedAt"] == body["timestamp"]
    canvas = adapt("canvas", sender.message(row))
    assert canvas[CANVAS_SUBMISSION]["submitted_at"] == body["timestamp"]


def test_scores_go_to_a_line_item_url_with_its_query_string(moodle, launch, clock):  # noqa: F811
    seen = []
    original = moodle.request

    def spy(method, url, **kwargs):
        seen.append((method, url))
        return original(method, url, **kwargs)

    moodle.request = spy
    student = launch(
        "trainee",
        sub="learner-q",
        target="exam:certification",
        lineitem_url="https://lms.example.org/mod/lti/services.php/2/lineitems/5/lineitem?type_id=1",
    )
    queue(student, clock, 70)
    sender.send_due(clock())
    posts = [url for method, url in seen if method == "POST"]
    assert posts == [
        "https://lms.example.org/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=1"
    ]
    assert moodle.score_posts[0]["submission"]["submittedAt"]
