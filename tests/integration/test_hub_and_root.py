"""Every trainer page is reached from the course hub; a 404 after a launch says where to go; the
root says what the tool is; a favicon (issue 15, point 4)."""

from __future__ import annotations

import io
import re

from flask import request

from tests.exam.conftest import small_bank  # noqa: F401  (fixture)


def test_trainer_reaches_exam_monitoring_and_analysis_from_the_hub(client, launch, small_bank):  # noqa: F811
    exam = launch("trainer", sub="t-1", target="exam:certification")  # the activity exists
    hub = launch("trainer", sub="t-1")  # the course hub: no resource link
    page = client.get(hub.url("/")).get_data(as_text=True)
    links = dict((label, href) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page))
    monitor = links["Suivi de l&#39;épreuve 1"].replace("&amp;", "&")
    analysis = links["Analyse des items de l&#39;épreuve 1"].replace("&amp;", "&")
    assert f"activite={exam.resource_link.id}" in monitor
    response = client.get(monitor)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The page's own links and forms keep naming the activity.
    assert f'/examen/analyse?activite={exam.resource_link.id}' in html
    assert f'/examen/publier-correction?activite={exam.resource_link.id}' in html
    assert f'/examen/suivi.json?activite={exam.resource_link.id}' in html
    assert client.get(analysis).status_code == 200


def test_a_trainer_of_another_course_or_a_trainee_cannot_name_an_activity(client, launch, small_bank):  # noqa: F811
    exam = launch("trainer", sub="t-1", target="exam:certification")
    outsider = launch("trainer", sub="t-2", context="course-2")
    trainee = launch("trainee", sub="c-1")
    query = f"/examen/suivi?activite={exam.resource_link.id}"
    assert client.get(outsider.url(query)).status_code == 404
    assert client.get(trainee.url(query)).status_code in (403, 404)
    assert client.get(trainee.url(f"/examen/?activite={exam.resource_link.id}")).status_code == 404


def test_a_404_after_launch_points_to_the_course_hub(client, launch):
    hub = launch("trainer", sub="t-1")
    page = client.get(hub.url("/examen/suivi"))
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Page introuvable" in html and "Aller à l'accueil du cours" in html
    assert f'href="/s/{hub.token}/"' in html


def test_root_says_what_the_tool_is_and_how_to_register(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "make registration-url" in html and "http://localhost/lti/jwks" in html
    assert 'rel="icon"' in html
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"].endswith("/static/favicon.svg")
    assert client.get("/static/favicon.svg").status_code == 200


def test_a_413_names_a_file_only_when_a_file_was_sent(app, client):
    """An upload over the limit says « Fichier trop volumineux »; a plain form over it does not."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    app.add_url_rule(
        "/test-form", "test_form", lambda: str(len(request.form)), methods=["POST"]
    )
    upload = client.post(
        "/test-form",
        data={"f": (io.BytesIO(b"x" * 5000), "dossier.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 413
    assert "Fichier trop volumineux" in upload.get_data(as_text=True)
    form = client.post("/test-form", data={"f": "x" * 5000})
    assert form.status_code == 413
    html = form.get_data(as_text=True)
    assert "Requête trop volumineuse" in html and "Fichier" not in html
