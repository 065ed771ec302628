"""Knowledge checks imported from Moodle's own export formats (GIFT and Moodle XML)."""

from __future__ import annotations

from pathlib import Path

from course.errors import ErrorList
from course.question_import import import_file, import_gift, import_moodle_xml, main, slug
from course.questions import parse_segments, questions_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "question_import"


def by_id(report):
    return {q.id: q for q in report.questions}


def test_gift_export_imports_choice_and_true_false_questions_and_reports_the_others():
    report = import_file(FIXTURES / "banque-c1.gift")
    questions = by_id(report)
    assert sorted(questions) == [
        "consentement",
        "duree-maximale",
        "financement-cpf",
        "phases-du-bilan",
    ]
    duree = questions["duree-maximale"]
    assert not duree.multiple and duree.competency == "C1"
    # [html] applies to the answers too: no tag is left in the text.
    assert duree.propositions[0].text.startswith("24 heures au plus")
    assert duree.correct_keys == {"a"}
    assert "<p>" not in duree.propositions[1].feedback
    assert duree.explanation.startswith("La durée effective")
    assert duree.stem.count("**au plus**") == 1
    skipped = {(s.where, s.kind) for s in report.skipped}
    assert skipped == {
        ("ligne 27", "réponse courte"),
        ("ligne 30", "numérique"),
        ("ligne 33", "appariement"),
        ("ligne 40", "composition"),
    }


def test_gift_true_false_feedback_goes_to_the_right_proposition():
    consent = by_id(import_file(FIXTURES / "banque-c1.gift"))["consentement"]
    vrai, faux = consent.propositions
    assert (vrai.text, vrai.correct) == ("Vrai", False)
    assert (faux.text, faux.correct) == ("Faux", True)
    # GIFT: {FALSE#feedback when answered wrong#feedback when answered right}
    assert vrai.feedback.startswith("Non")
    assert faux.feedback.startswith("Exact")


def test_gift_weighted_answers_become_a_multiple_answer_question_with_a_warning():
    report = import_file(FIXTURES / "banque-c1.gift")
    phases = by_id(report)["phases-du-bilan"]
    assert phases.multiple and phases.correct_keys == {"a", "b", "c"}
    assert (
        phases.propositions[3].feedback == "Non : l'employeur n'est pas destinataire des résultats."
    )
    assert any("Phases du bilan" in w and "pas de points partiels" in w for w in report.warnings)


def test_gift_missing_word_question_puts_a_blank_in_the_sentence():
    cpf = by_id(import_file(FIXTURES / "banque-c1.gift"))["financement-cpf"]
    assert cpf.stem.startswith("Un salarié peut mobiliser son _____ pour financer")
    assert cpf.propositions[2].feedback == "Non : il a été supprimé au 1er janvier 2019."
    assert cpf.explanation.startswith("Hors temps de travail")


def test_a_question_without_explanation_is_an_error_of_the_report_not_a_silent_import():
    report = import_file(FIXTURES / "banque-c1.gift")
    assert not report.ok
    assert "sans-explication" not in by_id(report)
    assert any("sans-explication" in e and "explication manquante" in e for e in report.errors)
    assert any("Sans explication" in w and "feedback général" in w for w in report.warnings)


def test_moodle_xml_export_imports_supported_types_and_reports_the_others():
    report = import_file(FIXTURES / "banque-c4.xml")
    assert report.ok, report.errors
    questions = by_id(report)
    assert sorted(questions) == [
        "demande-de-l-employeur",
        "posture-d-ecoute",
        "secret-professionnel",
    ]
    employer = questions["demande-de-l-employeur"]
    assert employer.competency == "C4"
    assert employer.stem.startswith("La DRH qui finance") and "<p" not in employer.stem
    assert "*« un petit retour »*" in employer.stem
    assert employer.correct_keys == {"a"}
    listening = questions["posture-d-ecoute"]
    assert listening.multiple and listening.correct_keys == {"a", "b"}
    secret = questions["secret-professionnel"]
    assert [(p.text, p.correct) for p in secret.propositions] == [("Vrai", True), ("Faux", False)]
    assert [(s.name, s.kind) for s in report.skipped] == [
        ("Article de loi", "réponse courte"),
        ("Cas de refus", "composition"),
        ("Texte à trous", "réponses intégrées (cloze)"),
        ("Consignes", "description (texte seul)"),
    ]


