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
    assert found(
        "Nous intervenons comme consultante associée du cabinet Praxis Orientation. Mme V. a "
        "sollicité ce bilan. Le cabinet Praxis Orientation est certifié."
    ) == []
