"""Content flagged ``review: true``: a discreet notice for trainers, listed on their page, never shown to trainees."""

from __future__ import annotations

from lti_tool.content import course

NOTICE = "À faire valider par un formateur"


def flagged():
    modules = [m for m in course().modules if m.review]
    cases = [c for c in course().case_studies if c.review]
    assert modules and cases, "the real course has content to review (see DOMAIN.md [?] points)"
    return modules[0], cases[0]


def test_trainers_see_the_notice_on_flagged_content_trainees_never(client, launch):
    module, case = flagged()
    plain = next(m for m in course().modules if not m.review)
    trainer, trainee = launch("trainer"), launch("trainee")
    for path in (f"/modules/{module.id}", f"/cas/{case.id}"):
        page = client.get(trainer.url(path)).get_data(as_text=True)
        assert NOTICE in page and 'class="review-note"' in page, path
        seen = client.get(trainee.url(path), follow_redirects=True).get_data(as_text=True)
        assert NOTICE not in seen and "review-note" not in seen, path
    notes = module.review_notes.split()[0]
    assert notes in client.get(trainer.url(f"/modules/{module.id}")).get_data(as_text=True)
    assert NOTICE not in client.get(trainer.url(f"/modules/{plain.id}")).get_data(as_text=True)


def test_the_trainer_page_lists_every_flagged_module_and_case_study(client, launch):
    trainer = launch("trainer")
    page = client.get(trainer.url("/modules/suivi")).get_data(as_text=True)
    assert "Contenus à faire valider par un formateur" in page
    for module in course().modules:
        assert (f'/modules/{module.id}"' in page) is module.review, module.id
    for case in course().case_studies:
        assert (f'/cas/{case.id}"' in page) is case.review, case.id
    assert client.get(launch("trainee").url("/modules/suivi")).status_code == 403


def test_the_trainer_page_lists_flagged_items_and_vignettes_with_date_and_place(client, launch):
    from pathlib import Path

    from markupsafe import escape

    from course.reviews import review_flags

    root = Path(client.application.config["COURSE_ROOT"])
    flags = review_flags(root)
    kinds = {f.kind for f in flags}
    assert {"exam_item", "exam_case"} <= kinds, kinds  # DOMAIN.md [?] points in the exam bank
    page = client.get(launch("trainer").url("/modules/suivi")).get_data(as_text=True)
    for flag in flags:
        assert f"<code>{flag.where}</code>" in page, flag
        if flag.kind.startswith("exam"):  # the exam bank's flags are dated (the check demands it)
            assert flag.date and f'<time datetime="{flag.date}">' in page, flag
        assert escape(flag.notes) in page, flag
    items = [f for f in flags if f.kind == "exam_item"]
    assert all(f"Item d'examen « {f.id} »" in page for f in items)
