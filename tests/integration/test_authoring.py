"""Authoring in the tool: drafts, the checker by line, publication, versions kept by learners,
scope, conflicts, images, files in and out, questions from Moodle's formats, the audit log."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from course.loader import load_course
from course.templates import CASE_TEMPLATE, MODULE_TEMPLATE
from grading.case_study import choice_token
from lti_tool.authoring import service
from lti_tool.cases import service as cases
from lti_tool.extensions import db
from lti_tool.models.authoring import AuthoredContent, AuthoredImage, AuthoredVersion
from lti_tool.models.core import AuditEvent
from lti_tool.models.learning import CaseChoice, CasePlay, ModuleProgress
from tests.exam.conftest import small_bank  # noqa: F401

SLUG = "nouvelle-etude-de-cas"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "question_import"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# v2 renames the step the best first choice leads to: a run begun on v1 cannot follow v2.
CASE_V2 = CASE_TEMPLATE.replace("(#analyse-demande)", "(#comprendre-la-demande)").replace(
    "{#analyse-demande}", "{#comprendre-la-demande}"
)


def new_draft(client, trainer, kind="case") -> AuthoredContent:
    response = client.post(trainer.url("/auteur/nouveau"), data={"kind": kind})
    assert response.status_code == 303
    return db.session.scalars(select(AuthoredContent).order_by(AuthoredContent.id.desc())).first()


def save(client, trainer, content, text, action="save"):
    db.session.refresh(content)
    return client.post(
        trainer.url(f"/auteur/contenus/{content.id}"),
        data={"text": text, "revision": content.draft_revision, "action": action},
    )


def published(client, trainer, text=CASE_TEMPLATE, kind="case") -> AuthoredContent:
    content = new_draft(client, trainer, kind)
    assert save(client, trainer, content, text, "publish").status_code == 303
    db.session.refresh(content)
    assert content.published_version >= 1
    return content


def choose(client, who, slug, choice_id):
    run = db.session.scalar(
        select(CasePlay)
        .where(CasePlay.user_id == who.user.id)
        .order_by(CasePlay.id.desc())
        .limit(1)
    )
    rows = db.session.scalars(
        select(CaseChoice).where(CaseChoice.play_id == run.id).order_by(CaseChoice.position)
    ).all()
    step = rows[-1].target if rows else "premier-entretien"
    return client.post(
        who.url(f"/cas/{slug}/choisir"),
        data={"position": len(rows), "choice": choice_token(cases.seed_of(run), step, choice_id)},
    )


def test_a_trainer_starts_from_a_valid_template_and_learners_never_see_the_draft(client, launch):
    trainer = launch("trainer")
    content = new_draft(client, trainer)
    assert content.draft == CASE_TEMPLATE and content.published_version == 0
    page = client.get(trainer.url(f"/auteur/contenus/{content.id}")).get_data(as_text=True)
    assert "Aucune erreur" in page and "Le premier entretien" in page  # the preview
    trainee = launch("trainee")
    assert client.get(trainee.url(f"/cas/{SLUG}")).status_code == 404
    assert SLUG not in client.get(trainee.url("/cas/")).get_data(as_text=True)
    assert client.get(trainee.url("/auteur/")).status_code == 403
    assert client.get(trainee.url(f"/auteur/contenus/{content.id}")).status_code == 403


def test_the_checker_reports_an_unreachable_step_beside_its_line(client, launch):
    trainer = launch("trainer")
    content = new_draft(client, trainer)
    broken = (
        CASE_TEMPLATE
        + "\n## Une étape oubliée {#oubliee}\n\nPersonne n'arrive ici.\n\n### Débriefing\n\nRien.\n"
    )
    line = broken.splitlines().index("## Une étape oubliée {#oubliee}") + 1
    answer = client.post(
        trainer.url(f"/auteur/contenus/{content.id}/apercu"), json={"text": broken}
    )
    problems = answer.get_json()["problems"]
    assert any(p["line"] == line and "oubliee" in p["message"] for p in problems), problems
    assert "erreur" in answer.get_json()["summary"]
    # The same message as `python -m course check`.
    from lti_tool.authoring.checking import check

    assert [(p.line, p.message) for p in check("case", broken).problems] == [
        (p["line"], p["message"]) for p in problems
    ]
    # Publishing refuses with the errors, keeps the draft saved, and publishes nothing.
    response = save(client, trainer, content, broken, "publish")
    assert response.status_code == 422
    assert "Publication refusée" in response.get_data(as_text=True)
    db.session.refresh(content)
    assert content.draft == broken and content.published_version == 0
    assert db.session.scalar(select(AuthoredVersion)) is None


def test_learners_finish_on_the_version_they_started_and_newcomers_get_the_latest(client, launch):
    trainer = launch("trainer")
    content = published(client, trainer)
    first = launch("trainee", sub="first", target=f"case:{SLUG}")
    assert client.post(first.url(f"/cas/{SLUG}/commencer")).status_code == 303
    assert choose(client, first, SLUG, "analyse-demande").status_code == 303
    # The trainer publishes v2 while the trainee is in the middle of v1.
    assert save(client, trainer, content, CASE_V2, "publish").status_code == 303
    db.session.refresh(content)
    assert content.published_version == 2
    assert "Karim se détend" in client.get(first.url(f"/cas/{SLUG}/jouer")).get_data(as_text=True)
    assert choose(client, first, SLUG, "fin-bilan-engage").status_code == 303
    run = db.session.scalar(select(CasePlay).where(CasePlay.user_id == first.user.id))
    assert (run.authored_version, run.status, run.score) == (1, "finished", 1.0)
    assert "Score : 100" in client.get(first.url(f"/cas/{SLUG}/jouer")).get_data(as_text=True)
    newcomer = launch("trainee", sub="newcomer")
    client.post(newcomer.url(f"/cas/{SLUG}/commencer"))
    assert choose(client, newcomer, SLUG, "comprendre-la-demande").status_code == 303
    run = db.session.scalar(select(CasePlay).where(CasePlay.user_id == newcomer.user.id))
    assert run.authored_version == 2 and run.current_step == "comprendre-la-demande"


def test_content_stays_in_its_course_unless_shared_on_the_same_platform(client, launch):
    trainer = launch("trainer")
    content = published(client, trainer)
    other = launch("trainee", sub="elsewhere", context="course-2")
    assert client.get(other.url(f"/cas/{SLUG}")).status_code == 404
    client.post(trainer.url(f"/auteur/contenus/{content.id}/partage"), data={"shared": "1"})
    assert client.get(other.url(f"/cas/{SLUG}")).status_code == 200
    other_trainer = launch("trainer", sub="t2", context="course-2")
    # Another course's trainer can use it, not edit it.
    assert client.get(other_trainer.url(f"/auteur/contenus/{content.id}")).status_code == 404


def test_published_content_is_offered_in_its_course_picker_only(app, launch, client):
    from lti_tool.authoring.views import _deep_link_items

    trainer = launch("trainer")
    published(client, trainer)
    other = launch("trainer", sub="t2", context="course-2")
    with app.test_request_context():
        from flask import g

        from lti_tool.launch_session import load_launch

        g.launch = load_launch(trainer.token)
        assert [i.target for i in _deep_link_items()] == [f"case:{SLUG}"]
        g.launch = load_launch(other.token)
        assert _deep_link_items() == []


def test_two_trainers_never_overwrite_each_other_silently(client, launch):
    alice = launch("trainer", sub="alice", name="Alice")
    bob = launch("trainer", sub="bob", name="Bob")
    content = new_draft(client, alice)
    revision = content.draft_revision
    ok = client.post(
        alice.url(f"/auteur/contenus/{content.id}"),
        data={"text": CASE_TEMPLATE + "\nAlice\n", "revision": revision},
    )
    assert ok.status_code == 303
    late = client.post(
        bob.url(f"/auteur/contenus/{content.id}"),
        data={"text": CASE_TEMPLATE + "\nBob\n", "revision": revision},
    )
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and "modifié par Alice" in page
    assert "Bob" in page  # Bob's text is still in his editor: nothing lost
    db.session.refresh(content)
    assert content.draft.endswith("Alice\n")


def test_an_export_re_imports_identically_and_the_command_accepts_it(client, launch, tmp_path):
    trainer = launch("trainer")
    case = published(client, trainer)
    module = new_draft(client, trainer, "module")
    client.post(
        trainer.url(f"/auteur/contenus/{module.id}/images"),
        data={"image": (io.BytesIO(PNG), "Schéma des phases.png")},
        content_type="multipart/form-data",
    )
    with_image = MODULE_TEMPLATE + "\n![Les trois phases](images/schema-des-phases.png)\n"
    assert save(client, trainer, module, with_image, "publish").status_code == 303
    archive = client.get(trainer.url("/auteur/export.zip"))
    assert archive.headers["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(archive.data)).extractall(tmp_path)
    loaded = load_course(tmp_path)
    assert loaded.errors == []
    assert [c.id for c in loaded.course.case_studies] == [SLUG]
    assert [m.id for m in loaded.course.modules] == ["nouveau-module"]
    # Re-imported into another course: the same files, byte for byte.
    other = launch("trainer", sub="t2", context="course-2")
    # (the other course would clash with the same ids on this platform: delete the originals)
    client.post(trainer.url(f"/auteur/contenus/{case.id}/supprimer"), data={"confirm": "1"})
    client.post(trainer.url(f"/auteur/contenus/{module.id}/supprimer"), data={"confirm": "1"})
    response = client.post(
        other.url("/auteur/importer"),
        data={"fichier": (io.BytesIO(archive.data), "contenus.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    listing = client.get(other.url("/auteur/")).get_data(as_text=True)
    assert "2 contenus importés en brouillon : relisez-les" in listing
    again = client.get(other.url("/auteur/export.zip")).data
    original, copy = zipfile.ZipFile(io.BytesIO(archive.data)), zipfile.ZipFile(io.BytesIO(again))
    assert sorted(original.namelist()) == sorted(copy.namelist())
    for name in original.namelist():
        assert original.read(name) == copy.read(name)


def test_an_import_with_an_error_stores_nothing(client, launch):
    trainer = launch("trainer")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("modules/bon/index.md", MODULE_TEMPLATE.replace("nouveau-module", "bon"))
        archive.writestr(
            "case_studies/casse/index.md",
            CASE_TEMPLATE.replace("](#analyse-demande)", "](#nulle-part)"),
        )
    response = client.post(
        trainer.url("/auteur/importer"),
        data={"fichier": (io.BytesIO(buffer.getvalue()), "export.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "nulle-part" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuthoredContent)) is None
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/x.md", "---\nid: x\n---\n")
    response = client.post(
        trainer.url("/auteur/importer"),
        data={"fichier": (io.BytesIO(evil.getvalue()), "x.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "chemin interdit" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuthoredContent)) is None


def test_images_are_checked_sanitised_and_served_with_the_content_rules(client, launch):
    trainer = launch("trainer")
    content = new_draft(client, trainer, "module")
    fake = client.post(
        trainer.url(f"/auteur/contenus/{content.id}/images"),
        data={"image": (io.BytesIO(b"<html>not a png</html>"), "photo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "pas un PNG" in fake.get_data(as_text=True)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
        b'<script>alert(2)</script><rect width="10" height="10" fill="blue"/>'
        b"<foreignObject><div>x</div></foreignObject></svg>"
    )
    client.post(
        trainer.url(f"/auteur/contenus/{content.id}/images"),
        data={"image": (io.BytesIO(svg), "dessin.svg")},
        content_type="multipart/form-data",
    )
    stored = db.session.scalar(select(AuthoredImage))
    assert stored.name == "dessin.svg"
    assert b"script" not in stored.data and b"onload" not in stored.data
    assert b"foreignObject" not in stored.data and b"rect" in stored.data
    text = MODULE_TEMPLATE + "\n![Un dessin](images/dessin.svg)\n"
    assert save(client, trainer, content, text, "publish").status_code == 303
    trainee = launch("trainee")
    page = client.get(trainee.url("/modules/nouveau-module")).get_data(as_text=True)
    src = f"/s/{trainee.token}/auteur/contenus/{content.id}/images/dessin.svg"
    assert f'src="{src}"' in page
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    # No inline script can run even if one slipped through (the data policy of every file).
    assert "script-src 'self'" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    outsider = launch("trainee", sub="out", context="course-2")
    assert (
        client.get(outsider.url(f"/auteur/contenus/{content.id}/images/dessin.svg")).status_code
        == 404
    )


def test_module_learners_keep_their_version(client, launch):
    trainer = launch("trainer")
    content = published(client, trainer, MODULE_TEMPLATE, "module")
    trainee = launch("trainee")
    assert client.get(trainee.url("/modules/nouveau-module")).status_code == 200
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.authored_version == 1
    v2 = MODULE_TEMPLATE.replace("## La demande et le besoin", "## Demande, besoin et commande")
    assert save(client, trainer, content, v2, "publish").status_code == 303
    assert "La demande et le besoin" in client.get(trainee.url("/modules/nouveau-module")).get_data(
        as_text=True
    )
    newcomer = launch("trainee", sub="new")
    assert "Demande, besoin et commande" in client.get(
        newcomer.url("/modules/nouveau-module")
    ).get_data(as_text=True)


def test_gift_and_moodle_xml_questions_are_appended_to_a_module_draft_with_the_report(
    client, launch
):
    trainer = launch("trainer")
    content = new_draft(client, trainer, "module")
    response = client.post(
        trainer.url(f"/auteur/contenus/{content.id}/questions"),
        data={"questions": (io.BytesIO((FIXTURES / "banque-c4.xml").read_bytes()), "banque.xml")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "3 questions importées, 4 non importées" in page and "Cas de refus" in page
    db.session.refresh(content)
    assert "<!-- question: secret-professionnel competency=C4 -->" in content.draft
    assert service.check_draft(content).ok
    response = client.post(
        trainer.url(f"/auteur/contenus/{content.id}/questions"),
        data={"questions": (io.BytesIO((FIXTURES / "banque-c1.gift").read_bytes()), "banque.gift")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "ligne 27" in page and "réponse courte" in page
    db.session.refresh(content)
    assert "<!-- question: duree-maximale competency=C1 -->" in content.draft


def test_history_diff_revert_and_the_audit_log(client, launch):
    trainer = launch("trainer")
    content = published(client, trainer)
    assert save(client, trainer, content, CASE_V2, "publish").status_code == 303
    page = client.get(trainer.url(f"/auteur/contenus/{content.id}/versions?v=2")).get_data(
        as_text=True
    )
    assert "comprendre-la-demande" in page and "<ins>" in page and "<del>" in page
    client.post(trainer.url(f"/auteur/contenus/{content.id}/versions/1/retablir"))
    db.session.refresh(content)
    assert content.draft == CASE_TEMPLATE and content.published_version == 2
    assert save(client, trainer, content, content.draft, "publish").status_code == 303
    db.session.refresh(content)
    assert content.published_version == 3
    # Nothing to publish twice: the same text is refused.
    assert save(client, trainer, content, content.draft, "publish").status_code == 409
    client.post(trainer.url(f"/auteur/contenus/{content.id}/supprimer"), data={"confirm": "1"})
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("authoring.publish") == 3 and actions[-1] == "authoring.delete"
    publish = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "authoring.publish")
    ).first()
    assert publish.actor_id == trainer.user.id and len(publish.data["sha256"]) == 64
    assert client.get(launch("trainee").url(f"/cas/{SLUG}")).status_code == 404


def test_an_id_taken_by_shipped_content_is_refused(client, launch):
    trainer = launch("trainer")
    content = new_draft(client, trainer)
    taken = CASE_TEMPLATE.replace(f"id: {SLUG}", "id: cas-reconversion-comptable")
    response = save(client, trainer, content, taken, "publish")
    assert response.status_code == 422
    assert "déjà pris" in response.get_data(as_text=True)


def test_an_import_meeting_a_concurrent_save_answers_like_the_editor(client, launch, monkeypatch):
    """Bob saves while Alice's question file is read: a 409 with the diff, Alice's draft with
    the imported questions kept in her editor, Bob's text untouched (no 500)."""
    from sqlalchemy import update

    from lti_tool.authoring import views

    alice = launch("trainer", sub="alice", name="Alice")
    bob = launch("trainer", sub="bob", name="Bob")
    content = new_draft(client, alice, "module")
    read = views.import_file_data

    def read_while_bob_saves(filename, data):
        with db.engine.begin() as other:  # another request, committed meanwhile
            other.execute(
                update(AuthoredContent)
                .where(AuthoredContent.id == content.id)
                .values(
                    draft=MODULE_TEMPLATE + "\nTexte de Bob\n",
                    draft_revision=AuthoredContent.draft_revision + 1,
                    draft_updated_by=bob.user.id,
                )
            )
        return read(filename, data)

    monkeypatch.setattr(views, "import_file_data", read_while_bob_saves)
    response = client.post(
        alice.url(f"/auteur/contenus/{content.id}/questions"),
        data={"questions": (io.BytesIO((FIXTURES / "banque-c4.xml").read_bytes()), "banque.xml")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:500]
    assert "modifié par Bob" in page and "3 questions importées" in page
    # Alice's draft with the questions is in her editor, to compare and save again.
    assert "question: secret-professionnel competency=C4" in page
    db.session.expire_all()
    stored = db.session.get(AuthoredContent, content.id)
    assert stored.draft.endswith("Texte de Bob\n") and "secret-professionnel" not in stored.draft


def test_a_page_of_another_feature_is_sent_as_written(
    client,
    launch,
    small_bank,  # noqa: F811
    monkeypatch,
):
    """The image mark is replaced where authored content is rendered, not in every response:
    the exam's paper showing the same characters is sent as it was written."""
    from lti_tool.exam import bank as bank_module
    from lti_tool.exam import page as exam_page
    from lti_tool.rendering import LAUNCH_MARK

    monkeypatch.setattr(exam_page, "_pieces", {})  # the paper's fragments, rendered again

    marked = f"/s/{LAUNCH_MARK}/auteur/contenus/1/images/x.png"
    for shown in bank_module.display_content()["items"].values():
        shown["stem"] = f"<p>Voir {marked}</p>"
    candidate = launch("trainee", sub="cand-1", target="exam:certification")
    assert client.post(candidate.url("/examen/commencer")).status_code == 303
    page = client.get(candidate.url("/examen/passer")).get_data(as_text=True)
    assert f"Voir {marked}" in page
    assert f"/s/{candidate.token}/auteur/contenus/1/images" not in page


def test_the_editor_preview_gives_images_the_launch_token(client, launch):
    """The preview (page and live JSON) shows the content's images under this launch."""
    trainer = launch("trainer")
    content = new_draft(client, trainer, "module")
    client.post(
        trainer.url(f"/auteur/contenus/{content.id}/images"),
        data={"image": (io.BytesIO(PNG), "dessin.png")},
        content_type="multipart/form-data",
    )
    text = MODULE_TEMPLATE + "\n![Un dessin](images/dessin.png)\n"
    src = f"/s/{trainer.token}/auteur/contenus/{content.id}/images/dessin.png"
    live = client.post(trainer.url(f"/auteur/contenus/{content.id}/apercu"), json={"text": text})
    assert f'src="{src}"' in live.get_json()["html"]
    assert save(client, trainer, content, text).status_code == 303
    page = client.get(trainer.url(f"/auteur/contenus/{content.id}")).get_data(as_text=True)
    assert f'src="{src}"' in page and "/s/_lt_/" not in page
