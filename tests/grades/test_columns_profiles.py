"""Columns never shared, competency columns, platform profiles applied in delivery."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.grades import sender
from lti_tool.grades.service import (
    COMPLETED,
    PublishError,
    publish_competency_scores,
    publish_score,
)
from lti_tool.models.grades import ScoreOutbox
from lti_tool.models.lti import Registration
from tests.grades.fake_lms import FakeMoodle
from tests.grades.test_outbox import PEM, queue

LINEITEMS = "https://lms.example.org/li"


@pytest.fixture()
def moodle(monkeypatch):
    fake = FakeMoodle()
    monkeypatch.setattr(sender, "HTTP", [fake])
    monkeypatch.setattr("lti_tool.lti.keys.signing_key", lambda: ("kid-1", PEM))
    return fake


def _case_launch(launch, sub, rl):
    p = launch("trainee", sub=sub, target="case:c1", resource_link=rl)
    p.resource_link.lineitems_url = LINEITEMS
    db.session.commit()
    return p


def test_pending_manual_leaves_an_empty_grade_in_moodle(moodle, launch, clock):
    p = launch("trainee", sub="l-1", target="dossier", lineitem_url=f"{LINEITEMS}/dossier")
    queue(p, clock, 80, grading_progress="PendingManual")
    sender.send_due(clock())
    post = moodle.score_posts[0]
    assert post["gradingProgress"] == "PendingManual" and "scoreGiven" not in post
    assert moodle.grades[("/li/dossier", "l-1")]["grade"] is None


def test_two_resource_links_with_the_same_activity_never_share_a_column(moodle, launch, clock):
    # The platform already has a column with our resourceId but for another resource link.
    moodle.lineitems.append(
        {"id": f"{LINEITEMS}/theirs", "resourceId": "case:c1", "resourceLinkId": "rl-other"}
    )
    a = _case_launch(launch, "l-a", "rl-a")
    b = _case_launch(launch, "l-b", "rl-b")
    queue(a, clock, 10)
    queue(b, clock, 20)
    sender.send_due(clock())
    ours = [i for i in moodle.lineitems if i.get("resourceLinkId") in ("rl-a", "rl-b")]
    assert sorted(i["resourceLinkId"] for i in ours) == ["rl-a", "rl-b"]
    assert len({i["id"] for i in ours}) == 2
    assert not any(k[0] == "/li/theirs" for k in moodle.grades)
    # The next score reuses the stored column: no second creation.
    clock.advance(seconds=5)
    queue(a, clock, 11)
    sender.send_due(clock())
    assert len([i for i in moodle.lineitems if i.get("resourceLinkId") == "rl-a"]) == 1


def test_competency_scores_go_to_tagged_columns(moodle, launch, clock):
    p = _case_launch(launch, "l-c", "rl-c")
    rows = publish_competency_scores(
        user_id=p.user.id,
        resource_link_id=p.resource_link.id,
        scores={"C1": (3, 4), "C3": (1, 2)},
        activity_progress=COMPLETED,
        now=clock(),
    )
    db.session.commit()
    assert [r.tag for r in rows] == ["C1", "C3"]
    sender.send_due(clock())
    tagged = {i["tag"]: i for i in moodle.lineitems if i.get("tag")}
    assert set(tagged) == {"C1", "C3"} and tagged["C3"]["scoreMaximum"] == 2
    with pytest.raises(PublishError):
        publish_competency_scores(
            user_id=p.user.id,
            link=p.resource_link,
            scores={"C9": (1, 1)},
            activity_progress=COMPLETED,
            now=clock(),
        )


def test_competency_scores_skipped_when_the_platform_gives_no_lineitems(moodle, launch, clock):
    p = launch("trainee", sub="l-d", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    assert (
        publish_competency_scores(
            user_id=p.user.id,
            link=p.resource_link,
            scores={"C1": (1, 2)},
            activity_progress=COMPLETED,
            now=clock(),
        )
        == []
    )


def test_course_level_column_by_resource_id(moodle, launch, clock):
    p = _case_launch(launch, "l-e", "rl-e")
    row = publish_score(
        user_id=p.user.id,
        context_id=p.context.id,
        resource_id="dossier:final",
        score_given=15,
        score_maximum=20,
        activity_progress=COMPLETED,
        label="Dossier",
        now=clock(),
    )
    db.session.commit()
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, row.id).state == "delivered"
    created = moodle.lineitems[-1]
    assert created["resourceId"] == "dossier:final" and "resourceLinkId" not in created


def test_brightspace_refuses_non_learners_before_sending(moodle, launch, clock):
    db.session.scalar(select(Registration)).platform_profile = "brightspace"
    trainer = launch("trainer", sub="t-1", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    row = queue(trainer, clock, 120)
    learner = launch("trainee", sub="l-f", target="exam:x")
    over = queue(learner, clock, 120)
    sender.send_due(clock())
    row, over = db.session.get(ScoreOutbox, row.id), db.session.get(ScoreOutbox, over.id)
    assert row.state == "failed" and "stagiaires" in row.last_error
    assert over.state == "delivered" and moodle.score_posts[-1]["scoreGiven"] == 100


def test_openedx_zero_is_not_published(moodle, launch, clock):
    db.session.scalar(select(Registration)).platform_profile = "openedx"
    p = launch("trainee", sub="l-g", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    row = queue(p, clock, 0)
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, row.id).state == "delivered" and not moodle.score_posts


def test_unreadable_answer_is_retried_and_visible(moodle, launch, clock, monkeypatch):
    p = _case_launch(launch, "l-h", "rl-h")
    row = queue(p, clock, 5)
    monkeypatch.setattr(moodle, "lineitems", None)  # the GET handler will crash -> TypeError
    sender.send_due(clock())
    row = db.session.get(ScoreOutbox, row.id)
    assert row.state == "pending" and "illisible" in row.last_error and row.lease_until is None


def test_trainee_cannot_see_or_resend(moodle, launch, clock, client):
    p = launch("trainee", sub="l-i", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    row = queue(p, clock, 5)
    assert client.get(p.url("/notes/")).status_code == 403
    assert client.post(p.url(f"/notes/renvoyer/{row.id}")).status_code == 403
    assert client.get(p.url("/notes/participants")).status_code == 403


def test_killed_worker_old_row_is_superseded_by_a_newer_delivered_one(moodle, launch, clock):
    p = launch("trainee", sub="l-k", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    old = queue(p, clock, 30)
    assert sender.claim(clock()) == [old.id]  # a worker takes it, then dies
    clock.advance(seconds=10)
    new = queue(p, clock, 45)  # the learner's newer result
    sender.send_due(clock())
    clock.advance(minutes=5)  # the dead worker's lease expires
    sender.send_due(clock())
    assert db.session.get(ScoreOutbox, old.id).state == "superseded"
    assert db.session.get(ScoreOutbox, new.id).state == "delivered"
    assert [post["scoreGiven"] for post in moodle.score_posts] == [45]
    assert moodle.grades[("/li/x", "l-k")]["grade"] == 45


def test_a_row_already_claimed_is_not_claimed_again(moodle, launch, clock):
    p = launch("trainee", sub="l-m", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    row = queue(p, clock, 30)
    assert sender.claim(clock()) == [row.id]
    assert sender.claim(clock(), ids=[row.id]) == []
    clock.advance(seconds=sender.LEASE.total_seconds() + 1)
    assert sender.claim(clock()) == [row.id]


def test_token_reused_until_shortly_before_it_expires(moodle, launch, clock):
    p = launch("trainee", sub="l-t", target="exam:x", lineitem_url=f"{LINEITEMS}/x")
    for minutes in (0, 30, 28):  # up to 58 min; the fake platform grants 3600 s
        clock.advance(minutes=minutes)
        queue(p, clock, minutes)
        sender.send_due(clock())
    assert moodle.tokens_issued == 1
    clock.advance(minutes=1, seconds=5)  # within the last minute of the token's life
    queue(p, clock, 99)
    sender.send_due(clock())
    assert moodle.tokens_issued == 2 and moodle.grades[("/li/x", "l-t")]["grade"] == 99


def test_trainer_sees_each_activity_with_waiting_and_delivered(moodle, launch, clock, client):
    a = launch(
        "trainee", sub="l-w", name="Zoé Attente", target="exam:x", lineitem_url=f"{LINEITEMS}/x"
    )
    b = launch(
        "trainee", sub="l-v", name="Yann Livré", target="case:y", lineitem_url=f"{LINEITEMS}/y"
    )
    queue(b, clock, 15)
    sender.send_due(clock())
    queue(a, clock, 12)
    moodle.fail_next = [503]
    sender.send_due(clock())
    trainer = launch("trainer", sub="t-9", target="exam:x")
    page = client.get(trainer.url("/notes/")).get_data(as_text=True)
    assert page.count("<table>") == 2 and "<h2>case:y</h2>" in page
    assert "livrée" in page and "en attente" in page and "prochain essai" in page
    assert "HTTP 503" in page
