"""Issue 17: the candidate declares the pseudonyms used in the dossier; they are not reported."""

from __future__ import annotations

import io

from sqlalchemy import select

from lti_tool.clock import now
from lti_tool.dossier import analysis, service
from lti_tool.extensions import db
from lti_tool.models.dossier import DossierUpload
from tests.unit.dossier_fixtures import as_markdown, sections


def post(client, who, data, pseudonyms=""):
    return client.post(
        who.url("/dossier/depot"),
        data={"file": (io.BytesIO(data), "d.md"), "pseudonyms": pseudonyms},
        content_type="multipart/form-data",
    )


def names_reported(upload: DossierUpload) -> list[str]:
    return [
        f["excerpt"]
        for item in upload.report["items"]
        for f in item["findings"]
        if f["check"] == "anonymisation" and f["code"] == "name"
    ]


TEXT = "Karim a choisi la ligne de vie ; M. X. l'a encouragé. Thomas, son collègue, aussi."


def test_declared_pseudonyms_are_stored_and_not_reported(client, launch):
    candidate = launch("trainee", sub="cand")
    page = client.get(candidate.url("/dossier/")).get_data(as_text=True)
    assert 'name="pseudonyms"' in page and 'for="pseudonyms"' in page
    post(client, candidate, as_markdown(sections(extra=TEXT)), "Karim ; M. X.")
    post(client, candidate, as_markdown(sections(extra=TEXT)))
    analysis.analyse_pending(now(), max_seconds=120)
    declared, undeclared = db.session.scalars(
        select(DossierUpload).order_by(DossierUpload.version)
    ).all()
    assert declared.pseudonyms == "Karim; M. X."
    assert names_reported(declared) == ["Thomas"]
    assert sorted(names_reported(undeclared)) == ["Karim", "Thomas"]


def test_deleting_a_version_forgets_its_pseudonyms(client, launch):
    candidate = launch("trainee", sub="cand")
    post(client, candidate, as_markdown(sections()), "Karim")
    row = db.session.scalars(select(DossierUpload)).one()
    client.post(candidate.url(f"/dossier/fichier/{row.id}/supprimer"))
    db.session.expire_all()
    assert db.session.scalars(select(DossierUpload)).one().pseudonyms == ""


def test_pseudonyms_are_split_and_bounded():
    assert service.split_pseudonyms("Karim, M. X. ;  Léa\nKarim") == ["Karim", "M. X.", "Léa"]
    assert len(service.split_pseudonyms(";".join(f"N{i}" for i in range(30)))) == 10
    assert service.split_pseudonyms("x" * 200) == ["x" * 60]
