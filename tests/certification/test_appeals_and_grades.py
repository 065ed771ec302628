"""Step 7: appeals within the certifier's delay, their outcome; results to the LMS gradebook
through the score outbox (one certification column, per competency only when asked)."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.certification import audit
from lti_tool.certification.models import CertAppeal, CertPv, CertSession
from lti_tool.extensions import db
from lti_tool.models.grades import ScoreOutbox
from tests.certification.conftest import candidate_of, deliberated_session
from tests.certification.test_certificate import signed_session

REASONS = "Le jury n'a pas tenu compte de l'annexe sur les outils du bilan."


def test_an_appeal_within_the_delay_and_its_outcome(client, world, launch, clock, later):
    session_id = signed_session(client, world, launch, clock)
    who = world.trainees[1]
    cand = candidate_of(session_id, who)
    url = who.url(f"/certification/mon-resultat/{cand.id}/recours")
    client.post(url, data={"text": "trop court"})
    assert db.session.scalar(select(CertAppeal)) is None
    later(days=29)
    who = launch("trainee", sub="cand-B")  # a new launch: the first one has expired
    certifier = launch("admin", sub="certif")
    url = who.url(f"/certification/mon-resultat/{cand.id}/recours")
    client.post(url, data={"text": REASONS})
    appeal = db.session.scalar(select(CertAppeal))
    assert appeal.text == REASONS and appeal.pv_id == db.session.scalar(select(CertPv.id))
    client.post(url, data={"text": REASONS + " bis"})  # one open at a time
    assert len(db.session.scalars(select(CertAppeal)).all()) == 1
    # Nobody but the session's certifier decides.
    decide = f"/certification/recours/{appeal.id}/issue"
    juror = launch("trainer", sub="jury-1", context="jury-course")
    assert (
        client.post(juror.url(decide), data={"outcome": "dismissed", "text": "x"}).status_code
        == 403
    )
    client.post(certifier.url(decide), data={"outcome": "dismissed", "text": ""})
    db.session.expire_all()
    assert appeal.outcome is None
    client.post(
        certifier.url(decide),
        data={"outcome": "dismissed", "text": "L'annexe a été lue ; la synthèse reste incomplète."},
    )
    db.session.expire_all()
    assert appeal.outcome == "dismissed"
    page = client.get(who.url(f"/certification/mon-resultat/{cand.id}")).get_data(as_text=True)
    assert "recours rejeté" in page and "la synthèse reste incomplète" in page
    actions = [e.action for e in audit.events(session_id)]
    assert "appeal_lodged" in actions and "appeal_decided" in actions
    assert audit.verify_chain(session_id) == []


def test_no_appeal_after_the_delay_nor_before_the_signature(client, world, launch, clock, later):
    session_id = deliberated_session(client, world, launch, clock)
    who = world.trainees[2]
    cand = candidate_of(session_id, who)
    url = who.url(f"/certification/mon-resultat/{cand.id}/recours")
    client.post(url, data={"text": REASONS})
    assert db.session.scalar(select(CertAppeal)) is None  # PV not signed
    client.post(world.certifier.url(f"/certification/sessions/{session_id}/cloture"))
    record = db.session.scalar(select(CertPv))
    for member in world.jury:
        client.post(
            member.url(f"/certification/pv/{record.id}/confirmer"),
            data={"read": "1", "sha256": record.sha256},
        )
    later(days=30, seconds=1)
    who = launch("trainee", sub="cand-C")
    url = who.url(f"/certification/mon-resultat/{cand.id}/recours")
    client.post(url, data={"text": REASONS})
    assert db.session.scalar(select(CertAppeal)) is None
    page = client.get(who.url(f"/certification/mon-resultat/{cand.id}")).get_data(as_text=True)
    assert "Le délai de recours a expiré" in page


def outbox():
    return db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)).all()


def test_results_go_to_the_gradebook_once_the_pv_is_signed(client, world, launch, clock):
    session_id = deliberated_session(client, world, launch, clock)
    client.post(world.certifier.url(f"/certification/sessions/{session_id}/cloture"))
    before = {r.column_key for r in outbox()}
    assert not any(k.startswith("ctx:certification") for k in before)  # nothing before signing
    record = db.session.scalar(select(CertPv))
    for member in world.jury:
        client.post(
            member.url(f"/certification/pv/{record.id}/confirmer"),
            data={"read": "1", "sha256": record.sha256},
        )
    rows = [r for r in outbox() if r.column_key.startswith("ctx:certification")]
    by_user = {r.user_id: r for r in rows}
    assert len(rows) == 3  # one column only: per competency was not asked
    a, b, c = (by_user[t.user.id] for t in world.trainees)
    assert (a.score_given, a.score_maximum) == (7, 7) and a.comment.startswith("Certifié")
    assert b.score_given == 6 and "à repasser C6" in b.comment
    assert c.score_given == 0 and c.comment.startswith("Non certifié")
    assert a.label == "Certification — Session de décembre"
    assert a.context_id == db.session.get(CertSession, session_id).context_id


def test_per_competency_columns_only_when_the_certifier_asks(client, world, launch, clock):
    from tests.certification import conftest

    original = conftest.SESSION_FORM
    conftest.SESSION_FORM = {**original, "gradebook_per_competency": "1"}
    try:
        session_id = signed_session(client, world, launch, clock)
    finally:
        conftest.SESSION_FORM = original
    assert db.session.get(CertSession, session_id).rules["gradebook_per_competency"]
    rows = [r for r in outbox() if r.column_key.startswith("ctx:certification")]
    assert len(rows) == 3 * 8
    b = world.trainees[1].user.id
    c6 = [r for r in rows if r.user_id == b and r.tag == "C6"][0]
    assert (c6.score_given, c6.score_maximum, c6.label) == (0, 1, "Certification — C6")
