"""The detectors one by one: durations, dates, headings, identifying details, health terms."""

from __future__ import annotations

from datetime import date

import pytest

from grading.dossier import Block, Document, Location, MetadataField, analyse_document
from grading.dossier.anonymity import find_identifying
from grading.dossier.checks import find_health_terms
from grading.dossier.dates import find_dates
from grading.dossier.sessions import parse_duration
from grading.dossier.text import fold, heading_score, normalise_heading
from tests.unit.dossier_fixtures import requirements


def paragraph(text: str, section: str = "Annexes", number: int = 1) -> Block:
    return Block("paragraph", text, Location(section=section, paragraph=number))


def hits(*texts: str) -> list[tuple[str, str]]:
    doc = Document("md", [paragraph(t, number=n) for n, t in enumerate(texts, 1)])
    return [(h.code, h.excerpt) for h in find_identifying(doc)]


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2 h", 2.0),
        ("2h", 2.0),
        ("1h30", 1.5),
        ("1 h 30", 1.5),
        ("1h30min", 1.5),
        ("1,5 h", 1.5),
        ("1.5 heure", 1.5),
        ("90 min", 1.5),
        ("45 minutes", 0.75),
        ("2:00", 2.0),
        ("1:30", 1.5),
        ("14h-16h", 2.0),
        ("9h30 à 11h", 1.5),
        ("deux heures", 2.0),
        ("1 heure et demie", 1.5),
        ("une heure", 1.0),
        ("deux heures trente", 2.5),
        ("2 heures quinze", 2.25),
        ("1 h quarante-cinq", 1.75),
        ("une heure et quart", 1.25),
        ("trois quarts d'heure", 0.75),
        ("une demi-heure", 0.5),
        ("environ", None),
        ("12/01/2026", None),
        ("", None),
    ],
)
def test_parse_duration(text, hours):
    assert parse_duration(text) == hours


def test_parse_duration_ignores_clock_times_longer_than_a_session():
    assert parse_duration("à 14h, pendant 2 h") == 2.0
    assert parse_duration("12 h") is None and parse_duration("12 h", max_hours=24) == 12.0


@pytest.mark.parametrize(
    ("text", "value", "precise"),
    [
        ("avant le 15/03/2027", date(2027, 3, 15), True),
        ("le 1er avril 2027", date(2027, 4, 1), True),
        ("en mars 2027", date(2027, 3, 15), True),
        ("fin juin 2027", date(2027, 6, 28), True),
        ("le 2027-05-02", date(2027, 5, 2), True),
        ("semaine 12", None, False),
        ("en S14", None, False),
        ("d'ici trois mois", None, False),
        ("courant septembre", None, False),
    ],
)
def test_find_dates(text, value, precise):
    (found,) = find_dates(text)
    assert found.value == value and found.precise == precise


def test_find_dates_skips_impossible_dates_and_plain_numbers():
    assert find_dates("le 31/02/2027, 12 séances, 2027 personnes") == []


@pytest.mark.parametrize(
    ("heading", "alias", "matches"),
    [
        ("2. Analyse de la demande", "Analyse de la demande", True),
        ("II - Posture", "Posture", True),
        ("IV) Investigation", "Investigation", True),
        ("Investigation", "Investigation", True),
        ("ANALYSE DE LA DEMANDE", "Analyse de la demande", True),
        ("Analyse de la demnade", "Analyse de la demande", True),
        ("Outils utilises", "Outils utilisés", True),
        ("Le cadre de l'accompagnement", "Cadre de l'accompagnement", True),
        ("A. Cadre", "Cadre", True),
        ("Plan d'action et trame de synthèse", "Plan d'action", True),
        ("Annexes", "Analyse de la demande", False),
        ("Posture", "Parcours", False),
        ("Conclusion générale", "Cadre", False),
    ],
)
def test_heading_matching(heading, alias, matches):
    assert (heading_score(heading, [alias]) >= 0.82) is matches


def test_normalisation_keeps_words_that_start_like_roman_numerals():
    assert normalise_heading("Investigation") == "investigation"
    assert normalise_heading("Vie professionnelle") == "vie professionnelle"
    assert normalise_heading("3.2 Outils utilisés") == "outils utilises"
    assert fold("Élodie’s «Cœur»") == 'elodie\'s "cœur"'
    assert len(fold("Ça été")) == len("Ça été")


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 1 23 45 67 89",
        "+33612345678",
    ],
)
def test_french_phone_numbers(phone):
    assert hits(f"Joignable au {phone} le matin.") == [("phone", phone)]


