"""Issue 17: regression tests of the dossier self-check's accuracy.

A labelled subset (tests/fixtures/dossier_accuracy: 7 dossiers copied from the shared bench,
6 from bench/dossiers) is checked with bench/dossier_accuracy.py's matching, then each class of
miss named in the issue has its own sentence-level test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from grading.dossier.anonymity import find_identifying
from grading.dossier.checks import analyse_document, find_health_terms
from grading.dossier.document import ROW, Block, Document, Location
from grading.dossier.sessions import find_sessions, parse_duration
from tests.unit.dossier_fixtures import requirements

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "dossier_accuracy"
pytestmark = pytest.mark.timeout(300)


def _bench():
    spec = importlib.util.spec_from_file_location(
        "dossier_accuracy", ROOT / "bench" / "dossier_accuracy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dossier_accuracy"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outcome():
    return _bench().run(FIXTURES)


def test_every_labelled_personal_detail_is_found_and_no_decoy_reported(outcome):
    assert outcome.pii_missed == []
    assert outcome.pii_false == []
    assert sum(t.labelled for t in outcome.pii.values()) >= 60


def test_health_data_about_the_beneficiary_only(outcome):
    assert outcome.health_missed == []
    assert [f for f in outcome.health_false if f[3]] == []  # no decoy (a job's vocabulary…)
    assert outcome.health_true / outcome.health_findings >= 0.9


def test_every_requirement_verdict_is_right(outcome):
    assert outcome.wrong == []
    assert sum(sum(c.values()) for c in outcome.verdicts.values()) >= 200


# --- each class of miss of the issue, sentence by sentence ------------------------------------


def paragraph(text: str, number: int = 1) -> Block:
    return Block("paragraph", text, Location(paragraph=number))


def found(*texts: str, pseudonyms: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    doc = Document("md", [paragraph(t, n) for n, t in enumerate(texts, 1)])
    return [(h.code, h.excerpt) for h in find_identifying(doc, pseudonyms)]


def test_a_first_name_used_alone_is_reported_each_time():
    assert found(
        "Quand j'ai rencontré Thomas pour l'entretien d'information, il avait 33 ans.",
        "Thomas a pris rendez-vous ; j'ai rappelé le cadre à Thomas.",
        "Anne-Sophie a relu la synthèse.",
    ) == [("name", "Thomas"), ("name", "Thomas"), ("name", "Thomas"), ("name", "Anne-Sophie")]


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Il a été embauché chez Transports Giraud en 2015.", "Transports Giraud"),
        ("Elle travaille de nuit à l'EHPAD Les Glycines depuis dix ans.", "EHPAD Les Glycines"),
        ("Elle a travaillé six ans à la Mairie de Villeurbanne.", "Mairie de Villeurbanne"),
        ("Licenciée après dix-neuf ans chez Hyper U de Lanester, elle…", "Hyper U de Lanester"),
        (
            "Il travaille depuis six ans à La Table de Marius, où il est second.",
            "La Table de Marius",
        ),
        (
            "Le bilan a été proposé par son employeur, le cabinet Lherbier & Associés.",
            "Lherbier & Associés",
        ),
        ("Il a passé onze ans au Crédit Mutuel de Bron.", "Crédit Mutuel de Bron"),
        ("Elle occupe un poste d'assistante au sein de la société Dalkia.", "Dalkia"),
        ("Ancien responsable logistique de Lidl, il veut changer de secteur.", "Lidl"),
        ("Salariée d'Airbus Helicopters à Marignane, elle souhaite évoluer.", "Airbus Helicopters"),
        ("Elle a quitté Decathlon en 2023.", "Decathlon"),
        ("Mme K. a été agente d'entretien pour la société Onet pendant quinze ans.", "Onet"),
        ("Il dirige l'agence Orpi de Villeurbanne depuis dix ans.", "Orpi de Villeurbanne"),
    ],
)
def test_the_beneficiary_s_employer_is_reported(text, employer):
    assert ("employer", employer) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "J'exerce comme consultante salariée au sein de Trajectoires Conseil, organisme certifié.",
        "Je travaille depuis trois ans comme consultant chez Cap Horizon Bilans.",
        "Le bilan a été financé par France Travail ; elle est suivie par Cap emploi.",
        "Ma posture s'appuie sur l'approche centrée sur la personne de Carl Rogers.",
        "Les travaux de Mark Savickas (2005) m'ont guidée ; selon Jean Guichard, tout se construit.",
        "Les séances ont lieu au lycée Jean Moulin, salle Simone Veil.",
        "Nous exerçons au sein de Cap Reconversion, organisme certifié Qualiopi.",
        "Je suis consultante salariée de Trajectoire Plus, organisme certifié.",
        "Il travaille à Lyon depuis 2010.",
        "Voir www.moncompteformation.gouv.fr et https://www.francecompetences.fr.",
    ],
)
def test_the_consultant_s_organisation_public_bodies_and_authors_are_not_findings(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("M. de La Fontaine : Vous croyez que j'ai le profil ?", "M. de La Fontaine"),
        ("Consentement signé par François d'Argenson.", "François d'Argenson"),
        ("Feuilles signées par Chantal N'Diaye.", "Chantal N'Diaye"),
        ("Son titulaire, M. Le Gall, cède l'officine.", "M. Le Gall"),
        ("M. d'Argenson : Je suis trop vieux pour me lancer.", "M. d'Argenson"),
        ("Bénéficiaire : Rose Petit — accompagnement réalisé au printemps.", "Rose Petit"),
    ],
)
def test_names_with_particles_and_apostrophes(text, name):
    assert ("name", name) in found(text)


def test_declared_pseudonyms_are_not_reported_other_names_are():
    text = "Karim a choisi la ligne de vie. Julien, son collègue, l'a encouragé."
    assert found(text, pseudonyms=("Karim",)) == [("name", "Julien")]
    assert sorted(found(text)) == [("name", "Julien"), ("name", "Karim")]
    assert found("M. X. a signé ; Sophie D. aussi.", pseudonyms=("M. X.",)) == []


def health(text: str) -> set[str]:
    return {f.excerpt for f in find_health_terms(Document("md", [paragraph(text)]))}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Après deux ans d'arrêt maladie pour une lombalgie chronique et une hernie discale.",
         {"arrêt maladie", "lombalgie", "hernie discale"}),
        ("Elle vit avec un diabète de type 1 depuis l'adolescence.", {"diabète"}),
        ("Après un infarctus l'an dernier, il surveille son hypertension.", {"infarctus", "hypertension"}),
        ("Elle a évoqué une grande fatigue et des difficultés de sommeil.", {"difficultés de sommeil"}),
        ("Accident de la route en 2023 : fracture du poignet, séquelles qui interdisent la conduite.",
         {"Accident de la route", "fracture", "séquelles"}),
        ("Il souffre d'une tendinite au poignet et son médecin parle de troubles musculo-squelettiques.",
         {"tendinite", "son médecin", "troubles musculo-squelettiques"}),
        ("Karim a évoqué des douleurs lombaires et un traitement antidouleur.",
         {"douleurs lombaires", "un traitement antidouleur"}),
    ],
)  # fmt: skip
def test_common_conditions_of_the_beneficiary_are_found(text, words):
    assert health(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "Le récit a fait apparaître le plaisir du diagnostic de pannes et le diagnostic mécanique.",
        "Elle prépare les traitements des patients, travaille en binôme avec les médecins.",
        "Trois pistes : infirmière coordinatrice en hospitalisation à domicile, formatrice.",
        "Je l'ai orientée vers l'assistante sociale de la caisse primaire d'assurance maladie.",
        "Elle accompagne bénévolement des personnes en situation de handicap.",
        "Elle a accompagné une voisine atteinte de la maladie d'Alzheimer.",
        "Préparatrice, elle délivre les ordonnances et explique les traitements au comptoir.",
        "Nous avons veillé à ne pas transformer le bilan en thérapie.",
    ],
)
def test_a_job_s_vocabulary_and_other_people_s_health_are_not_findings(text):
    assert health(text) == set()


# --- requirements ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90'", 1.5),
        ("1 h 30", 1.5),
        ("une heure trente", 1.5),
        ("deux heures", 2.0),
        ("120 min", 2.0),
    ],
)
def test_durations_as_candidates_write_them(text, hours):
    assert parse_duration(text) == hours


def test_sessions_told_in_prose_are_counted():
    blocks = [
        paragraph(
            "La première séance, le 6 janvier 2025, a duré deux heures. Nous nous sommes revues "
            "le 13 janvier 2025 pendant 90'. La troisième séance, le 20 janvier 2025, a duré "
            "1 h 30. Le 27 janvier 2025, nous avons travaillé une heure trente sur la ligne de vie."
        ),
        paragraph("Un entretien de suivi est prévu le 27 juillet 2025, pendant une heure.", 2),
    ]
    sessions = find_sessions(blocks)
    assert sessions is not None and sessions.total == 6.5 and len(sessions.rows) == 4


def table(index: int, rows: list[tuple[str, ...]]) -> list[Block]:
    return [
        Block(ROW, " | ".join(cells), Location(table=index, row=n), cells=cells, table=index)
        for n, cells in enumerate(rows, 1)
    ]


def test_a_session_table_repeated_in_the_annexes_is_counted_once():
    rows = [
        ("Date", "Durée", "Phase"),
        ("02/06/2025", "2 h", "Préliminaire"),
        ("09/06/2025", "1 h 30", "Investigation"),
    ]
    sessions = find_sessions([*table(1, rows), *table(2, rows)])
    assert sessions is not None and sessions.total == 3.5 and len(sessions.rows) == 2


def report_of(*texts: str, headings: tuple[str, ...] = ()):
    blocks = [Block("heading", h, Location(section=h), level=1) for h in headings]
    blocks += [paragraph(t, n) for n, t in enumerate(texts, 1)]
    return analyse_document(Document("md", blocks), requirements())


def codes(report, check: str) -> list[str]:
    return [f.code for i in report.items for f in i.findings if f.check == check]


@pytest.mark.parametrize(
    "sentence",
    [
        "Un point d'étape est prévu dans six mois pour faire le bilan de ces démarches.",
        "Je recontacterai Mme V. en décembre pour faire le point.",
        "Je reprendrai contact avec M. B. en janvier 2026.",
        "Un entretien de suivi est prévu le 15/01/2026.",
    ],
)
def test_a_follow_up_however_phrased(sentence):
    report = report_of("08/07/2025 : séance de 2 h", "15/07/2025 : séance de 2 h", sentence)
    assert codes(report, "follow_up") == ["planned"]


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("RIASEC. L'inventaire RIASEC a été passé pour la quatrième séance, en version en ligne.", "unjustified"),
        ("Méthode STAR. La méthode STAR a été utilisée pour trois réalisations, en séance 4.", "unjustified"),
        ("Ligne de vie. Réalisée à la troisième séance, pour une durée d'environ une heure.", "unjustified"),
        ("RIASEC. Je l'ai choisi parce qu'il peinait à nommer ses intérêts.", "justified"),
        ("Méthode STAR. Utilisée pour qu'il décrive trois réalisations précises.", "justified"),
        ("Ligne de vie. Proposée afin qu'elle relise un parcours qu'elle jugeait sans relief.", "justified"),
    ],
)  # fmt: skip
def test_a_justification_says_why_the_tool_fits(sentence, verdict):
    assert verdict in codes(report_of(sentence), "tool_justification")


@pytest.mark.parametrize(
    ("heading", "item"),
    [
        ("1. Contexte et cadre", "cadre"),
        ("Comprendre la demande", "analyse-demande"),
        ("8. Pièces jointes", "annexes"),
        ("5. Investigation : compétences, intérêts et pistes", "exploration"),
        ("7. Conclusion du bilan", "plan-action"),
    ],
)
def test_headings_are_recognised_by_their_meaning(heading, item):
    from grading.dossier.checks import find_sections

    titles = {
        "cadre": "Cadre", "analyse-demande": "Analyse de la demande", "parcours": "Parcours",
        "posture": "Posture", "exploration": "Exploration", "outils": "Outils",
        "plan-action": "Plan d'action", "annexes": "Annexes",
    }  # fmt: skip
    titles[item] = heading
    blocks = []
    for title in titles.values():
        blocks += [
            Block("heading", title, Location(section=title), level=1),
            paragraph("Texte. " * 20),
        ]
    sections = find_sections(Document("md", blocks), requirements())
    assert sections[item].heading.text == heading


def test_en_conclusion_is_not_the_conclusion_phase():
    report = report_of(
        "Phase préliminaire puis phase d'investigation. En conclusion, elle est prête."
    )
    assert "no_conclusion" in codes(report, "phases")


# --- issue 17, what was left: first names outside the list, names by their tie, employers -----


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bogdan arrive en avance, très poli, un peu méfiant.", "Bogdan"),
        ("Dès la deuxième séance, Hanitra me demandait ce que je ferais à sa place.", "Hanitra"),
        ("En séance 3, Nolwenn a parlé longuement de ses collègues.", "Nolwenn"),
        ("Fodé se dévalorise beaucoup : renforcement sur ses réussites.", "Fodé"),
        ("Linh parlait vite : j'ai ralenti l'entretien.", "Linh"),
    ],
)
def test_a_first_name_outside_the_list_used_alone_is_reported(text, name):
    """INSEE's first names (grading/dossier/data/prenoms_insee.txt), not only the ≈ 960 of
    names.py: the small model alone called « Hanitra » a place."""
    assert ("name", name) in found(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Elle vit seule avec sa fille Kelya, 8 ans.", "Kelya"),
        ("Elle parlait de son ancien chef de cuisine, Yohan, à chaque séance.", "Yohan"),
        ("Entourage : son mari Gwénolé, marin, souvent absent.", "Gwénolé"),
        ("Son responsable d'exploitation, Rui, lui a proposé un poste au quai.", "Rui"),
        ("Sa femme, Ioana, l'encourage.", "Ioana"),
        ("En mars, j'ai rencontré Sokha pour l'entretien préliminaire.", "Sokha"),
    ],
)
def test_a_person_named_by_their_tie_to_the_beneficiary_is_reported(text, name):
    """« Sokha » is in no list: the tie (« j'ai rencontré ») is enough."""
    assert ("name", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Elle vit près de Nancy depuis dix ans.",
        "Son employeur actuel, une grande enseigne de bricolage, ne la retient pas.",
        "Mitchell, Levin et Krumboltz (1999) parlent du hasard planifié.",
        "Références : Vincent de Gaulejac pour la souffrance au travail.",
        "The Career Construction Interview, publié en May 2011.",
        "Sa conseillère France Travail l'a orientée vers le bilan.",
    ],
)
def test_towns_authors_public_bodies_and_english_words_are_not_first_names(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        (
            "Depuis neuf ans, il conduisait des chariots pour XPO Logistics sur la plateforme.",
            "XPO Logistics",
        ),
        ("Employeur | Transports Lemoine et Fils", "Transports Lemoine et Fils"),
        ("M. G. conduit depuis 2004 les camions des Transports Lemoine.", "Transports Lemoine"),
        ("Agent des espaces verts depuis 2008, à la Ville de Montreuil.", "Ville de Montreuil"),
        (
            "ATSEM depuis 2011 à l'école maternelle Jacques Prévert de Saint-Herblain.",
            "école maternelle Jacques Prévert de Saint-Herblain",
        ),
    ],
)
def test_an_employer_named_without_the_usual_cue_is_reported(text, employer):
    assert ("employer", employer) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Visite d'une classe à l'école Jules Ferry de Rezé.",
        "J'exerce comme consultante indépendante, en partenariat avec Horizons Bilans 35.",
        "Consultant : salarié de Trajets Conseil.",
        "J'exerce comme consultant indépendant sous l'enseigne Cap Vers Demain depuis 2019.",
    ],
)
def test_a_visited_school_and_the_consultant_s_organisation_are_not_employers(text):
    assert found(text) == []


