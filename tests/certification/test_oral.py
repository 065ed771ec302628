"""Step 2: the oral's jury page, timer with tiers temps, independent marks, divergence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.certification import audit, oral
from lti_tool.certification.models import CertCandidate, CertMarkSheet
from lti_tool.extensions import db
from lti_tool.models.core import Enrollment
from lti_tool.models.dossier import DossierAccess
from tests.certification.conftest import grid_form, staff_session


def candidate_of(session_id, who):
    return db.session.scalar(
        select(CertCandidate).where(
            CertCandidate.session_id == session_id, CertCandidate.user_id == who.user.id
        )
    )


def test_the_grid_is_the_referentiels_criteria_of_epreuve_2(client, world):
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    page = client.get(world.jury[0].url(f"/certification/jury/candidat/{cand.id}")).get_data(
        as_text=True
    )
    lines = oral.grid(cand.session)
    assert [line.competency for line in lines][0] == "C2" and len(lines) == 27
    assert "C1." not in {line.id[:3] for line in lines}
    assert "Les techniques d&#39;entretien sont maîtrisées" in page
    assert "Pertinence du choix des outils" in page


def test_oral_timer_bounds_apply_the_tiers_temps(client, world, later):
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == world.trainees[1].user.id)
    )
    enrollment.extra_time_percent = 100 / 3
    db.session.commit()
    session_id = staff_session(client, world)
    plain, extra = (
        candidate_of(session_id, world.trainees[0]),
        candidate_of(session_id, world.trainees[1]),
    )
    assert (oral.oral_times(plain).min_seconds, oral.oral_times(plain).max_seconds) == (1200, 1800)
    assert (oral.oral_times(extra).min_seconds, oral.oral_times(extra).max_seconds) == (1600, 2400)
    url = world.jury[0].url(f"/certification/jury/candidat/{extra.id}")
    client.post(url + "/oral/start")
    later(minutes=35)
    client.post(url + "/oral/end")
    db.session.expire_all()
    page = client.get(url).get_data(as_text=True)
    assert 'data-min="1600"' in page and 'data-max="2400"' in page
    assert "terminé à" in page
    ended = [e for e in audit.events(session_id) if e.action == "oral_ended"]
    assert ended[0].payload["after"]["seconds"] == 35 * 60


def test_a_comment_is_required_for_anything_not_acquired(client, world):
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    url = world.jury[0].url(f"/certification/jury/candidat/{cand.id}")
    form = grid_form(session_id, C3_2="partiel")
    form["comment_C3.2"] = "  "
    response = client.post(url + "/grille", data=form)
    assert response.status_code == 400
    assert "C3.2 : un commentaire est requis" in response.get_data(as_text=True)
    assert db.session.scalar(select(CertMarkSheet)) is None
    incomplete = grid_form(session_id)
    del incomplete["level_C7.3"]
    assert client.post(url + "/grille", data=incomplete).status_code == 400


def test_marks_are_hidden_until_every_member_submitted_then_divergence_is_shown(client, world):
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    first, second = (
        world.jury[0].url(f"/certification/jury/candidat/{cand.id}"),
        world.jury[1].url(f"/certification/jury/candidat/{cand.id}"),
    )
    client.post(first + "/grille", data=grid_form(session_id, C4_1="non_acquis"))
    page_first = client.get(first).get_data(as_text=True)
    page_second = client.get(second).get_data(as_text=True)
    assert "Observation sur C4.1" in page_first  # one's own marks
    assert "Observation sur C4.1" not in page_second  # hidden from the other member
    assert "En attente de" in page_second and "Juré 2" in page_second
    # A submitted sheet is never replaced.
    assert client.post(first + "/grille", data=grid_form(session_id)).status_code == 400
    client.post(second + "/grille", data=grid_form(session_id))
    page_second = client.get(second).get_data(as_text=True)
    assert "Observation sur C4.1" in page_second
    assert "Divergence entre les membres sur la compétence C4" in page_second
    assert oral.divergences(cand) == ["C4"]
    assert [e.action for e in audit.events(session_id)][-2:] == [
        "marks_submitted",
        "marks_submitted",
    ]


def test_competency_level_of_a_sheet():
    marks = {"C3.1": {"level": "acquis"}, "C3.2": {"level": "partiel"}, "C4.1": {"level": "acquis"}}
    assert oral.competency_level(marks, "C3") == "partiel"
    assert oral.competency_level(marks, "C4") == "acquis"
    assert oral.competency_level({**marks, "C3.3": {"level": "non_acquis"}}, "C3") == "non_acquis"
    assert oral.competency_level(marks, "C5") is None


@pytest.mark.usefixtures("dossier_guide")
def test_the_jury_reads_the_dossier_and_its_report_and_each_read_is_logged(client, world, launch):
    from tests.integration.test_dossier_web import upload
    from tests.unit.dossier_fixtures import as_docx, sections

    candidate = launch("trainee", sub="cand-A", target="dossier:checklist")
    assert upload(client, candidate, as_docx(sections())).status_code == 303
    session_id = staff_session(client, world)
    cand = candidate_of(session_id, world.trainees[0])
    url = world.jury[0].url(f"/certification/jury/candidat/{cand.id}")
    page = client.get(url).get_data(as_text=True)
    assert "Rapport d'analyse automatique" in page and "cahier des charges : conforme" in page
    response = client.get(url + "/dossier")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    actions = [a.action for a in db.session.scalars(select(DossierAccess))]
    assert "report" in actions and "download" in actions
    # Nobody else: a juror of no session, the trainer, the candidate.
    for who in (world.outsider, world.trainer, world.trainees[0]):
        assert (
            client.get(who.url(f"/certification/jury/candidat/{cand.id}/dossier")).status_code
            == 403
        )
