"""Times: UTC in storage and exports, the browser's zone on pages with the zone named, a UTC
fallback that says « UTC » (issue 15, point 5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from flask_babel import force_locale

from lti_tool.formatting import localtime


def test_time_element_carries_iso_utc_and_a_named_utc_fallback(app):
    paris_noon = datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with app.test_request_context("/"), force_locale("fr"):
        html = str(localtime(paris_noon))
    assert 'datetime="2026-07-01T10:00:00Z"' in html
    assert re.search(r">1 juil\. 2026.*10:00:00 UTC</time>", html), html
    assert str(localtime(None)) == ""


def test_pages_render_times_as_time_elements_and_exports_stay_iso(client, people, clock):
    from tests.exam.test_exam_web import begin

    candidate, trainer = people
    begin(client, candidate)
    client.post(
        trainer.url("/examen/amenagement"),
        data={"user_id": candidate.user.id, "percent": "10", "confirm": "1"},
    )
    monitor = client.get(trainer.url("/examen/suivi")).get_data(as_text=True)
    moment = clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{moment}" data-local="medium">' in monitor
    assert " UTC</time>" in monitor
    assert 'src="/static/localtime.js"' in monitor
    csv_text = client.get(trainer.url("/examen/resultats.csv")).get_data(as_text=True)
    assert clock().astimezone(UTC).isoformat() in csv_text