def test_people_named_in_a_row_are_not_taken_for_authors():
    """« et » is in NOT_NAMES: a list of names with « et » is not a list of authors."""
    assert sorted(found("Karim et Thomas ont signé ; Sophie, Linh et Bogdan aussi.")) == [
        ("name", name) for name in sorted(["Karim", "Thomas", "Sophie", "Linh", "Bogdan"])
    ]


# --- classes of miss of batch B (O20–O23, measured once before these changes) -----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quand Maryvonne disait « je suis trop vieille », je lui demandais un exemple.", ("name", "Maryvonne")),
        ("Il est resté trois ans comme mécanicien au garage Kerjean Automobiles à Landerneau.", ("employer", "Kerjean Automobiles")),
        ("Elle est ASH au CHU de Brest, dans le service d'oncologie, depuis 1998.", ("employer", "CHU de Brest")),
        ("Son ancien patron, Gérard Le Bihan, lui avait confié la traite.", ("name", "Gérard Le Bihan")),
    ],
)  # fmt: skip
def test_batch_b_classes_of_miss(text, expected):
    assert found(text) == [expected]


def test_the_consultant_s_cabinet_named_before_a_full_stop_is_not_a_finding():
    assert (
        found(
            "Nous intervenons comme consultante associée du cabinet Praxis Orientation. Mme V. a "
            "sollicité ce bilan. Le cabinet Praxis Orientation est certifié."
        )
        == []
    )