def test_the_markdown_produced_is_what_the_checker_reads_back():
    report = import_file(FIXTURES / "banque-c4.xml")
    errors = ErrorList("module.md")
    again = questions_of(parse_segments(report.markdown, 1, errors))
    assert not errors
    assert [(q.id, q.correct_keys, q.stem) for q in again] == [
        (q.id, q.correct_keys, q.stem) for q in report.questions
    ]


def test_xml_with_entities_is_refused_without_expanding_them():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<quiz><question type="truefalse"><name><text>&b;</text></name></question></quiz>"""
    report = import_moodle_xml(bomb)
    assert not report.ok and report.questions == ()
    assert "entités" in report.errors[0]


def test_xml_that_is_not_a_question_export_gets_a_clear_error():
    assert "illisible" in import_moodle_xml(b"<quiz><question>").errors[0]
    assert "<quiz>" in import_moodle_xml(b"<html><body/></html>").errors[0]


def test_xml_single_answer_question_without_a_full_answer_is_not_imported():
    xml = b"""<quiz><question type="multichoice"><name><text>Partiel</text></name>
    <questiontext format="html"><text>Choisissez.</text></questiontext>
    <generalfeedback format="html"><text>Explication.</text></generalfeedback>
    <single>true</single>
    <answer fraction="50"><text>A</text></answer><answer fraction="0"><text>B</text></answer>
    </question></quiz>"""
    report = import_moodle_xml(xml)
    assert report.questions == ()
    assert report.skipped[0].name == "Partiel" and "100 %" in report.skipped[0].reason


def test_xml_images_are_reported():
    xml = b"""<quiz><question type="truefalse"><name><text>Image</text></name>
    <questiontext format="html"><text><![CDATA[<p>Vrai ? <img src="@@PLUGINFILE@@/a.png"></p>]]></text></questiontext>
    <generalfeedback format="html"><text>Parce que.</text></generalfeedback>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
    </question></quiz>"""
    report = import_moodle_xml(xml)
    assert len(report.questions) == 1
    assert any("image non importée" in w for w in report.warnings)


def test_too_many_propositions_are_reported_not_truncated():
    answers = " ".join(["=Juste"] + [f"~Faux {n}" for n in range(6)])
    report = import_gift(f"::Sept::Laquelle ? {{{answers} ####Explication.}}")
    assert report.questions == ()
    assert "7 propositions" in report.skipped[0].reason


def test_gift_escapes_and_duplicate_names_get_unique_ids():
    source = (
        "::Même nom::Le signe \\= et les deux-points \\: restent. {=Oui ~Non ####Bien.}\n\n"
        "::Même nom::Deuxième question. {=A ~B ####Bien.}\n"
    )
    report = import_gift(source)
    assert [q.id for q in report.questions] == ["meme-nom", "meme-nom-2"]
    assert report.questions[0].stem == "Le signe = et les deux-points : restent."


def test_slug_makes_valid_ids():
    assert slug("Qu'est-ce qu'un « bilan » ?") == "qu-est-ce-qu-un-bilan"
    assert slug("???") == "question"


def test_command_prints_markdown_and_report(capsys):
    assert main([str(FIXTURES / "banque-c4.xml")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("<!-- question: demande-de-l-employeur")
    assert "3 questions importées, 4 non importées" in err
    assert main([str(FIXTURES / "banque-c1.gift")]) == 1
