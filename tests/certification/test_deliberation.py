"""Step 3: deliberation per competency with the evidence side by side."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.certification import audit, deliberation
from lti_tool.certification.models import CertCandidate, CertDecision
from lti_tool.extensions import db
from tests.certification.conftest import (
    ALL_ACQUIRED,
    grid_form,
    open_session,
    sat_exam,
    staff_session,
)


def candidate_of(session_id, who):
    return db.session.scalar(
        select(CertCandidate).where(
            CertCandidate.session_id == session_id, CertCandidate.user_id == who.user.id
        )
    )


def mark_all(client, world, session_id, cand, **overrides):
    for member in world.jury:
        client.post(
            member.url(f"/certification/jury/candidat/{cand.id}/grille"),
            data=grid_form(session_id, **overrides.get(member.user.sub, {})),
        )


def test_evidence_side_by_side_and_the_proposal(client, world, launch, clock):
    sat_exam(launch, clock, "cand-A", {"C1": [8, 10], "C2": [4, 10]})
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    mark_all(client, world, session_id, cand, **{"jury-2": {"C5_1": "partiel"}})
    rows = {e.competency: e for e in deliberation.evidence(cand)}
    assert rows["C1"].exam["met"] and rows["C1"].proposed  # 80 % >= 60 %
    assert rows["C2"].exam == {
        "points": 4,
        "items": 10,
        "ratio": 0.4,
        "threshold": 0.5,
        "met": False,
        "sat": True,
    }
    assert not rows["C2"].proposed  # épreuve 1 below the session's threshold of 50 %
    assert rows["C5"].members == {"Juré 1": "acquis", "Juré 2": "partiel"}
    assert not rows["C5"].proposed and rows["C6"].proposed
    page = client.get(
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation")
    ).get_data(as_text=True)
    assert "4 / 10 (40 %)" in page and "seuil 50 %" in page
    assert "Juré 2 : partiellement acquis" in page
    assert "Divergence entre les membres sur la compétence C5" in page
    assert "Aucun incident consigné" in page


def test_no_deliberation_before_every_grid_and_a_lawful_jury(client, world, launch, clock):
    session_id = open_session(client, world)
    url = world.certifier.url(f"/certification/sessions/{session_id}")
    client.post(url + "/candidates", data={"user_id": [str(world.trainees[0].user.id)]})
    client.post(url + "/jury", data={"user_id": str(world.jury[0].user.id), "external": "1"})
    cand = candidate_of(session_id, world.trainees[0])
    target = world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation")
    client.post(
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}/grille"),
        data=grid_form(session_id),
    )
    response = client.post(target, data=ALL_ACQUIRED)
    assert response.status_code == 409
    assert "Quorum non atteint" in response.get_data(as_text=True)
    client.post(url + "/jury", data={"user_id": str(world.jury[1].user.id), "external": "1"})
    response = client.post(target, data=ALL_ACQUIRED)
    assert response.status_code == 409
    assert "Chaque membre du jury doit d&#39;abord soumettre sa grille" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(CertDecision)) is None


def test_departing_from_the_evidence_needs_a_justification(client, world, launch, clock):
    sat_exam(launch, clock, "cand-A", {"C1": [8, 10], "C2": [8, 10]})
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    mark_all(client, world, session_id, cand, **{"jury-2": {"C5_1": "partiel"}})
    url = world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation")
    response = client.post(url, data=ALL_ACQUIRED)
    assert response.status_code == 400
    assert "C5 : la décision s&#39;écarte des éléments d&#39;évaluation" in response.get_data(
        as_text=True
    )
    response = client.post(
        url,
        data={**ALL_ACQUIRED, "justification_C5": "Le choix des outils a été justifié à l'oral."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert cand.result == "certified"
    decision = db.session.scalar(select(CertDecision).where(CertDecision.competency == "C5"))
    assert decision.acquired and decision.proposed is False
    assert decision.evidence["members"] == {"Juré 1": "acquis", "Juré 2": "partiel"}
    (event,) = [e for e in audit.events(session_id) if e.action == "deliberation_recorded"]
    assert event.payload["before"] == {"result": None, "acquired": None}
    assert event.payload["after"]["result"] == "certified"
    assert event.actor_id == world.jury[0].user.id
    assert audit.verify_chain(session_id) == []


def test_results_certified_partial_and_not_certified():
    everything = {f"C{n}": True for n in range(1, 8)}
    assert deliberation.result_of(everything) == "certified"
    assert deliberation.result_of({**everything, "C4": False}) == "partial"
    assert deliberation.result_of(dict.fromkeys(everything, False)) == "not_certified"


def test_a_partial_result_keeps_the_acquired_competencies(client, world, launch, clock):
    sat_exam(launch, clock, "cand-B", {"C1": [9, 10], "C2": [9, 10]})
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[1])
    mark_all(
        client,
        world,
        session_id,
        cand,
        **{
            "jury-1": {"C6_1": "non_acquis"},
            "jury-2": {"C6_1": "non_acquis"},
        },
    )
    url = world.jury[1].url(f"/certification/jury/candidat/{cand.id}/deliberation")
    response = client.post(url, data={**ALL_ACQUIRED, "decision_C6": "non_acquise"})
    assert response.status_code == 302
    db.session.expire_all()
    assert cand.result == "partial"
    kept = {d.competency for d in deliberation.decisions_of(cand.id).values() if d.acquired}
    assert kept == {"C1", "C2", "C3", "C4", "C5", "C7"}


def test_deliberation_pages_are_the_jurys_only(client, world):
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    path = f"/certification/jury/candidat/{cand.id}/deliberation"
    for who in (world.outsider, world.trainer, world.trainees[0], world.certifier):
        assert client.get(who.url(path)).status_code == 403
        assert client.post(who.url(path), data=ALL_ACQUIRED).status_code == 403
    assert client.get(world.jury[1].url(path)).status_code == 200


def test_the_jury_sees_the_incidents_of_epreuve_1(client, world, launch, clock):
    """An incident recorded during épreuve 1 (lti_tool/exam/incidents.py) reaches the jury's
    deliberation page and the PV's content (it read « Aucun incident » whatever happened)."""
    from datetime import timedelta

    from lti_tool.exam.incidents import ExamIncident
    from lti_tool.models.exam import ExamAttempt

    sat_exam(launch, clock, "cand-A", {"C1": [8, 10], "C2": [6, 10]})
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    attempt = db.session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == cand.user_id))
    db.session.add(
        ExamIncident(
            attempt_id=attempt.id,
            kind="illness",
            started_at=clock(),
            ended_at=clock() + timedelta(minutes=4),
            seconds_lost=240,
            compensated_seconds=240,
            recorded_by=world.trainer.user.id,
            note="Malaise en salle, pause de quatre minutes",
        )
    )
    db.session.commit()
    [incident] = deliberation.incidents_for_deliberation(cand)
    assert incident["kind"] == "malaise ou indisposition"
    assert (incident["seconds_lost"], incident["compensated_seconds"]) == (240, 240)
    assert incident["recorded_by"] == world.trainer.user.display_name
    assert incident["started_at"].endswith("+00:00")
    mark_all(client, world, session_id, cand)
    page = client.get(
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation")
    ).get_data(as_text=True)
    assert "malaise ou indisposition" in page and "Malaise en salle" in page
    assert "Aucun incident consigné" not in page