# --- third round: the misses of batches B and C, and of batch D ----------------------------


@pytest.mark.parametrize(
    ("texts", "total", "count"),
    [
        (["Le bilan a compté sept séances de deux heures, entre le 3 novembre et le 15 décembre 2025."], 14.0, 7),
        (["Six séances de 120 minutes : 03/11/2025 (préliminaire), 10/11, 17/11, 24/11 et 01/12/2025, 08/12/2025."], 12.0, 6),
        (["Cinq séances de deux heures : le mardi 4 mars 2025, les mardis 11, 18 et 25 mars et le mardi 1er avril 2025."], 10.0, 5),
        (["Le bilan s'est déroulé en huit séances de quatre-vingt-dix minutes, du 14 janvier au 11 mars 2026."], 12.0, 8),
        (["La première séance, d'une heure et demie, a servi à préciser la demande. Les six séances "
          "suivantes, d'une heure trente chacune, ont constitué l'investigation. Les deux dernières, "
          "d'une heure et demie également, les 28 mai et 4 juin, la conclusion."], 13.5, 9),
        (["La phase préliminaire (2 séances, 3 h 30) a servi à analyser la demande.",
          "La phase d'investigation (4 séances, 6 h) a permis d'explorer ses intérêts."], 9.5, 6),
        (["Séance 1 (préliminaire) : 3 février 2025, 2 heures.",
          "Séances 2 à 4 (investigation) : 10, 17 et 24 février 2025, 2 heures chacune.",
          "Séance 5 (conclusion) : 3 mars 2025, 2 heures."], 10.0, 5),
        (["8 octobre 2025, 90 minutes : accueil, cadre, attentes.",
          "15 octobre, 120 minutes : récit de parcours.",
          "22 octobre, 120 minutes : valeurs."], 5.5, 3),
        (["Séances : 5 x 2 h = 10 h."], 10.0, 5),
    ],
)  # fmt: skip
def test_sessions_counted_in_prose_with_number_words_ranges_and_minutes(texts, total, count):
    sessions = find_sessions([paragraph(t, n) for n, t in enumerate(texts, 1)])
    assert sessions is not None
    assert (sessions.total, len(sessions.rows)) == (total, count)


def test_a_future_session_counted_in_the_plan_is_not_a_session():
    blocks = [
        paragraph("Deux séances de deux heures ont eu lieu les 3 et 10 mars 2025."),
        paragraph("Un entretien de suivi de deux heures sera prévu en septembre.", 2),
    ]
    sessions = find_sessions(blocks)
    assert sessions is not None and sessions.total == 4.0


@pytest.mark.parametrize(
    "sentence",
    [
        "Je le rappellerai en septembre, six mois après, pour voir où il en est.",
        "Je l'appellerai en septembre pour faire le point sur ses démarches.",
        "Nous la reverrons en septembre pour faire le point.",
        "On s'est donné rendez-vous en mai pour reparler de son choix, puis en septembre.",
        "Je reprendrai de ses nouvelles en octobre, puis lors de l'entretien à six mois.",
    ],
)
def test_a_future_contact_with_its_month_is_a_follow_up(sentence):
    report = report_of("10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h", sentence)
    assert codes(report, "follow_up") == ["planned"]


def test_a_future_contact_without_month_or_delay_is_not_a_planned_follow_up():
    report = report_of(
        "10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h",
        "Je l'appellerai pour lui transmettre l'adresse du centre de formation.",
    )  # fmt: skip
    assert "planned" not in codes(report, "follow_up")


def justification(*texts: str, headings: tuple[str, ...] = ()) -> dict[str, str]:
    report = report_of(*texts, headings=headings)
    return {
        f.excerpt: f.code
        for i in report.items
        for f in i.findings
        if f.check == "tool_justification" and f.excerpt
    }


def test_a_reason_is_tied_to_its_own_tool_in_a_paragraph_naming_several():
    verdicts = justification(
        "La ligne de vie, parce qu'il avait besoin d'un support visuel. Le RIASEC, en séance 4. "
        "L'enquête métier, afin qu'il vérifie lui-même son intérêt pour la transmission."
    )
    assert verdicts == {
        "ligne de vie": "justified", "RIASEC": "unjustified", "enquête métier": "justified",
    }  # fmt: skip


def test_a_tool_justified_in_a_table_row_and_a_reason_with_a_negation():
    rows = table(1, [("Outil", "Raison"),
                     ("Enquête métier", "afin qu'elle vérifie sur le terrain les contraintes physiques")])  # fmt: skip
    doc = Document("md", [*rows, paragraph(
        "Tri de cartes : je l'ai choisi parce qu'elle ne parvenait pas à dire ce qui comptait.", 2)])  # fmt: skip
    report = analyse_document(doc, requirements())
    verdicts = {
        f.excerpt: f.code
        for i in report.items
        for f in i.findings
        if f.check == "tool_justification" and f.excerpt
    }
    assert verdicts == {"enquête métier": "justified", "tri de cartes": "justified"}


def test_a_session_row_still_justifies_nothing():
    rows = table(1, [("Date", "Durée", "Contenu"),
                     ("12/05/2025", "2 h", "Enquête métier pour préparer la rencontre")])  # fmt: skip
    report = analyse_document(Document("md", rows), requirements())
    assert "unjustified" in codes(report, "tool_justification")


@pytest.mark.parametrize(
    ("heading", "item"),
    [
        ("Comment le bilan s'est déroulé", "parcours"),
        ("Ce que nous avons exploré", "exploration"),
        ("Le projet et les étapes", "plan-action"),
        ("Documents joints", "annexes"),
        ("Journal des séances", "parcours"),
    ],
)
def test_more_headings_recognised_by_their_meaning(heading, item):
    test_headings_are_recognised_by_their_meaning(heading, item)


def test_plain_paragraph_headings_of_a_pdf_are_recognised_by_meaning():
    from grading.dossier.checks import find_sections

    titles = ["Le cadre de notre travail", "Analyse de la demande", "Comment le bilan s'est déroulé", "Posture",
              "Exploration", "Outils", "Plan d'action", "Annexes"]  # fmt: skip
    blocks = []
    for n, title in enumerate(titles):
        blocks += [paragraph(title, 2 * n), paragraph("Texte du dossier. " * 20, 2 * n + 1)]
    sections = find_sections(Document("pdf", blocks), requirements())
    assert sections["cadre"].heading.text == "Le cadre de notre travail"
    assert sections["parcours"].heading.text == "Comment le bilan s'est déroulé"