def test_numbers_that_are_not_phones():
    assert hits("Séances du 05/01/2026 au 09/02/2026, 2026 2027, 10 h, 35 ans, 1 500 €.") == []


def test_nir_with_and_without_its_key_and_corsica():
    # Keys computed as 97 - (number mod 97); Corsica: 2A -> 19, 2B -> 18.
    assert hits("NIR 1 85 03 75 116 042 56.")[0][0] in ("nir", "nir_like")
    valid = 97 - 1850375116042 % 97
    assert hits(f"NIR 1 85 03 75 116 042 {valid:02d}.") == [
        ("nir", f"1 85 03 75 116 042 {valid:02d}")
    ]
    wrong = (valid + 1) % 97
    assert hits(f"NIR 1 85 03 75 116 042 {wrong:02d}.")[0][0] == "nir_like"
    corsica = 97 - 2850319116042 % 97
    assert hits(f"numéro 285032A116042{corsica:02d}") == [("nir", f"285032A116042{corsica:02d}")]
    assert hits("numéro 1850375116042")[0][0] == "nir"


@pytest.mark.parametrize(
    ("text", "code", "excerpt"),
    [
        (
            "écrire à jean.dupont+bilan@mail.example.fr.",
            "email",
            "jean.dupont+bilan@mail.example.fr",
        ),
        (
            "voir https://www.linkedin.com/in/jdupont.",
            "social",
            "https://www.linkedin.com/in/jdupont",
        ),
        ("voir facebook.com/jean.dupont", "social", "facebook.com/jean.dupont"),
        ("voir https://www.karim-portfolio.fr/", "url", "https://www.karim-portfolio.fr/"),
        ("Il habite 5 avenue Jean Jaurès.", "address", "5 avenue Jean Jaurès"),
        ("Il habite 3 bis, rue des lilas.", "address", "3 bis, rue des lilas"),
        ("Elle habite 10 place de la République.", "address", "10 place de la République"),
        ("Code postal 35000 Rennes.", "address", "35000 Rennes"),
        ("né le 12/03/1985 à Lyon", "birth_date", "né le 12/03/1985"),
        ("Date de naissance : 3 mai 1990", "birth_date", "Date de naissance : 3 mai 1990"),
        ("née en 1985", "birth_year", "née en 1985"),
        ("M. Dupont a signé", "name", "M. Dupont"),
        ("Mme Le Gall a signé", "name", "Mme Le Gall"),
        ("Madame DURAND a signé", "name", "Madame DURAND"),
        ("Claire MARTIN a signé", "name", "Claire MARTIN"),
        ("Jean-Pierre Durand a signé", "name", "Jean-Pierre Durand"),
        # The French model knows a person's name even when the first name is not in the list.
        ("Prosper KOUASSI a signé", "name", "Prosper KOUASSI"),
    ],
)
def test_identifying_details(text, code, excerpt):
    assert hits(text) == [(code, excerpt)]


@pytest.mark.parametrize(
    "text",
    [
        "Mme B. a signé la convention ; M. X. aussi.",
        "Sophie D. a choisi le RIASEC.",
        "La méthode STAR et le questionnaire RIASEC, puis une PMSMP via France Travail.",
        "Les attitudes de Carl Rogers et la typologie de John Holland.",
        "Cap Emploi, Mission Locale, France Travail et le référent handicap.",
        "Phase II du bilan ; Fiche ROME M1607 ; Annexe A.",
        "Elle a suivi 2 cours de français et 3 places étaient libres.",
        "10000 euros de budget, 2 routes possibles.",
    ],
)
def test_bilan_vocabulary_is_not_mistaken_for_identifying_details(text):
    assert hits(text) == []


def test_declared_pseudonyms_are_allowed_everywhere():
    assert (
        hits(
            "La bénéficiaire, Sophie Lambert (pseudonyme), a 42 ans.",
            "Madame Lambert a choisi la ligne de vie.",
            "Sophie Lambert a signé.",
        )
        == []
    )
    assert hits("Appelons-la ici : appelée ici Léa.", "Mme Léa a signé.") == []
    assert hits("Sophie (prénom modifié) a signé. Madame Durand aussi.") == [
        ("name", "Madame Durand")
    ]


def test_metadata_fields_and_tracked_changes():
    doc = Document(
        "docx",
        metadata=[MetadataField("author", "auteur", "Claire Martin")],
        revisions=True,
    )
    found = find_identifying(doc)
    assert [(h.code, h.severity, h.location) for h in found] == [
        ("metadata", "error", "propriétés du fichier"),
        ("revisions", "warning", "propriétés du fichier"),
    ]
    assert "« auteur »" in found[0].message and "Claire Martin" in found[0].message