def test_a_candidate_absent_from_the_oral_is_deliberated_without_grids(
    client, world, launch, clock
):
    sat_exam(launch, clock, "cand-C", {"C1": [2, 10], "C2": [1, 10]})
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[2])
    page_url = world.jury[0].url(f"/certification/jury/candidat/{cand.id}")
    target = page_url + "/deliberation"
    nothing = {f"decision_C{n}": "non_acquise" for n in range(1, 8)}
    assert client.post(target, data=nothing).status_code == 409  # no grid, no absence yet
    assert "Consigner l'absence à l'oral" in client.get(page_url).get_data(as_text=True)
    # Without the confirmation box, nothing is recorded.
    client.post(page_url + "/absence", data={})
    db.session.expire_all()
    assert cand.oral_absent_at is None
    response = client.post(page_url + "/absence", data={"confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert cand.oral_absent_at is not None
    # No grid can be submitted for an absent candidate, and the timer does not start.
    response = client.post(page_url + "/grille", data=grid_form(session_id))
    assert response.status_code == 400
    assert "déclaré absent à l&#39;oral" in response.get_data(as_text=True)
    rows = {e.competency: e for e in deliberation.evidence(cand)}
    assert not any(row.proposed for row in rows.values())
    assert "absent à l'oral" in client.get(target).get_data(as_text=True)
    assert client.post(target, data=nothing).status_code == 302
    db.session.expire_all()
    assert cand.result == "not_certified"
    actions = [e.action for e in audit.events(session_id)]
    assert actions.count("oral_absence_recorded") == 1
    assert audit.verify_chain(session_id) == []


def test_a_candidate_whose_oral_began_cannot_be_declared_absent(client, world):
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    page_url = world.jury[0].url(f"/certification/jury/candidat/{cand.id}")
    client.post(page_url + "/oral/start")
    response = client.post(page_url + "/absence", data={"confirm": "1"}, follow_redirects=True)
    assert "L&#39;oral de ce candidat a commencé" in response.get_data(as_text=True)
    db.session.expire_all()
    assert cand.oral_absent_at is None
