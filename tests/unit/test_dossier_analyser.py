"""The dossier analyser end to end, on dossiers generated as Markdown, DOCX, ODT and PDF."""

from __future__ import annotations

import json
from functools import cache

import pytest

from grading.dossier import (
    DossierRequirement,
    Report,
    analyse,
    compare,
)
from tests.unit.dossier_fixtures import (
    FILLER,
    FOLLOW_UP,
    MAX,
    SESSIONS,
    SHORT_SESSIONS,
    WRITERS,
    Dossier,
    PdfPages,
    as_docx,
    as_markdown,
    complete,
    requirements,
    sections,
    to_docx,
    to_markdown,
    to_odt,
    to_pdf,
)


def run(data: bytes) -> Report:
    return analyse(data, requirements(), max_bytes=MAX)


def problems(report: Report) -> list[tuple[str, str, str]]:
    return [
        (item.id, finding.severity, finding.message)
        for item in report.items
        for finding in item.findings
        if finding.severity != "info"
    ]


def status(report: Report) -> dict[str, str]:
    return {item.id: item.status for item in report.items}


def findings(report: Report, item_id: str, check: str | None = None):
    item = report.item(item_id)
    assert item is not None
    return [f for f in item.findings if check is None or f.check == check]


@cache
def complete_report(kind: str) -> Report:
    return run(WRITERS[kind](complete()))


@pytest.mark.parametrize("kind", ["md", "docx", "odt", "pdf"])
def test_a_complete_dossier_passes_every_check(kind):
    report = complete_report(kind)
    assert report.kind == kind
    assert problems(report) == []
    assert report.all_green and report.hours == 10.0 and report.anonymisation_findings == 0
    assert {s.id for s in report.sections} == {r.id for r in requirements()}
    assert len(report.sessions) == 6


def test_the_issue_scenario_85_hours_no_follow_up_phone_on_page_3_then_fixed():
    phone = "En cas d'empêchement, la joindre au 06 12 34 56 78."
    draft = complete(hours=SHORT_SESSIONS, follow_up=False).adding("Plan d'action", phone)
    pages = PdfPages()
    first = run(to_pdf(draft, pages=pages))
    assert pages.pages[phone] == 3

    assert first.hours == 8.5 and not first.all_green
    cadre = findings(first, "cadre", "session_hours")
    total = next(f for f in cadre if f.severity == "error")
    assert "8,5 h" in total.message and "10 h" in total.message
    rows = [f.location for f in cadre if f.code == "row"]
    assert rows == ["page 1, section « Cadre de l'accompagnement »"] * 5
    assert status(first)["cadre"] == "missing"
    follow_up = findings(first, "plan-action", "follow_up")
    assert [f.code for f in follow_up] == ["none"] and "suivi" in follow_up[0].message
    leak = [f for f in findings(first, "annexes", "anonymisation") if f.code == "phone"]
    assert len(leak) == 1 and leak[0].location == "page 3, section « Plan d'action »"
    assert "numéro de téléphone « 06 12 34 56 78 »" in leak[0].message
    assert first.anonymisation_findings == 1

    fixed = run(to_pdf(complete()))
    assert fixed.all_green
    changes = [str(c) for c in compare(first, fixed)]
    assert "Cadre : à compléter → conforme" in changes
    assert "Plan d'action : à compléter → conforme" in changes
    assert "Heures de séances : 8,5 h → 10 h" in changes
    assert any(
        c.startswith("Corrigé — Annexes : À anonymiser : numéro de téléphone") for c in changes
    )
    assert not any(c.startswith("Nouveau") for c in changes)


@pytest.mark.parametrize("kind", ["md", "docx", "odt", "pdf"])
def test_a_missing_section_is_reported_in_every_format(kind):
    report = run(WRITERS[kind](complete().without("Posture du consultant")))
    assert status(report)["posture"] == "missing"
    assert [f.code for f in findings(report, "posture")] == ["missing"]
    assert "Section introuvable" in findings(report, "posture")[0].message
    assert {k: v for k, v in status(report).items() if k != "posture"} == dict.fromkeys(
        [r.id for r in requirements() if r.id != "posture"], "ok"
    )


def test_a_near_miss_heading_is_suggested():
    report = run(to_markdown(complete().with_part("Plan d'action", heading="Plans daction futurs")))
    (finding,) = findings(report, "plan-action", "section_present")
    assert finding.message.endswith(
        "Le titre le plus proche est « Plans daction futurs » : renommez-le."
    )
    assert finding.location == "section « Plans daction futurs » (ligne 38 du fichier)"
    # « Pièces jointes » says the same as « Annexes »: recognised by its meaning (issue 17).
    report = run(to_markdown(complete().with_part("Annexes", heading="Pièces jointes")))
    (finding,) = findings(report, "annexes", "section_present")
    assert finding.message == "Section trouvée : « Pièces jointes »."