def test_each_finding_keeps_its_paragraph_location():
    doc = Document(
        "md",
        [paragraph("Rien.", number=1), paragraph("Tél. 06 12 34 56 78", "Cadre", number=12)],
    )
    (hit,) = find_identifying(doc)
    assert hit.location == "section « Cadre », paragraphe 12"


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Elle sort d'un burn-out.", {"burn-out"}),
        (
            "Arrêt maladie de trois mois, puis mi-temps thérapeutique.",
            {"Arrêt maladie", "mi-temps thérapeutique"},
        ),
        ("RQTH obtenue ; le médecin du travail a donné son avis.", {"RQTH", "médecin du travail"}),
        ("Un traitement lourd contre le cancer.", {"Un traitement lourd", "cancer"}),
        ("Dépression diagnostiquée en 2020.", {"Dépression"}),
        ("Le traitement de texte et le traitement des données.", set()),
        ("Un diagnostic de compétences a été posé.", set()),
        # A job, a role, what a bilan is not: the words without health data about anyone.
        ("Elle gère le traitement de la paie et le traitement des salaires.", set()),
        ("Elle vise un poste de référente handicap dans une mission handicap.", set()),
        ("Je lui ai rappelé que le bilan n’est pas une thérapie.", set()),
        ("Le bilan n'est ni une thérapie ni un conseil juridique.", set()),
        ("Secrétaire médicale depuis dix ans, elle vend aussi du matériel médical.", set()),
        ("Elle veut se reconvertir dans le secteur médical ou les métiers paramédicaux.", set()),
        (
            "Elle porte un appareil médical depuis son accident.",
            {"appareil médical", "depuis son accident"},
        ),
        # ... and what is.
        ("Un suivi médical régulier depuis l'an dernier.", {"suivi médical"}),
        ("Elle a suivi une thérapie après son licenciement.", {"une thérapie"}),
        ("Son handicap l'empêche de porter des charges.", {"Son handicap"}),
        ("Un traitement médicamenteux depuis mars.", {"Un traitement médicamenteux"}),
    ],
)
def test_health_terms(text, terms):
    doc = Document("md", [paragraph(text)])
    assert {f.excerpt for f in find_health_terms(doc)} == terms


def test_a_dossier_without_headings_is_still_analysed():
    doc = Document("md", [paragraph("Texte libre sans aucun titre, sans tableau ni date.")])
    report = analyse_document(doc, requirements())
    assert {i.status for i in report.items} == {"missing"}
    assert report.hours is None and report.sections == []


def test_a_table_of_contents_does_not_steal_the_section():
    blocks = [
        Block("heading", "Sommaire", Location(section="Sommaire"), level=1),
        paragraph("Posture du consultant", "Sommaire", 1),
        paragraph("Annexes", "Sommaire", 2),
        Block(
            "heading", "Posture du consultant", Location(section="Posture du consultant"), level=1
        ),
        paragraph("mot " * 200, "Posture du consultant", 1),
    ]
    report = analyse_document(Document("md", blocks), requirements())
    posture = next(s for s in report.sections if s.id == "posture")
    assert posture.words == 200 and posture.location == "section « Posture du consultant »"


def test_cited_authors_are_not_the_beneficiary():
    assert (
        hits(
            "La grille de Jean-Luc Mucchielli (1970) et, selon Claude Lévy-Leboyer, la motivation."
        )
        == []
    )
    assert hits("Jean-Luc Mucchielli a signé.") == []  # a known author of the field


def test_capitals_used_alone_elsewhere_are_acronyms_not_surnames():
    assert hits("Visite QUALIBAT prévue.") == [("name_like", "Visite QUALIBAT")]
    assert hits("Visite QUALIBAT prévue.", "Le label QUALIBAT est reconnu.") == []


@pytest.mark.parametrize(
    ("sentence", "plans_a_follow_up"),
    [
        ("Un entretien de suivi est prévu à six mois.", True),
        ("Nous convenons d'un rendez-vous de suivi en septembre.", True),
        ("Bilan de suivi à prévoir.", True),
        ("Suivi à six mois avec la bénéficiaire.", True),
        # the participle « suivi » plans nothing
        ("Le bilan suivi hors temps de travail n'a pas à être connu de l'employeur.", False),
        ("Un premier entretien suivi d'un questionnaire d'intérêts.", False),
    ],
)
def test_what_counts_as_a_planned_follow_up(sentence, plans_a_follow_up):
    from grading.dossier.checks import FOLLOW_UP

    assert bool(FOLLOW_UP.search(fold(sentence))) is plans_a_follow_up
