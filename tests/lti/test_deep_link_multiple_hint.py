"""The picker says, before « Ajouter au cours », how Moodle creates several activities.

Seen in a real Moodle 4.4 (issue 15, point 2): the return page is replaced by Moodle's own page
within 0.15 s, so a warning there cannot be read; Moodle creates the activities one by one only
after « Enregistrer et revenir au cours », and leaving its page then lost 2 of 3.
"""

from __future__ import annotations

from tests.lti.test_demo_and_registration import demo_jwks, demo_links, follow_demo  # noqa: F401


def test_multiple_selection_picker_warns_before_adding(client, demo_jwks):  # noqa: F811
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    picker_url = follow_demo(client, dl).headers["Location"]
    html = client.get(picker_url).get_data(as_text=True)
    assert 'type="checkbox" name="item"' in html  # the demo platform accepts several
    hint = html[html.index('id="dl-multiple-hint"') :].split("</p>")[0]
    assert "Enregistrer et revenir au cours" in hint
    assert "une par une" in hint and "perdues" in hint
    button = html[html.index("<button", html.index('id="dl-multiple-hint"')) :].split(">")[0]
    assert 'aria-describedby="dl-multiple-hint"' in button