def test_consent_accepted_in_writing():
    report = report_of(
        "Elle a accepté par écrit que son bilan serve, anonymisé, à ma certification."
    )
    assert set(codes(report, "consent")) == {"found"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Il souffre d'eczéma aux mains à cause des solvants.", {"eczéma"}),
        ("Une allergie aux poussières de foin l'oblige à changer de poste.", {"allergie"}),
        ("Une apnée du sommeil diagnostiquée l'an dernier, des migraines fréquentes.",
         {"apnée du sommeil", "migraines"}),
        ("Il est suivi pour une hernie inguinale depuis l'hiver.", {"hernie inguinale"}),
        ("Elle souhaite un poste compatible avec ses poussées inflammatoires.", {"poussées inflammatoires"}),
        ("Des acouphènes depuis quinze ans de chantier le gênent au quotidien.", {"acouphènes"}),
        ("Après une grossesse difficile, elle a repris à temps partiel.", {"grossesse difficile"}),
        ("Il a suivi une cure de désintoxication il y a trois ans.", {"cure de désintoxication"}),
    ],
)  # fmt: skip
def test_more_common_conditions_of_the_beneficiary_are_found(text, words):
    assert health(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "Elle administre des traitements aux patients allergiques et organise les dépistages.",
        "Préparatrice, elle conseille les patients sur les allergies et l'eczéma.",
    ],
)
def test_a_nurse_s_or_a_pharmacist_s_vocabulary_is_still_not_a_finding(text):
    assert health(text) == set()


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("M. T., 45 ans, a été commercial itinérant pour Lapeyre pendant douze ans.", "Lapeyre"),
        ("Huit ans consultant SAP en ESN (Capgemini), puis chef de projet.", "Capgemini"),
        ("Il a passé vingt ans dans un grand laboratoire pharmaceutique (Sanofi, site de Vitry).", "Sanofi"),
        ("Il travaille comme préparateur de commandes pour Kiloutou depuis 2009.", "Kiloutou"),
        ("Elle est assistante du directeur général de Groupama Loire Bretagne depuis quinze ans.",
         "Groupama Loire Bretagne"),
        ("Il est chef de rang à la brasserie Le Grand Café des Négociants.", "Le Grand Café des Négociants"),
    ],
)  # fmt: skip
def test_an_employer_after_a_job_with_pour_or_in_brackets_is_reported(text, employer):
    assert found(text) == [("employer", employer)]


@pytest.mark.parametrize(
    "text",
    [
        "Il a été commercial itinérant pour Lyon et sa région pendant douze ans.",
        "Consultant en ESN (CPF mobilisé, code K2111), il veut changer.",
        "Elle a travaillé comme assistante pour M. Martin, notaire.",
        "Il est chef de projet pour France Travail depuis 2019.",
        "Elle a passé son baccalauréat au lycée Jean Moulin puis un BTS.",
        "Rencontre avec la responsable de secteur de l'association Familles Rurales avant juin.",
        "L'activation du développement vocationnel et personnel (Pelletier, Noiseux et Bujold, 1974).",
        "Le consultant s'appuie sur la théorie de l'auto-efficacité (Bandura, 1977).",
    ],
)
def test_towns_codes_people_and_public_bodies_in_a_job_sentence_are_not_employers(text):
    assert [f for f in found(text) if f[0] == "employer"] == []


# --- fourth round (batch E's and batch F's misses, in their general form) ------------------------


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("M. D. est salarié depuis 1998 de l'entreprise « Le Goff Thermique », à Quimper.",
         "Le Goff Thermique"),
        ("Il a passé dix ans à la cave coopérative « Les Vignerons de Buxy ».", "Les Vignerons de Buxy"),
        ("Elle est employée depuis 2012 par une société appelée « Nova Froid Services ».",
         "Nova Froid Services"),
    ],
)  # fmt: skip
def test_an_employer_in_guillemets_after_its_kind_is_reported(text, employer):
    assert found(text) == [("employer", employer)]


def test_a_title_in_guillemets_is_not_an_employer():
    assert found("Il a conçu un atelier « Comprendre son premier budget » pour des élèves.") == []


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Samia est agente d'accueil et de sécurité pour Securitas sur le site d'un grand hôpital.",
         "Securitas"),
        ("Avant, il a roulé huit ans pour Transdev sur les cars scolaires.", "Transdev"),
        ("Il conduit pour la RTM sur la ligne 21 depuis vingt ans.", "RTM"),
        ("Elle a fait deux ans de missions à la comptabilité fournisseurs de Michelin.", "Michelin"),
        ("Actuellement ouvrier au Domaine Rapet, il veut quitter la taille.", "Domaine Rapet"),
    ],
)  # fmt: skip
def test_an_employer_after_pour_de_or_with_its_kind_in_a_work_sentence_is_reported(text, employer):
    assert found(text, pseudonyms=("Samia",)) == [("employer", employer)]


@pytest.mark.parametrize(
    "text",
    [
        "Rencontre du directeur du CFA de Quimper avant le 30 avril 2026.",
        "Enquête métier auprès d'une responsable qualité du CHU de Strasbourg avant le 30 avril.",
        "Mme F. est vendeuse dans une boutique de la place du Ralliement depuis 2011.",
        "Pistes : caviste, agent de chai, moniteur au CFPPA.",
        "Il est préparateur de commandes à l'entrepôt de Vern-sur-Seiche depuis 2009.",
        "Il a suivi la formation de l'AFPA pour la conduite d'engins pendant six mois.",
    ],
)
def test_meetings_places_and_schools_in_a_work_sentence_are_not_employers(text):
    assert [f for f in found(text) if f[0] == "employer"] == []


def test_where_they_work_is_still_reported_in_a_sentence_about_a_meeting():
    text = "Elle a rencontré sa cadre au CHU de Rennes, où elle travaille depuis 2010."
    assert found(text) == [("employer", "CHU de Rennes")]


def test_a_name_found_once_with_a_cue_is_reported_at_its_other_mentions():
    assert found(
        "Avant, il a roulé huit ans pour Transdev sur les cars scolaires.",
        "Aujourd'hui Transdev lui propose un poste de régulateur.",
    ) == [("employer", "Transdev"), ("employer", "Transdev")]
    assert found(
        "Sa responsable, Mme de Rességuier, l'a soutenue.",
        "Le conflit avec Rességuier a duré deux ans.",
    ) == [("name", "Mme de Rességuier"), ("name", "Rességuier")]


def test_an_author_or_a_pseudonym_is_not_carried_to_its_other_mentions():
    first = "Mon référent cite souvent Denis Pelletier."
    assert found(first)  # a false alarm on an author, not carried to the citation below
    assert found(
        first, "L'ADVP (Pelletier, Noiseux et Bujold, 1974) structure l'investigation."
    ) == found(first)
    assert found(
        "Sa responsable, Mme Vasseur, l'a soutenue.", "Vasseur l'a recommandée.",
        pseudonyms=("Mme Vasseur",),
    ) == []  # fmt: skip


def test_an_operation_of_the_beneficiary_is_health_data():
    assert health("Elle a été opérée en novembre et garde des fourmillements.") == {
        "a été opérée en novembre"
    }
    assert health("Il s'est fait opérer l'an dernier.") == {"s'est fait opérer"}
    assert health("Après une opération de l'épaule en 2024, il ne peut plus lever les bras.") == {
        "Après une opération de l'épaule"
    }  # the finding says which operation


# --- fifth round (batch G's misses, in their general form) ------------------------------------


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Il a débuté dans une ESN, Sopra Steria, en régie chez un assureur.", "Sopra Steria"),
        ("Il a rejoint une start-up de la livraison de repas, Frichti, jusqu'à sa liquidation.",
         "Frichti"),
        ("Il était second sur un chalutier de l'armement Pêcheries Océanes, basé à Lorient.",
         "Pêcheries Océanes"),
        ("Elle a commencé comme négociatrice à l'agence Orpi Port Lympia.", "Orpi Port Lympia"),
        ("En 2014 elle a rejoint le réseau Nexity à Cagnes-sur-Mer.", "Nexity"),
        ("Il livre depuis six ans pour une enseigne de bricolage, Brico Dépôt, en Moselle.",
         "Brico Dépôt"),
        ("Elle tient la caisse de la fromagerie Bérthaud le samedi.", "Bérthaud"),
    ],
)  # fmt: skip
def test_an_organisation_after_its_kind_or_in_apposition_is_reported(text, employer):
    assert found(text) == [("employer", employer)]


@pytest.mark.parametrize(
    "text",
    [
        "Elle a visité l'agence Adecco en mars pour s'inscrire.",
        "Il anime le groupe Facebook des anciens élèves.",
        "J'interviens comme consultante pour le cabinet Équilibre Orientation depuis 2015.",
        "J'exerce sous le nom Azur Bilans depuis 2018.",
        "Un entretien de suivi avec le prestataire (R.6313-4) est prévu.",
        "Il a conçu pour l'atelier « Comprendre son premier budget » des fiches.",
    ],
)
def test_platforms_codes_visits_and_the_consultant_s_own_name_are_not_employers(text):
    assert [f for f in found(text) if f[0] == "employer"] == []
    assert [f for f in found(text) if f[0] == "name"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ses employeurs sont les parents : la famille Lecoutre, pour le petit Malo.", "Lecoutre"),
        ("Il a taillé les haies chez les Martineau pendant trois étés.", "Martineau"),
        ("Elle parle souvent de Ange, son ancien directeur d'agence.", "Ange"),
        ("Il a travaillé dix ans avec Pierre sur les chantiers.", "Pierre"),
        ("Le jour où Rose m'a dit qu'elle partait, j'ai compris.", "Rose"),
        ("Il garde le contact avec Olive, sa collègue de l'atelier.", "Olive"),
    ],
)
def test_a_family_name_and_a_first_name_that_is_a_word_with_a_person_cue_are_reported(text, name):
    assert any(name == excerpt for _, excerpt in found(text, pseudonyms=("Malo",)))


