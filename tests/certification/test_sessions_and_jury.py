"""Step 1: certifier role, sessions and rules, convocations, jury appointment and composition."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.certification import audit, services
from lti_tool.certification.models import CertEvent, CertJuryMember, CertSession
from lti_tool.extensions import db
from lti_tool.models.core import User
from tests.certification.conftest import SESSION_FORM, open_session, staff_session


def test_cli_grants_and_revokes_the_certifier_role_and_logs_it(app, launch, runner):
    person = launch("trainer", sub="someone", name="Sam Certif")
    issuer = person.user.issuer
    assert not services.is_certifier(person.user.id)
    result = runner.invoke(args=["certif", "grant", issuer, "someone"])
    assert result.exit_code == 0, result.output
    assert services.is_certifier(person.user.id)
    assert runner.invoke(args=["certif", "grant", issuer, "nobody"]).exit_code != 0
    assert runner.invoke(args=["certif", "revoke", issuer, "someone"]).exit_code == 0
    assert not services.is_certifier(person.user.id)
    actions = [e.action for e in audit.events(None)]
    assert actions == ["certifier_granted", "certifier_revoked"]
    assert audit.verify_chain(None) == []
    assert runner.invoke(args=["certif", "verify"]).exit_code == 0


def test_an_lms_role_alone_never_makes_a_certifier(client, launch):
    admin = launch("admin", sub="adm")
    trainer = launch("trainer", sub="tr")
    page = client.get(admin.url("/certification/")).get_data(as_text=True)
    assert "Confirmer le rôle de certificateur" in page and "Ouvrir une session" not in page
    assert client.post(admin.url("/certification/sessions"), data=SESSION_FORM).status_code == 403
    # A trainer cannot confirm; an administrator must tick the box.
    assert (
        client.post(trainer.url("/certification/certifier"), data={"confirm": "1"}).status_code
        == 403
    )
    client.post(admin.url("/certification/certifier"), data={})
    assert not services.is_certifier(admin.user.id)
    client.post(admin.url("/certification/certifier"), data={"confirm": "1"})
    assert services.is_certifier(admin.user.id)
    (event,) = audit.events(None)
    assert event.payload["after"] == {"via": "admin_confirmed"} and event.actor_id == admin.user.id


def test_session_rules_are_checked_and_stored(client, world):
    bad = client.post(
        world.certifier.url("/certification/sessions"), data={**SESSION_FORM, "oral_min": "15"}
    )
    assert bad.status_code == 302
    assert db.session.scalar(select(CertSession)) is None
    session_id = open_session(client, world)
    session = db.session.get(CertSession, session_id)
    assert session.rules["thresholds"] == {"C1": 0.6, "C2": 0.5}
    assert session.rules["jury"] == {"quorum": 2, "min_external_ratio": 0.5}
    assert session.rules["oral"] == {"min_minutes": 20, "max_minutes": 30}
    assert session.context_id == world.certifier.context.id
    (event,) = audit.events(session_id)
    assert event.action == "session_opened" and event.payload["after"]["place"] == "Salle 2, Lyon"


def test_the_candidates_trainer_is_refused_and_the_refusal_logged(client, world):
    session_id = open_session(client, world)
    url = world.certifier.url(f"/certification/sessions/{session_id}")
    client.post(url + "/candidates", data={"user_id": [str(world.trainees[0].user.id)]})
    response = client.post(
        url + "/jury", data={"user_id": str(world.trainer.user.id), "external": "1"}
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "a été formateur dans le cours des candidats" in page
    assert db.session.scalar(select(CertJuryMember)) is None
    refusal = db.session.scalar(select(CertEvent).where(CertEvent.action == "jury_refused"))
    assert refusal.payload["subject"] == {"user_id": world.trainer.user.id}


def test_someone_who_once_taught_the_course_is_refused_even_after_a_learner_launch(
    client, world, launch
):
    # Launched as Instructor once, then as Learner: the enrolment says trainee now.
    launch("trainer", sub="ancien", name="Ancien Formateur")
    again = launch("trainee", sub="ancien")
    assert services.trained_in(again.user.id, world.certifier.context.id)


def test_composition_rules_block_until_quorum_and_external_share(client, world):
    session_id = open_session(client, world)
    session = db.session.get(CertSession, session_id)
    url = world.certifier.url(f"/certification/sessions/{session_id}")
    assert not services.composition(session).ok
    client.post(url + "/jury", data={"user_id": str(world.jury[0].user.id)})  # internal
    composition = services.composition(session)
    assert composition.problems == (
        "Quorum non atteint : 1 membre sur 2 requis.",
        "Membres extérieurs insuffisants : 0 sur 1, au moins 50% requis.",
    )
    client.post(url + "/jury", data={"user_id": str(world.jury[1].user.id), "external": "1"})
    assert services.composition(session).ok
    assert "Composition conforme" in client.get(url).get_data(as_text=True)


def test_candidates_see_their_convocation_with_accommodations(client, world):
    session_id = open_session(client, world)
    url = world.certifier.url(f"/certification/sessions/{session_id}")
    someone = world.trainees[1]
    client.post(
        url + "/candidates",
        data={
            "user_id": [str(someone.user.id)],
            f"accommodations_{someone.user.id}": "salle adaptée",
        },
    )
    page = client.get(someone.url("/certification/")).get_data(as_text=True)
    assert "Mes convocations" in page and "10/12/2026 09:00" in page
    assert "Salle 2, Lyon" in page and "salle adaptée" in page
    other = client.get(world.trainees[0].url("/certification/")).get_data(as_text=True)
    assert "Mes convocations" not in other


def test_access_matrix_of_the_session_pages(client, world):
    session_id = staff_session(client, world)
    other_id = open_session(client, world, title="Autre session")
    certifier_page = f"/certification/sessions/{session_id}"
    jury_page = f"/certification/jury/{session_id}"
    expected = {
        # who: (certifier page, jury page of the session, jury page of another session)
        "certifier": (world.certifier, 200, 403, 403),
        "jury": (world.jury[0], 403, 200, 403),
        "outsider juror": (world.outsider, 403, 403, 403),
        "trainer": (world.trainer, 403, 403, 403),
        "candidate": (world.trainees[0], 403, 403, 403),
    }
    for who, (person, certif, jury, other) in expected.items():
        got = (
            client.get(person.url(certifier_page)).status_code,
            client.get(person.url(jury_page)).status_code,
            client.get(person.url(f"/certification/jury/{other_id}")).status_code,
        )
        assert got == (certif, jury, other), who
    page = client.get(world.jury[0].url(jury_page)).get_data(as_text=True)
    assert all(t.user.display_name in page for t in world.trainees)


def test_the_session_chain_verifies_and_detects_an_edit(client, world):
    session_id = staff_session(client, world)
    assert [e.action for e in audit.events(session_id)] == [
        "session_opened",
        "candidate_convened",
        "candidate_convened",
        "candidate_convened",
        "jury_appointed",
        "jury_appointed",
    ]
    assert audit.verify_chain(session_id) == []
    event = audit.events(session_id)[4]
    event.payload = {**event.payload, "after": {"external": False}}
    db.session.commit()
    assert any("modifié" in p for p in audit.verify_chain(session_id))


def test_a_certifier_of_another_platform_cannot_manage_the_session(client, world, clock):
    session_id = open_session(client, world)
    stranger = User(issuer="https://autre.example", sub="x", name="X", created_at=clock())
    db.session.add(stranger)
    db.session.flush()
    services.grant_certifier(stranger, via="cli", now=clock())
    from lti_tool.launch_session import create_launch_session

    token = create_launch_session(
        user_id=stranger.id, context_id=world.certifier.context.id, role="admin"
    )
    db.session.commit()
    assert client.get(f"/s/{token}/certification/sessions/{session_id}").status_code == 403


def test_the_certifiers_page_renders_the_session_form(client, world):
    page = client.get(world.certifier.url("/certification/"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Épreuve 1 : seuil par compétence (% des items réussis)" in text
    assert "Part minimale de membres extérieurs (%)" in text


def test_the_pages_are_available_in_english(client, world):
    from lti_tool.launch_session import create_launch_session

    token = create_launch_session(
        user_id=world.certifier.user.id,
        context_id=world.certifier.context.id,
        role="admin",
        locale="en",
    )
    db.session.commit()
    text = client.get(f"/s/{token}/certification/").get_data(as_text=True)
    assert "Certification sessions of this course" in text and "Open the session" in text
    assert "Test 1: threshold per competency (% of items right)" in text


def test_refusals_are_translated_when_the_view_reads_them(app):
    """The services raise lazy strings: the message is in the language of whoever reads it."""
    from flask_babel import force_locale

    with app.test_request_context():
        session = CertSession(status="closed")
        try:
            services.ensure_open(session)
        except services.CertificationError as error:
            refused = error
        assert refused.message == "La session est close : rien ne peut plus y être modifié."
        with force_locale("en"):
            assert (
                refused.message == "The session is closed: nothing in it can be changed any more."
            )
            assert str(refused) == refused.message


def test_a_refusal_reaches_an_english_launch_in_english(client, world):
    from flask_babel import refresh

    from lti_tool.models.core import LaunchSession

    session_id = staff_session(client, world)
    url = world.certifier.url(f"/certification/sessions/{session_id}/jury")
    trainer = {"user_id": str(world.trainer.user.id), "external": "1"}
    db.session.query(LaunchSession).update({"locale": "en"})
    db.session.commit()
    refresh()  # (the test's app context outlives requests: drop its cached locale)
    english = client.post(url, data=trainer, follow_redirects=True).get_data(as_text=True)
    assert "Dominique Formateur was a trainer in the candidates" in english
    assert "a été formateur" not in english