@pytest.mark.parametrize(
    ("heading", "item"),
    [
        ("2. Analyse de la demnade", "analyse-demande"),
        ("II - POSTURE DU CONSULTANT", "posture"),
        ("Partie 5 : l'exploration du parcours", "exploration"),
        ("6) Outils utilises", "outils"),
        ("Le plan d’action", "plan-action"),
    ],
)
def test_headings_are_matched_tolerantly(heading, item):
    original = {
        "analyse-demande": "Analyse de la demande",
        "posture": "Posture du consultant",
        "exploration": "Exploration du parcours",
        "outils": "Outils utilisés",
        "plan-action": "Plan d'action",
    }[item]
    report = run(to_docx(complete().with_part(original, heading=heading)))
    assert status(report)[item] == "ok", problems(report)
    assert (
        findings(report, item, "section_present")[0].message == f"Section trouvée : « {heading} »."
    )


def test_headings_typed_as_bold_paragraphs_are_found():
    report = run(to_docx(complete(), styled_headings=False))
    assert report.all_green, problems(report)


def test_short_sections_get_a_word_count_warning():
    report = run(to_odt(complete().with_part("Posture du consultant", paragraphs=("Trop court.",))))
    (finding,) = findings(report, "posture", "word_count")
    assert (
        finding.severity == "warning" and finding.message == "2 mots : au moins 150 sont attendus."
    )
    assert status(report)["posture"] == "warning"


@pytest.mark.parametrize(
    ("durations", "total"),
    [
        (["2 h", "1,5 h", "90 min", "2:00", "1 heure 30", "1h30"], 10.0),
        (["14h-16h", "9h30 - 11h", "deux heures", "1.5h", "120 minutes", "1h"], 10.0),
        (["1h30", "1h30", "1h30", "1h30", "1 h", "1 h"], 8.0),
    ],
)
def test_session_durations_in_every_usual_notation(durations, total):
    rows = [(f"{day:02d}/01/2026", d, "investigation") for day, d in enumerate(durations, 5)]
    dossier = complete().with_part(
        "Cadre de l'accompagnement",
        rows=(("Date de la séance", "Durée", "Phase"), *rows),
    )
    report = run(to_markdown(dossier))
    assert report.hours == total
    assert status(report)["cadre"] == ("ok" if total >= 10 else "missing")


def test_sessions_declared_total_unreadable_duration_and_no_table():
    rows = (
        ("Date", "Durée", "Phase"),
        *SESSIONS,
        ("16/02/2026", "à définir", "conclusion"),
        ("Total", "12 h", ""),
    )
    report = run(to_docx(complete().with_part("Cadre de l'accompagnement", rows=rows)))
    codes = {f.code: f for f in findings(report, "cadre", "session_hours")}
    assert report.hours == 10.0
    assert "12 h" in codes["declared_total"].message and "10 h" in codes["declared_total"].message
    assert "« à définir »" in codes["unreadable"].message
    assert codes["unreadable"].location.endswith("tableau 1, ligne 8")
    none = run(to_docx(complete().with_part("Cadre de l'accompagnement", rows=())))
    assert none.hours is None and [f.code for f in findings(none, "cadre", "session_hours")] == [
        "no_table"
    ]


LONG_PHASE = (
    "Investigation : passation des questionnaires d'intérêts professionnels et restitution "
    "détaillée au bénéficiaire"
)


@pytest.mark.parametrize("v_align", ["TOP", "MIDDLE", "BOTTOM"])
def test_a_pdf_table_row_wrapping_over_several_lines_keeps_its_hours(v_align):
    """A long cell wraps its row over several lines of the PDF's text, its duration on one of
    them: every session is still counted (6.5 h of 10 were found before, silently)."""
    rows = (
        ("Date", "Phase et contenu", "Durée"),
        *[(d, LONG_PHASE if i in (0, 3) else p, h) for i, (d, h, p) in enumerate(SESSIONS)],
    )
    dossier = complete().with_part("Cadre de l'accompagnement", rows=rows)
    report = run(to_pdf(dossier, v_align=v_align))
    assert report.hours == 10.0 and len(report.sessions) == 6
    assert [f.code for f in findings(report, "cadre", "session_hours")].count("unreadable") == 0


