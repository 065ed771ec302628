"""What the modules and case studies teach: the référentiel's criteria, the law as it stands
(DOMAIN.md, expert review of 2026-12-07), coherent personas and readable dialogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.loader import Course, load_course

ROOT = Path(__file__).resolve().parents[2] / "course"
MODULE_FILES = sorted((ROOT / "modules").glob("*/index.md"))
CASE_FILES = sorted((ROOT / "case_studies").glob("*.md"))
CONTENT_FILES = MODULE_FILES + CASE_FILES


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(ROOT).course


def _module(course: Course, module_id: str):
    return next(m for m in course.modules if m.id == module_id)


def _teaching(module) -> str:
    return "\n".join(s.markdown for s in module.segments if s.question is None)


# Review B and issue 14 point 9: every référentiel criterion the course did not teach now has
# teaching text (keywords that only a real section would hold) and at least one knowledge check.
TOPICS = {
    "théories du projet professionnel (C1)": (
        "c1-cadre-legal-deontologique",
        [
            "Super",
            "Holland",
            "ADVP",
            "Krumboltz",
            "hasard planifié",
            "Savickas",
            "life design",
            "Guichard",
            "ancres de carrière",
        ],
        {"theorie-hasard-planifie", "theorie-advp"},
    ),
    "indicateur 26 de Qualiopi sous C1": (
        "c1-cadre-legal-deontologique",
        ["indicateur 26", "référent handicap", "auditeur"],
        {"qualiopi-indicateur-26"},
    ),
    "arrêt maladie (L.323-3-1 CSS)": (
        "c1-cadre-legal-deontologique",
        ["L.323-3-1", "médecin-conseil", "médecin traitant", "informer l'employeur"],
        {"bilan-arret-maladie"},
    ),
    "grille APS (C2)": (
        "c2-analyse-de-la-demande",
        ["grille APS", "indicateur 4", "programme personnalisé"],
        {"grille-aps-partagee"},
    ),
    "création d'entreprise (C2)": (
        "c2-analyse-de-la-demande",
        ["création d'entreprise", "accompagnement à la création", "plan de financement"],
        {"demande-creation-entreprise"},
    ),
    "potentiels (C3)": (
        "c3-investigation-parcours",
        ["potentiels", "possibilités d'évolution", "signes"],
        {"potentiel-signes"},
    ),
    "charte déontologique et contrat d'engagement (C4)": (
        "c4-posture-consultant",
        ["charte déontologique", "contrat d'engagement", "engagements réciproques"],
        {"charte-contrat-engagement"},
    ),
    "grilles d'évaluation et d'autodiagnostic (C5)": (
        "c5-outils-du-bilan",
        ["autodiagnostic", "autoévaluation", "désirabilité sociale"],
        {"grille-autoevaluation"},
    ),
    "Transitions Pro, PTP, démission-reconversion (C6)": (
        "c6-plan-action-synthese",
        [
            "Transitions Pro",
            "projet de transition professionnelle",
            "démission pour reconversion",
            "réel et sérieux",
        ],
        {"demission-reconversion-ordre", "transition-professionnelle"},
    ),
}


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_each_referentiel_topic_is_taught_with_a_knowledge_check(course, topic):
    module_id, keywords, question_ids = TOPICS[topic]
    module = _module(course, module_id)
    text = _teaching(module)
    assert [k for k in keywords if k not in text] == [], topic
    assert question_ids <= {q.id for q in module.questions}, topic


def _all_text() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in CONTENT_FILES}


def test_three_phases_are_not_dated_from_2019():
    """Review A.1–A.2: three phases since 1992; 2018-1330 rewrote their content."""
    wrong = re.compile(
        r"depuis (la réforme de )?2019|depuis la réforme de 2018 et son décret|décret de 2019"
        r"|n'existe plus comme phase|il n'existe plus de phase",
        re.IGNORECASE,
    )
    found = [
        (p.name, m.group(0))
        for p, t in _all_text().items()
        for m in wrong.finditer(t)
        if "phase" in t[max(0, m.start() - 200) : m.end() + 200]
    ]
    assert found == []


def test_only_the_synthese_may_go_to_the_cep_operator():
    """Review A.3: never « ces documents » / results communicated to the CEP at their request."""
    wrong = re.compile(
        r"Ces documents (ne )?peuvent être communiqués à (l'|un )opérateur du\s+conseil"
        r"|sauf l'opérateur du conseil en évolution professionnelle\s+à sa demande"
        r"|l'opérateur du conseil en évolution professionnelle seulement à sa demande",
    )
    assert [p.name for p, t in _all_text().items() if wrong.search(t)] == []


def test_qualiopi_indicator_26_is_not_counted_under_c7():
    text = (ROOT / "modules/c7-veille-amelioration/index.md").read_text(encoding="utf-8")
    assert "Quatre de\nses indicateurs concernent directement la compétence C7" not in text
    assert "indicateurs 23 à 26" not in text
    assert "relève de la compétence **C1**" in text


def test_personas_are_coherent():
    """Review F: one Patrick (56, 31 years), one Sandrine (aide-soignante), one Claire (19 h)."""
    texts = _all_text()
    for path, text in texts.items():
        for age in re.findall(r"Patrick, (\d+) ans", text):
            assert age == "56", (path.name, age)
        assert not re.search(r"Sandrine, \d+ ans, assistante", text), path.name
        for age in re.findall(r"Thomas, (\d+) ans", text):
            assert age == "46", (path.name, age)
        for age in re.findall(r"Claire, (\d+) ans", text):
            assert age == "38", (path.name, age)
        assert not re.search(r"Claire[^.]*bilan de 20 heures", text), path.name
    c6 = texts[ROOT / "modules/c6-plan-action-synthese/index.md"]
    assert "bilan de 19 heures" in c6 and "mandataire judiciaire" in c6


def test_example_dates_are_not_stale():
    """Review A: the 2025 example dates of the plan d'action are replaced by relative ones."""
    text = (ROOT / "modules/c6-plan-action-synthese/index.md").read_text(encoding="utf-8")
    assert re.search(r"\b\d{2}/\d{2}/2025\b|\b2025\b", text) is None


def test_no_module_links_to_another_module_file():
    """The app serves a module at /s/<lt>/modules/<id>: a link to ../<folder>/index.md 404s."""
    link = re.compile(r"\]\(\.\./[^)]*\.md[^)]*\)")
    assert [p.name for p in CONTENT_FILES if link.search(p.read_text(encoding="utf-8"))] == []


def test_dialogue_lines_are_separate_paragraphs():
    """Review F: each « — » line of a quoted dialogue follows an empty « > » line."""
    bad = []
    for path in CONTENT_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[1:], start=2):
            previous = lines[number - 2]
            if line.startswith("> — ") and previous.startswith(">") and previous.strip() != ">":
                bad.append(f"{path.name}:{number}")
    assert bad == []


def test_no_broken_hyphenation():
    """Review F: « extra- professionnelles », « au- delà » split at the end of a line."""
    broken = re.compile(r"\b(extra|au|c'est-à|peut-être)-\n\s*\w")
    assert [p.name for p, t in _all_text().items() if broken.search(t)] == []