@pytest.mark.parametrize(
    "text",
    [
        "M. G., 45 ans, est marin-pêcheur à La Rochelle depuis vingt ans.",
        "Il a grandi à Saint-Malo puis s'est installé à Rennes.",
        "La Rose des vents est un outil de l'atelier. Elle ajoute de l'huile d'olive.",
        "Le couple Social-Conventionnel ouvre des métiers de bureau.",
    ],
)
def test_places_and_words_are_not_first_names(text):
    assert [f for f in found(text) if f[0] == "name"] == []


def test_a_place_the_model_reads_as_a_person_is_not_carried_to_its_other_mentions():
    assert [
        f
        for f in found(
            "Il embarque depuis le port de pêche, basé à Chef de Baie.",
            "La Baie est à dix minutes de chez lui.",
        )
        if f[0] == "name"
    ] == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Une chute sur le pont lui a laissé un traumatisme du genou et une entorse grave de la "
         "cheville.", {"traumatisme du genou", "entorse grave de la cheville"}),
        ("En 2023, une rupture des ligaments croisés l'a arrêté six mois.", {"rupture des ligaments"}),
        ("Elle a eu une luxation de l'épaule en tombant d'un escabeau.", {"luxation de l'épaule"}),
        ("Elle est en rémission mais garde une fatigue chronique.", {"fatigue chronique"}),
        ("Il souffre d'un syndrome de Raynaud qui gêne le travail au froid.", {"syndrome de Raynaud"}),
        ("Elle a été opérée d'une hernie discale.", {"a été opérée", "hernie discale"}),
    ],
)  # fmt: skip
def test_injuries_and_common_conditions_in_their_general_form_are_health_data(text, words):
    assert health(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "La rupture du contrat a été brutale pour l'équipe.",
        "Le syndrome de l'imposteur revient souvent dans ses propos.",
        "Elle travaille sur la fracture numérique des seniors.",
    ],
)
def test_a_rupture_of_contract_or_the_impostor_syndrome_is_not_health_data(text):
    assert health(text) == set()
# --- issue 17, fourth round (requirement verdicts): batch E's and batch F2's classes of miss ---


@pytest.mark.parametrize(
    ("texts", "total", "count"),
    [
        # « trois autres » with no noun, after a counted group: added, not a detail of it (O33).
        (["Nous avons commencé par trois rendez-vous de deux heures en février 2026, les 3, 10 "
          "et 17 février. Puis trois autres de deux heures, les 3, 17 et 31 mars 2026."], 12.0, 6),
        # Counted per phase with a clock range: each session's time, not the group's (O34); the
        # middle phase is not a summary of the two others.
        (["La phase préliminaire a compté deux séances, le 4 et le 11 mai 2026, de 14 h à 16 h. "
          "La phase d'investigation s'est étendue sur quatre séances, les 18 et 25 mai, le 1er "
          "et le 8 juin, chacune de 14 h à 16 h. Enfin, deux séances de conclusion ont eu lieu "
          "les 15 et 22 juin 2026, de 14 h à 16 h également."], 16.0, 8),
        # A total told before the count (O51).
        (["Au total : 12 heures en sept séances."], 12.0, 7),
    ],
)  # fmt: skip
def test_sessions_counted_by_group_phase_or_total_before_the_count(texts, total, count):
    sessions = find_sessions([paragraph(t, n) for n, t in enumerate(texts, 1)])
    assert sessions is not None
    assert (sessions.total, len(sessions.rows)) == (total, count)


def test_sessions_told_as_diary_entries_opening_with_their_date():
    """A diary: each entry opens with its date, the duration in its first sentences (O51)."""
    sessions = find_sessions([
        paragraph("**Mardi 6 janvier 2026.** Premier rendez-vous, une heure trente. Il arrive en avance.", 1),
        paragraph("**Mardi 13 janvier 2026.** Séance de 90'. Il a écrit une page.", 2),
        paragraph("Mardi 3 février 2026. De 17 h à 19 h, après sa journée d'intérim.", 3),
        Block("heading", "Mardi 17 février 2026", Location(section="x"), level=3),
        paragraph("Une heure et demie. Retour sur deux enquêtes métiers.", 5),
        paragraph("Mardi 14 avril 2026 : un rendez-vous de suivi est prévu, d'une heure.", 6),
    ])  # fmt: skip
    assert sessions is not None
    assert [(r.date, r.hours) for r in sessions.rows] == [
        ("2026-01-06", 1.5), ("2026-01-13", 1.5), ("2026-02-03", 2.0), ("2026-02-17", 1.5),
    ]  # fmt: skip


def test_a_table_per_phase_then_the_whole_attendance_sheet_counts_each_session_once():
    """O50: three tables (one per phase), then all the sessions again in the annexes."""
    phase_tables = [
        [("Phase préliminaire", "Date", "Durée"), ("Séance 1", "12/01/2026", "1 h 30"),
         ("Séance 2", "19/01/2026", "1 h 30")],
        [("Phase d'investigation", "Date", "Durée"), ("Séance 3", "26/01/2026", "2 h"),
         ("Séance 4", "02/03/2026", "90'")],
    ]  # fmt: skip
    annex = [("Date", "Durée", "Émargement"), ("12/01/2026", "1 h 30", "signé"),
             ("19/01/2026", "1 h 30", "signé"), ("26/01/2026", "2 h", "signé"),
             ("02/03/2026", "1 h 30", "visio")]  # fmt: skip
    blocks = [*table(1, phase_tables[0]), *table(2, phase_tables[1]), *table(3, annex)]
    sessions = find_sessions(blocks)
    assert sessions is not None
    assert (sessions.total, len(sessions.rows)) == (6.5, 4)


@pytest.mark.parametrize(
    "sentence",
    [
        "Appel de suivi en janvier 2027, à cinq mois de la fin du bilan.",  # O35
        "Follow-up call calé fin septembre 2025 pour voir où elle en est.",  # O53
        "On s'est dit qu'on se reparlerait vers la mi-septembre, après ses premiers mois.",  # O51
        "Je vais la rappeler en septembre pour savoir où en sont ses candidatures.",
        "Un coup de fil de suivi est convenu en septembre.",
    ],
)
def test_a_follow_up_phrased_as_a_call_in_english_or_a_reflexive_verb(sentence):
    report = report_of("10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h", sentence)
    assert codes(report, "follow_up") == ["planned"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Je lui ai parlé en mars de la formation de septembre.",
        "Nous avons échangé sur ses démarches de septembre.",
        "Elle a reçu un appel de son employeur en septembre.",
    ],
)
def test_a_past_exchange_or_someone_else_s_call_is_not_a_follow_up(sentence):
    report = report_of("10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h", sentence)
    assert "planned" not in codes(report, "follow_up")


@pytest.mark.parametrize(
    ("heading", "item"),
    [
        ("Que demandait Mme F. ?", "analyse-demande"),  # O32
        ("Ce que Joël venait chercher", "analyse-demande"),  # O51
        ("Comment avons-nous avancé ?", "parcours"),  # O32
        ("Journal de bord", "parcours"),
        ("Et maintenant ?", "plan-action"),  # O32
        ("Et après ?", "plan-action"),  # O51
        ("Prochaines étapes", "plan-action"),
        ("Compétences et pistes", "exploration"),  # O33
        ("Skills, intérêts et pistes", "exploration"),  # O53
        ("Mon mindset de consultant", "posture"),
        ("Toolbox", "outils"),
        ("Next steps", "plan-action"),
    ],
)
def test_headings_as_questions_or_in_franglais_are_recognised_by_meaning(heading, item):
    """With the course's cahier des charges (its aliases), as the app gives it."""
    from grading.dossier.checks import find_sections

    course = _bench().requirements()
    titles = {r.id: r.title for r in course}
    titles[item] = heading
    blocks = []
    for title in titles.values():
        blocks += [
            Block("heading", title, Location(section=title), level=2),
            paragraph("Texte. " * 20),
        ]
    sections = find_sections(Document("md", blocks), course)
    assert sections[item].heading.text == heading


