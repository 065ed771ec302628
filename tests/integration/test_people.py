"""The trainees of a course: one shared query behind every trainer table."""

from __future__ import annotations

from lti_tool.people import trainees_of


def test_trainees_of_a_course_only_trainees_of_that_course_in_launch_order(launch):
    first = launch("trainee", sub="ana", name="Ana")
    launch("trainer", sub="tom", name="Tom")
    second = launch("trainee", sub="bob", name="Bob")
    launch("trainee", sub="zoe", name="Zoé", context="course-2")
    rows = trainees_of(first.context.id)
    assert [e.user.display_name for e in rows] == ["Ana", "Bob"]
    assert [e.user_id for e in rows] == [first.user.id, second.user.id]


def test_trainer_tables_list_the_course_trainees_and_nobody_else(client, launch):
    launch("trainee", sub="ana", name="Ana Lstagiaire")
    launch("trainee", sub="zoe", name="Zoé Dailleurs", context="course-2")
    trainer = launch("trainer", sub="tom", name="Tom Leformateur")
    for path in ("/modules/suivi", "/dossier/candidats"):
        page = client.get(trainer.url(path)).get_data(as_text=True)
        assert "Ana Lstagiaire" in page, path
        assert "Zoé Dailleurs" not in page, path
        # The trainer appears once, in the page header, never as a row of the table.
        assert page.count("Tom Leformateur") == 1, path
