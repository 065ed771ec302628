"""A page's <title> is plain text: screen readers announce it first."""

import re


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return match.group(1).strip()


def test_the_demo_platform_title_is_its_name_alone(client):
    title = _title(client.get("/demo/").get_data(as_text=True))
    assert title == "Plateforme de démonstration"


def test_launched_pages_have_plain_text_titles(client, launch):
    trainee = launch("trainee", sub="t-title")
    trainer = launch("trainer", sub="f-title")
    for who, path in [
        (trainee, "/"),
        (trainee, "/modules/"),
        (trainee, "/cas/"),
        (trainer, "/notes/"),
        (trainer, "/modules/suivi"),
    ]:
        response = client.get(who.url(path))
        assert response.status_code == 200, path
        title = _title(response.get_data(as_text=True))
        assert title and "<" not in title, (path, title)