def test_plain_paragraph_headings_saying_it_in_other_words_with_one_exact_only():
    """O53 (PDF): only « Annexes » is a heading word for word; the others say it otherwise,
    and the parcours is followed by session lines, not a paragraph."""
    from grading.dossier.checks import find_sections

    titles = ["Le contexte (background)", "La demande - what she wants", "Le process, étape par étape",
              "Mon mindset de consultant", "Skills, intérêts et pistes", "Toolbox", "Next steps",
              "Annexes"]  # fmt: skip
    blocks = [Block("heading", "Dossier pro - épreuve 2", Location(section="t"), level=1)]
    for n, title in enumerate(titles):
        blocks.append(paragraph(title, 3 * n))
        if n == 2:
            blocks.append(paragraph("Meeting #1 - 02/02/2026 - 1h30 - kick-off", 3 * n + 1))
        blocks.append(paragraph("Texte du dossier. " * 20, 3 * n + 2))
    sections = find_sections(Document("pdf", blocks), _bench().requirements())
    assert {rid: s.heading.text for rid, s in sections.items()} == dict(
        zip(["cadre", "analyse-demande", "parcours", "posture", "exploration", "outils",
             "plan-action", "annexes"], titles, strict=True)
    )  # fmt: skip


def test_short_lines_of_a_plain_document_are_not_headings_by_meaning():
    """Two lines that happen to say « demande » and « outils » are not enough to make a
    document's short lines headings."""
    from grading.dossier.checks import find_sections

    blocks = [paragraph("Sa demande initiale", 1), paragraph("Texte du dossier. " * 20, 2),
              paragraph("Les outils", 3), paragraph("Texte du dossier. " * 20, 4)]  # fmt: skip
    assert find_sections(Document("pdf", blocks), _bench().requirements()).keys() <= {"outils"}


def test_a_tool_that_has_allowed_something_is_justified_but_a_driving_licence_is_not():
    verdicts = justification(
        "Le portefeuille de compétences a permis de rendre visibles des compétences qu'elle "
        "ne nommait pas. Le RIASEC, passé après son permis de conduire."
    )
    assert verdicts == {"portefeuille de compétences": "justified", "RIASEC": "unjustified"}


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("de 14 heures à 16 heures", 2.0),
        ("entre 14 h et 16 h 30", 2.5),
        ("14:00-16:00", 2.0),
        ("de 9:30 à 11:30", 2.0),
    ],
)
def test_clock_ranges_in_words_with_entre_or_with_colons(text, hours):
    assert parse_duration(text) == hours


def test_sessions_listed_by_number_without_dates():
    sessions = find_sessions([
        paragraph("Séance 1 – 2 h : cadre, demande, objectifs.", 1),
        paragraph("Séance 2 (1 h 30). Ligne de vie.", 2),
        paragraph("Entretien 3 : 90 minutes, retour d'enquête.", 3),
        paragraph("Séance 4 : un entretien de suivi est prévu, d'une heure.", 4),
    ])  # fmt: skip
    assert sessions is not None
    assert (sessions.total, len(sessions.rows)) == (5.0, 3)


@pytest.mark.parametrize(
    "sentence",
    [
        "Six mois après la dernière séance, nous referons le point ensemble.",
        "Un suivi est programmé en septembre.",
        "Suivi : septembre 2025, par téléphone.",
    ],
)
def test_a_follow_up_as_a_planned_suivi_or_a_point_made_again(sentence):
    report = report_of("10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h", sentence)
    assert codes(report, "follow_up") == ["planned"]


def test_a_reason_told_as_a_cause_with_other_connectors():
    verdicts = justification(
        "La ligne de vie, dans la mesure où il résumait sa carrière en une phrase. "
        "Le RIASEC, étant donné son goût pour les résultats chiffrés. "
        "L'enquête métier, j'ai vu sa fiche de poste avant."
    )
    assert verdicts == {
        "ligne de vie": "justified", "RIASEC": "justified", "enquête métier": "unjustified",
    }  # fmt: skip


@pytest.mark.parametrize(
    "sentence",
    [
        "Elle a accepté que son parcours soit présenté, anonymisé, dans ce dossier.",
        "Il m'a autorisée à utiliser son bilan pour ma certification.",
    ],
)
def test_consent_told_as_accepting_or_authorising_the_use_of_the_case(sentence):
    assert set(codes(report_of(sentence), "consent")) == {"found"}


def test_a_dossier_written_as_a_form_whose_first_column_names_the_parts():
    rows = table(1, [
        ("Rubrique", "Contenu"),
        ("Cadre", "Bilan financé par le CPF, en présentiel, convention signée le 5 janvier."),
        ("Demande", "Quitter la logistique pour un métier de la formation, sans perdre son salaire."),
        ("Déroulement", "Trois phases : préliminaire, investigation, conclusion, sur huit séances."),
        ("Outils", "La ligne de vie, parce qu'il résumait sa carrière en une phrase."),
        ("", "Le RIASEC, en séance 4, commenté avec lui ensuite."),
        ("Plan d'action", "Candidature au titre de formateur avant le 30 avril 2026, puis stage."),
    ])  # fmt: skip
    report = analyse_document(Document("docx", rows), _bench().requirements())
    present = {
        i.id for i in report.items for f in i.findings if f.check == "section_present" and f.code == "found"
    }
    assert present == {"cadre", "analyse-demande", "parcours", "outils", "plan-action"}
    verdicts = {f.excerpt: f.code for i in report.items for f in i.findings
                if f.check == "tool_justification" and f.excerpt}  # fmt: skip
    assert verdicts == {"ligne de vie": "justified", "RIASEC": "unjustified"}


def test_a_table_of_tools_with_reasons_is_not_a_form_of_sections():
    rows = table(1, [
        ("Outil", "Pourquoi ce choix"),
        ("Ligne de vie", "parce qu'il résumait sa carrière en une phrase, sans détail"),
        ("Enquête métier", "pour vérifier sur le terrain les contraintes du métier visé"),
    ])  # fmt: skip
    report = analyse_document(Document("docx", rows), _bench().requirements())
    assert "found" not in codes(report, "section_present")


def _sections_report(titles: list[str]):
    blocks = []
    for title in titles:
        blocks += [Block("heading", title, Location(section=title), level=2),
                   paragraph("Texte du dossier. " * 20)]  # fmt: skip
    return analyse_document(Document("md", blocks), _bench().requirements())


def test_a_part_not_recognised_beside_an_unknown_heading_is_to_check_not_missing():
    """« Ce que j'en retire » may be the posture in words the check does not know: « à
    vérifier », naming the heading; with every heading recognised, a part absent is missing."""
    titles = ["Cadre du bilan", "Analyse de la demande", "Parcours de bilan", "Ce que j'en retire",
              "Exploration", "Outils", "Plan d'action", "Annexes"]  # fmt: skip
    posture = next(i for i in _sections_report(titles).items if i.id == "posture")
    (finding,) = [f for f in posture.findings if f.check == "section_present"]
    assert (finding.severity, finding.code, posture.status) == ("warning", "unsure", "warning")
    assert "« Ce que j'en retire »" in finding.message
    without = [t for t in titles if t != "Ce que j'en retire"]
    posture = next(i for i in _sections_report(without).items if i.id == "posture")
    assert posture.status == "missing"


def test_too_few_hours_read_from_sentences_is_to_check_but_from_a_table_is_missing():
    told = report_of("Trois séances de deux heures ont eu lieu en mars 2026.")
    (finding,) = [f for f in [*told.items[0].findings] if f.code == "too_few_hours"]
    assert finding.severity == "warning" and "lu dans le texte" in finding.message
    rows = table(1, [("Date", "Durée"), ("02/03/2026", "2 h"), ("09/03/2026", "2 h")])
    in_table = analyse_document(Document("md", rows), requirements())
    assert [f.severity for i in in_table.items for f in i.findings
            if f.code == "too_few_hours"] == ["error"]  # fmt: skip


def test_sessions_spoken_of_but_not_read_are_to_check_not_missing():
    report = report_of("Les séances, toutes de deux heures, se sont tenues au cabinet.")
    assert codes(report, "session_hours") == ["unread"]
    assert codes(report_of("Le bilan s'est tenu au cabinet."), "session_hours") == ["no_table"]