def test_a_dated_line_without_a_duration_among_the_sessions_is_reported():
    lines = (
        "Les séances :",
        "05/01/2026 préliminaire 2 h",
        "12/01/2026 investigation 1h30",
        "19/01/2026 investigation, durée à confirmer",
        "26/01/2026 investigation 2 h",
        "02/02/2026 conclusion 90 min",
        "09/02/2026 conclusion 1 h",
        "Bilan clos le 09/02/2026.",  # after the last session: prose, not a session
    )
    part = "Cadre de l'accompagnement"
    report = run(to_markdown(complete().with_part(part, rows=(), paragraphs=(FILLER, *lines))))
    codes = [f.code for f in findings(report, "cadre", "session_hours")]
    assert report.hours == 8.0 and len(report.sessions) == 5
    unreadable = [f for f in findings(report, "cadre", "session_hours") if f.code == "unreadable"]
    assert codes.count("unreadable") == 1
    assert "19/01/2026 investigation, durée à confirmer" in unreadable[0].message


def test_follow_up_timing():
    def follow_up(sentence: str) -> list:
        dossier = complete(follow_up=False).adding("Plan d'action", sentence)
        return findings(run(to_markdown(dossier)), "plan-action", "follow_up")

    assert [f.code for f in follow_up("Entretien de suivi le 10/08/2026.")] == ["planned"]
    assert [f.code for f in follow_up("Suivi à 6 mois avec la bénéficiaire.")] == ["planned"]
    late = follow_up("Un entretien de suivi est prévu dans deux mois.")
    assert [f.code for f in late] == ["timing"] and "2 mois" in late[0].message
    assert [f.code for f in follow_up("Un entretien de suivi sera proposé.")] == ["no_date"]
    assert [f.code for f in follow_up("Elle a suivi une formation en 2019.")] == ["none"]


def test_dated_actions():
    def plan(*paragraphs: str) -> list:
        dossier = complete().with_part("Plan d'action", paragraphs=paragraphs)
        return findings(run(to_markdown(dossier)), "plan-action", "dated_actions")

    assert [f.code for f in plan("Contacter des associations.", "Se former.")] == ["none"]
    assert [f.code for f in plan("Contacter des associations semaine 12.", "Se former.")] == ["few"]
    assert [f.code for f in plan("Rencontrer un employeur en mars 2027.", FOLLOW_UP)] == ["dated"]


def test_phases_missing_or_outdated():
    investigation = [(date, hours, "investigation") for date, hours, _ in SESSIONS]
    dossier = complete(hours=investigation).with_part(
        "Déroulement du parcours",
        paragraphs=("Le bilan a suivi quatre phases : préliminaire puis investigation.",),
    )
    report = run(to_markdown(dossier))
    codes = [f.code for f in findings(report, "parcours", "phases") if f.severity != "info"]
    assert codes == ["no_conclusion", "outdated"] and status(report)["parcours"] == "missing"


def test_tools_need_a_justification_and_the_genogram_a_consent():
    dossier = complete().with_part(
        "Outils utilisés",
        paragraphs=(
            "Nous avons fait un génogramme.",
            "Le RIASEC a été proposé afin d'ouvrir des pistes.",
        ),
    )
    report = run(to_docx(dossier))
    issues = {f.code: f for f in findings(report, "outils") if f.severity == "warning"}
    assert set(issues) == {"unjustified", "genogram_consent"}
    assert issues["unjustified"].excerpt == "génogramme"
    assert issues["unjustified"].location.endswith("paragraphe 1")
    assert status(report)["outils"] == "warning"


def test_consent_missing():
    dossier = (
        complete()
        .with_part("Cadre de l'accompagnement", paragraphs=(FILLER_NO_CONSENT,))
        .with_part("Annexes", paragraphs=("Feuilles d'émargement anonymisées.",))
    )
    report = run(to_markdown(dossier))
    assert status(report)["cadre"] == status(report)["annexes"] == "missing"
    assert [f.code for f in findings(report, "annexes", "consent")] == ["missing"]


FILLER_NO_CONSENT = "Le cadre de la prestation a été posé avec la bénéficiaire. " * 20


