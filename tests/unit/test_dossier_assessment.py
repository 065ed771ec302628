"""The report as the page reads it: blocking problems, warnings, points to reread, information."""

from __future__ import annotations

from grading.dossier import Finding, ItemReport, Report, analyse
from lti_tool.dossier.assessment import assess, kind, settled
from tests.unit.dossier_fixtures import MAX, complete, requirements, to_markdown


def report_of(*items: tuple[str, list[Finding]]) -> Report:
    reports = []
    for item_id, findings in items:
        item = ItemReport(item_id, item_id.title(), findings=findings)
        item.settle()
        reports.append(item)
    return Report(items=reports, hours=12.0, anonymisation_findings=0, kind="md")


FOUND = Finding("section_present", "Section trouvée.", "§ 1", "info")
HEALTH = Finding("health_terms", "Donnée de santé possible.", "§ 9", "warning", "health")
NAME = Finding("anonymisation", "À vérifier : nom.", "§ 9", "warning", "name_like")
PHONE = Finding("anonymisation", "À anonymiser : téléphone.", "page 3", "error", "phone")
SHORT = Finding("word_count", "120 mots : au moins 300 sont attendus.", "§ 4", "warning")
NO_FOLLOW_UP = Finding("follow_up", "Aucun entretien de suivi prévu.", "", "error", "missing")


def test_each_severity_has_its_group():
    assert kind(NO_FOLLOW_UP) == kind(PHONE) == "blocking"
    assert kind(SHORT) == "warning"
    assert kind(HEALTH) == kind(NAME) == "review"
    assert kind(FOUND) == "information"


def test_points_to_reread_never_prevent_all_green():
    # The analyser marks the item « à vérifier » because of the health term...
    report = report_of(("cadre", [FOUND]), ("annexes", [FOUND, HEALTH, NAME]))
    assert report.items[1].status == "warning" and not report.all_green
    # ...the page does not: the cahier des charges is met, the points are listed to reread.
    page = assess(report)
    assert page.all_green and [i.status for i in page.items] == ["ok", "ok"]
    assert [p.finding for p in page.review] == [HEALTH, NAME]
    assert page.blocking == [] and page.warnings == [] and page.items[1].review == 2


def test_information_is_never_listed_as_a_problem():
    page = assess(report_of(("cadre", [FOUND]), ("plan-action", [NO_FOLLOW_UP])))
    assert [p.finding for p in page.information] == [FOUND]
    assert [(p.item_id, p.finding) for p in page.blocking] == [("plan-action", NO_FOLLOW_UP)]
    assert page.items[0].status == "ok" and page.items[0].blocking == 0


def test_a_cahier_des_charges_warning_or_an_identifying_detail_keeps_it_from_all_green():
    warned = assess(report_of(("posture", [SHORT]), ("annexes", [HEALTH])))
    assert not warned.all_green and warned.to_check == 1 and warned.missing == 0
    assert warned.items[0].status == "warning" and warned.items[0].warnings == 1
    phone = assess(report_of(("posture", [FOUND]), ("annexes", [PHONE, HEALTH])))
    assert not phone.all_green and phone.missing == 1 and phone.items[1].status == "missing"


def test_a_report_without_items_is_not_green():
    assert not assess(report_of()).all_green


def test_settled_statuses_follow_the_page_for_the_comparison():
    report = report_of(("annexes", [HEALTH]), ("posture", [SHORT]))
    assert [i.status for i in settled(report).items] == ["ok", "warning"]
    assert report.items[0].status == "warning"  # the stored report is left as it was


def test_a_real_dossier_with_health_terms_is_all_green_with_them_to_reread():
    data = to_markdown(complete(extra=" Elle sort d'un burn-out et a une RQTH."))
    page = assess(analyse(data, requirements(), max_bytes=MAX))
    assert page.all_green and page.blocking == [] and page.warnings == []
    assert {p.finding.excerpt for p in page.review} == {"burn-out", "RQTH"}
    assert page.information and all(p.finding.severity == "info" for p in page.information)


def test_a_phone_number_in_section_1_is_filed_under_section_1():
    """Issue 15, point 16: the identifying detail is listed under the section it is in (« Cadre
    de l'accompagnement »), not under « Annexes » whose item runs the whole-document checks."""
    from dataclasses import replace

    dossier = complete()
    first = dossier.parts[0]
    dossier = replace(
        dossier,
        parts=(
            replace(first, paragraphs=(*first.paragraphs, "Joignable au 06 12 34 56 78.")),
            *dossier.parts[1:],
        ),
    )
    report = analyse(to_markdown(dossier), requirements(), max_bytes=MAX)
    page = assess(report)
    phones = [p for p in page.blocking if p.finding.code == "phone"]
    assert phones, page.blocking
    assert {p.item_id for p in phones} == {"cadre"}
    verdicts = {i.id: i.status for i in page.items}
    assert verdicts["cadre"] == "missing" and verdicts["annexes"] == "ok"


def test_a_finding_naming_no_known_section_stays_with_its_item():
    page = assess(report_of(("cadre", [FOUND]), ("annexes", [PHONE])))
    assert [(p.item_id, p.finding.code) for p in page.blocking] == [("annexes", "phone")]