def test_a_follow_up_spoken_of_in_unknown_words_is_to_check_not_missing():
    sessions = ("10/03/2025 : séance de 2 h", "17/03/2025 : séance de 2 h")
    unknown = report_of(*sessions, "Le suivi se fera par téléphone, à sa demande.",
                        headings=("Plan d'action",))  # fmt: skip
    assert codes(unknown, "follow_up") == ["unsure"]
    verb = report_of(*sessions, "Elle a suivi une formation de bureautique.",
                     headings=("Plan d'action",))  # fmt: skip
    assert codes(verb, "follow_up") == ["none"]


def test_an_agreement_not_read_as_consent_is_to_check_not_missing():
    assert set(codes(report_of("Le génogramme a été fait avec son accord."), "consent")) == {"unsure"}
    assert set(codes(report_of("Le bilan s'est tenu au cabinet."), "consent")) == {"missing"}


def test_a_phase_under_another_name_is_to_check_not_missing():
    report = report_of(
        "Phase d'accueil : la demande. Phase d'investigation : le parcours. "
        "Phase de restitution : la synthèse."
    )
    assert set(codes(report, "phases")) == {"unsure_preliminaire", "investigation", "unsure_conclusion"}


# --- fifth round: what held-out batch G2 missed, in its general form -----------------------


@pytest.mark.parametrize(
    ("heading", "item"),
    [
        ("Situation initiale", "cadre"),
        ("Conditions de réalisation", "cadre"),
        ("Problématique", "analyse-demande"),
        ("Motifs et attentes", "analyse-demande"),
        ("Enjeux et attentes", "analyse-demande"),
        ("Méthodologie", "parcours"),
        ("Démarche et chronologie", "parcours"),
        ("Retour réflexif", "posture"),
        ("Éthique et déontologie", "posture"),
        ("Positionnement", "posture"),
        ("Résultats", "exploration"),
        ("Ressources et atouts", "exploration"),
        ("Tests et questionnaires", "outils"),
        ("Boîte à outils", "outils"),
        ("Perspectives", "plan-action"),
        ("Préconisations et feuille de route", "plan-action"),
        ("Attestations et feuilles d'émargement", "annexes"),
    ],
)
def test_a_lexicon_of_how_consultants_title_each_part(heading, item):
    """O57: « Situation initiale », « Problématique », « Méthodologie », « Retour réflexif »,
    « Résultats », « Perspectives » were in no alias nor synonym; other words of each part."""
    from grading.dossier.checks import find_sections

    course = _bench().requirements()
    titles = {r.id: r.title for r in course}
    titles[item] = heading
    blocks = []
    for title in titles.values():
        blocks += [
            Block("heading", title, Location(section=title), level=2),
            paragraph("Texte. " * 20),
        ]
    sections = find_sections(Document("md", blocks), course)
    assert sections[item].heading.text == heading


def _bold_line_dossier(*lines: str) -> Document:
    """A letter to the jury whose headings are bold lines (plain paragraphs once read)."""
    return Document("md", [paragraph(text, n) for n, text in enumerate(lines)])


def test_a_bold_line_heading_ending_with_an_initial_and_a_lead_in_line_with_a_colon():
    """O54: « La demande de Mme T. » ends with the initial's full stop and is a heading; « Les
    séances, toutes au cabinet : » introduces a list and is not the parcours heading."""
    from grading.dossier.checks import find_sections

    body = "Texte du dossier qui raconte cette partie en détail. " * 4
    doc = _bold_line_dossier(
        "Le cadre", body, "La demande de Mme T.", body, "Le déroulement",
        "Les séances, toutes au cabinet :", "lundi 2 mars 2026 : 1h30 (préliminaire)",
        "lundi 9 mars 2026 : 1h30 (investigation)", body, "Ma posture", body, "Les outils", body,
        "Le plan d'action", body,
    )  # fmt: skip
    sections = find_sections(doc, _bench().requirements())
    assert sections["analyse-demande"].heading.text == "La demande de Mme T."
    assert sections["parcours"].heading.text == "Le déroulement"
    # A sentence ending with a full stop is still no heading.
    doc = _bold_line_dossier("Le cadre", body, "Voici la demande.", body, "Les outils", body,
                             "Ma posture", body)  # fmt: skip
    assert "analyse-demande" not in find_sections(doc, _bench().requirements())


def test_a_styled_heading_wins_over_a_plain_line_saying_the_same():
    from grading.dossier.checks import find_sections

    body = "Texte du dossier qui raconte cette partie en détail. " * 4
    blocks = [
        Block("heading", "Le cadre", Location(section="c"), level=2), paragraph(body),
        Block("heading", "Le déroulement", Location(section="d"), level=2),
        paragraph("Les séances"), paragraph(body * 3),
        Block("heading", "Les outils", Location(section="o"), level=2), paragraph(body),
    ]  # fmt: skip
    sections = find_sections(Document("md", blocks), _bench().requirements())
    assert sections["parcours"].heading.text == "Le déroulement"


@pytest.mark.parametrize(
    "sentence",
    [
        "Nous avons convenu d'un rendez-vous téléphonique fin janvier 2026 pour faire le point.",
        "Nous avons fixé un appel en janvier pour savoir où elle en est.",
        "Nous avons programmé une visio courant janvier 2026.",
    ],
)
def test_an_appointment_agreed_on_with_its_month_is_a_follow_up(sentence):
    report = report_of("08/07/2025 : séance de 2 h", "15/07/2025 : séance de 2 h", sentence)
    assert "planned" in codes(report, "follow_up")


def test_an_appointment_agreed_on_without_a_time_is_not_a_planned_follow_up():
    report = report_of(
        "08/07/2025 : séance de 2 h", "15/07/2025 : séance de 2 h",
        "Nous avons convenu d'un rendez-vous pour la séance suivante, au cabinet.",
    )  # fmt: skip
    assert "planned" not in codes(report, "follow_up")


def _hours(*texts: str) -> list[str]:
    return [c for c in codes(report_of(*texts), "session_hours") if c != "row"]


def test_a_single_session_told_after_counted_groups_puts_the_total_in_doubt():
    """O55: the counted groups give 10 h and the single sessions told after them are left
    out; the 10 h are ≥ 10 h by luck (14 h were held): « à vérifier », not « conforme »."""
    text = (
        "Janvier : deux séances (le 8 et le 22 janvier 2026), deux heures chacune, pour la phase "
        "préliminaire. Février : trois séances d'investigation, le 5, le 12 et le 26 février "
        "2026, de deux heures chacune. Mars : une séance d'investigation le 12 mars 2026 (deux "
        "heures), puis la séance de conclusion le 26 mars 2026, deux heures également."
    )
    assert _hours(text) == ["uncertain_total"]


def test_sessions_told_one_by_one_and_as_a_group_put_the_total_in_doubt():
    """O56: two sessions told one by one, then four counted with their dates, then one more:
    the dated reading and the counted one each see a part (6 h, 8 h)."""
    text = (
        "Le premier entretien, le 13 janvier 2026, a duré 1 h 30. Nous nous sommes revues le 20 "
        "janvier 2026 pendant 1 h 30. La phase d'investigation a compté quatre séances de 2 "
        "heures, les 27 janvier, 10 février, 24 février et 10 mars 2026. La phase de conclusion "
        "a tenu en une séance de 1 heure le 24 mars 2026."
    )
    assert _hours(text) == ["uncertain_total"]


@pytest.mark.parametrize(
    ("stated", "verdict"),
    [
        ("Au total, 24 heures d'accompagnement.", "uncertain_total"),
        ("Soit quinze heures au total.", "uncertain_total"),
        ("Nombre de séances : 8.", "uncertain_total"),
        ("Soit douze heures au total.", "total"),  # the stated total confirms the table
        ("Le bilan dure 24 heures au plus, selon la loi.", "total"),  # the law, not a total
    ],
)
def test_a_total_or_a_count_stated_in_the_text_is_checked_against_the_sessions(stated, verdict):
    rows = [
        Block(ROW, "", Location(table=1, row=0), cells=("Date", "Durée", "Phase"), table=1),
        *(
            Block(ROW, "", Location(table=1, row=n), cells=(f"0{n}/03/2026", "2 h", "investigation"), table=1)
            for n in range(1, 7)
        ),
    ]  # fmt: skip
    doc = Document("md", [*rows, paragraph(stated, 9)])
    report = analyse_document(doc, requirements())
    assert [c for c in codes(report, "session_hours") if c != "row"] == [verdict]