@pytest.mark.parametrize(
    ("sentence", "code", "excerpt"),
    [
        (" Écrire à claire.martin@example.org.", "email", "claire.martin@example.org"),
        (" Tél. : +33 6 12 34 56 78.", "phone", "+33 6 12 34 56 78"),
        (" NIR : 2 84 05 75 123 456 72.", "nir", "2 84 05 75 123 456 72"),
        (" Elle habite 12 rue des Lilas.", "address", "12 rue des Lilas"),
        (" Elle vit à 69003 Lyon.", "address", "69003 Lyon"),
        (" Profil : linkedin.com/in/claire-martin", "social", "linkedin.com/in/claire-martin"),
        (" Née le 3 mars 1987.", "birth_date", "Née le 3 mars 1987"),
        (" Madame Durand a signé.", "name", "Madame Durand"),
        (" Sophie Lambert a signé.", "name", "Sophie Lambert"),
    ],
)
def test_each_identifying_detail_is_found_with_its_location(sentence, code, excerpt):
    report = run(to_markdown(complete(extra=sentence)))
    found = [f for f in findings(report, "annexes", "anonymisation") if f.code == code]
    assert [f.excerpt for f in found] == [excerpt]
    assert found[0].location == "section « Annexes », paragraphe 1 (ligne 48 du fichier)"
    assert found[0].severity == "error" and status(report)["annexes"] == "missing"
    assert report.anonymisation_findings == 1


@pytest.mark.parametrize("kind", ["md", "docx", "odt", "pdf"])
def test_author_metadata_is_reported(kind):
    report = run(WRITERS[kind](Dossier(complete().parts, author="Claire Martin")))
    (finding,) = [f for f in findings(report, "annexes", "anonymisation") if f.code == "metadata"]
    assert "Claire Martin" in finding.message and finding.location == "propriétés du fichier"
    assert status(report)["annexes"] == "missing"


def test_last_modified_by_and_a_phone_in_the_footer_are_reported():
    dossier = Dossier(complete().parts, footer="Contact : 06 12 34 56 78")
    report = run(to_docx(dossier, last_modified_by="cmartin"))
    found = {f.code: f for f in findings(report, "annexes", "anonymisation")}
    assert "cmartin" in found["metadata"].message
    assert found["phone"].location == "pied de page"


def test_health_terms_are_warnings_with_their_location():
    report = run(to_markdown(complete(extra=" Elle sort d'un burn-out et a une RQTH.")))
    health = findings(report, "annexes", "health_terms")
    assert {f.excerpt for f in health} == {"burn-out", "RQTH"}
    assert all(f.severity == "warning" and "Annexes" in f.location for f in health)
    assert status(report)["annexes"] == "warning" and report.health_findings == 2


def test_report_survives_a_json_round_trip_and_reads_the_first_version():
    report = run(to_docx(complete(hours=SHORT_SESSIONS, extra=" 06 12 34 56 78")))
    stored = json.loads(json.dumps(report.to_json()))
    again = Report.from_json(stored)
    assert again == report and again.to_json() == stored
    old = {
        "items": [
            {
                "id": "cadre",
                "title": "Cadre",
                "status": "missing",
                "findings": [
                    {
                        "check": "session_hours",
                        "message": "8.5 h",
                        "location": "",
                        "severity": "error",
                    }
                ],
            }
        ],
        "hours": 8.5,
        "anonymisation_findings": 0,
        "kind": "docx",
    }
    legacy = Report.from_json(old)
    assert legacy.hours == 8.5 and not legacy.all_green and legacy.sessions == []
    assert any(
        "Cadre : à compléter → conforme" == str(c) for c in compare(legacy, complete_report("md"))
    )


def test_compare_lists_new_findings():
    before = complete_report("md")
    after = run(to_markdown(complete(extra=" Écrire à claire.martin@example.org.")))
    changes = compare(before, after)
    assert [c.kind for c in changes] == ["status", "anonymisation", "new"]
    assert str(changes[-1]).startswith("Nouveau — Annexes : À anonymiser : adresse e-mail")


def test_unknown_check_names_are_refused():
    broken = [DossierRequirement("x", "X", ("X",), ("spelling",))]
    with pytest.raises(ValueError, match="spelling"):
        analyse(b"# X\n\ntexte", broken, max_bytes=MAX)


def test_legacy_helpers_still_build_the_same_dossiers():
    assert as_markdown(sections()) == to_markdown(complete())
    assert run(as_docx(sections(), author="Claire Martin")).anonymisation_findings == 1


def test_follow_up_timing_is_read_after_the_follow_up_mention():
    sentence = "Formation de 3 mois en avril 2026 ; entretien de suivi en août 2026."
    dossier = complete(follow_up=False).adding("Plan d'action", sentence)
    (finding,) = findings(run(to_markdown(dossier)), "plan-action", "follow_up")
    assert finding.code == "planned" and "6 mois" in finding.message


def test_a_tool_said_to_be_unused_needs_no_justification():
    dossier = complete().adding("Outils utilisés", "Le génogramme n'a pas été utilisé.")
    report = run(to_markdown(dossier))
    assert status(report)["outils"] == "ok", problems(report)