def test_too_few_hours_in_a_table_is_missing_and_names_the_total_the_text_states():
    """The table is the record the cahier des charges asks for: short of 10 h, it fails
    whatever the text says; the text's own total is named so the table gets completed."""
    rows = [
        Block(ROW, "", Location(table=1, row=0), cells=("Date", "Durée"), table=1),
        *(Block(ROW, "", Location(table=1, row=n), cells=(f"0{n}/03/2026", "2 h"), table=1) for n in range(1, 4)),
    ]  # fmt: skip
    doc = Document("md", [*rows, paragraph("Le bilan a duré 12 heures au total.", 9)])
    report = analyse_document(doc, requirements())
    (finding,) = [f for i in report.items for f in i.findings if f.code == "too_few_hours"]
    assert finding.severity == "error" and "12 h" in finding.message
    doc = Document("md", rows)
    report = analyse_document(doc, requirements())
    assert [c for c in codes(report, "session_hours") if c != "row"] == ["too_few_hours"]


# --- sixth round (batch H's misses, in their general form) ------------------------------------


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Il prépare les colis d'une enseigne de vente à distance, La Redoute.", "La Redoute"),
        ("Elle a été embauchée dans un foyer d'hébergement pour adultes handicapés, Le Moulin "
         "Vert, en 2008.", "Le Moulin Vert"),
        ("Il a fait son tour de France dans une association de compagnons, Les Compagnons du "
         "Devoir, de 2005 à 2010.", "Les Compagnons du Devoir"),
        ("Elle a commencé chez un promoteur toulousain, Les Bâtisseurs d'Oc, avant 2012.",
         "Les Bâtisseurs d'Oc"),
    ],
)  # fmt: skip
def test_an_organisation_whose_name_begins_with_a_capitalised_article_is_reported(text, employer):
    assert found(text) == [("employer", employer)]


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Il a enchaîné les missions avec une agence d'intérim de Roubaix, Start People, puis il "
         "a été embauché.", "Start People"),
        ("De 2010 à 2015 il était chez un hôtel-club de Saint-Gilles, Le Récif ; puis ailleurs.",
         "Le Récif"),
        ("Elle a fait son apprentissage à l'IME Les Hirondelles. Auparavant, elle animait.",
         "Les Hirondelles"),
        ("Il est moniteur d'atelier à l'ESAT Les Ateliers du Lac depuis 2016.",
         "Les Ateliers du Lac"),
        ("Elle a été recrutée par Bâti Sud Rénovation en 2012.", "Bâti Sud Rénovation"),
        ("Il est salarié d'Armor Emballages depuis 2015.", "Armor Emballages"),
    ],
)  # fmt: skip
def test_a_place_complement_a_compound_kind_or_an_acronym_kind_before_the_name(text, employer):
    assert found(text) == [("employer", employer)]


@pytest.mark.parametrize(
    "text",
    [
        "Consultant salarié d'Avenir Nord Conseil, j'ai accompagné M. K. de septembre à novembre.",
        "Les notions de carrière nomade décrites par Arthur et Rousseau l'ont aidée.",
    ],
)
def test_the_consultant_s_employer_and_authors_cited_without_a_year_are_not_findings(text):
    assert found(text) == []


def test_a_first_name_cited_once_as_an_author_is_still_a_name_elsewhere():
    assert found(
        "Les notions de carrière nomade décrites par Arthur et Rousseau l'ont aidée.",
        "Son fils Arthur entre en CAP.",
    ) == [("name", "Arthur")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2024 : accident de scooter sur la route des Tamarins.", {"accident de scooter"}),
        ("Il a eu un accident de vélo en allant au travail.", {"accident de vélo"}),
        ("Un accident domestique l'a arrêtée trois mois.", {"accident domestique"}),
    ],
)
def test_an_accident_of_any_vehicle_is_health_data(text, words):
    assert health(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "Elle gérait les accidents du travail des compagnons et les visites du médecin du travail "
        "de l'équipe.",
        "Suivi des arrêts maladie de l'équipe pour le planning.",
    ],
)
def test_the_team_s_health_is_not_the_beneficiary_s(text):
    assert health(text) == set()


def test_a_first_name_that_is_a_word_with_an_adverb_or_a_resident_role_is_reported():
    assert found("Elle cite volontiers Rose, une résidente âgée qui l'appelait « ma grande ».") == [
        ("name", "Rose")
    ]


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Elle a démissionné de Kiabi en 2021 pour suivre son mari.", "Kiabi"),
        ("Elle a signé son CDI avec Biocoop en 2018, après deux CDD.", "Biocoop"),
    ],
)  # fmt: skip
def test_a_capitalised_name_in_the_beneficiary_s_employment_sentence_is_an_employer(text, employer):
    assert found(text) == [("employer", employer)]


@pytest.mark.parametrize(
    "text",
    [
        "Il est en CDD à Toulouse depuis mars, elle en CDI près de Blagnac.",
        "Elle a été embauchée en 2019 ; Dubreuil lui a dit qu'elle aurait un poste.",
        "Elle a passé la certification Cisco CCNA pendant son CDI.",
        "Il a trouvé un poste grâce au test RIASEC et à la méthode Trouvez votre voie.",
        "Elle travaille depuis mai. Que faire ensuite ?",
    ],
)
def test_towns_people_tools_and_words_in_an_employment_sentence_are_not_employers(text):
    assert [f for f in found(text) if f[0] == "employer"] == []


# Seventh round (issue 17): the consultant's own organisation, one report per occurrence, no span
# across a sentence end, product brands.


@pytest.mark.parametrize(
    "texts",
    [
        ("Je suis consultant depuis quatre ans au Point Carrière Sud-Loire. Joël (pseudonyme) est venu seul.",
         "Le Point Carrière Sud-Loire m'a confié son dossier."),
        ("Je bosse en freelance, en sous-traitance pour Horizon Bilans (Lyon 7e).",
         "Horizon a fourni la salle."),
        ("Nous sommes deux consultants associés de Cimes Orientation, à Grenoble.",
         "Les locaux de Cimes Orientation sont au centre-ville."),
        ("De : consultant, Trajectoires Lorraine", "Le bilan a été mené chez Trajectoires Lorraine."),
        ("Structure | Cabinet Boussole Pro, Limoges ; je suis consultante salariée",
         "Boussole Pro a été payé par le CPF."),
        ("Organisme : Parcours Atlantique", "Les séances ont eu lieu chez Parcours Atlantique."),
        ("Le bilan de compétences a été réalisé par Cap Avenir Conseil.",
         "Mme K. a été reçue chez Cap Avenir Conseil."),
        ("Kerlann Orientation, qui m'emploie depuis 2019, finance ma certification.",
         "Les séances ont eu lieu chez Kerlann Orientation."),
    ],
)  # fmt: skip
def test_the_consultant_s_own_organisation_is_recognised_however_it_is_named(texts):
    assert [f for f in found(*texts) if f[0] in ("employer", "name")] == []


def test_the_beneficiary_s_employer_is_reported_even_when_it_is_also_the_consultant_s():
    assert found(
        "Je suis consultante chez Altaïr Conseil.",
        "Mme K. travaille chez Altaïr Conseil depuis 2015.",
    ) == [("employer", "Altaïr Conseil"), ("employer", "Altaïr Conseil")]


def test_a_full_name_after_a_role_is_one_finding():
    assert found("Son collègue Thierry Bonnamour lui a parlé d'un poste en méthodes.") == [
        ("name", "Thierry Bonnamour")
    ]


def test_an_employer_s_name_stops_at_the_end_of_its_sentence():
    assert found("Il a travaillé dix ans chez Transports Giraud. Karim a ensuite cherché.") == [
        ("employer", "Transports Giraud"),
        ("name", "Karim"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Les ancres de carrière de Schein ont montré une ancre « autonomie ». Elle utilise au "
        "salon les produits Kérastase et Redken : ce sont des marques, pas ses employeurs.",
        "Il travaille surtout la marque Bosch Professional et les gammes Makita.",
    ],
)
def test_product_brands_are_not_employers(text):
    assert [f for f in found(text) if f[0] == "employer"] == []
