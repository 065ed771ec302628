"""The certification item bank (``course/questionnaire/``) and its blueprint."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from course.errors import ContentError, ErrorList
from course.frontmatter import COMPETENCIES, Meta, split
from course.questions import Question, Segment, parse_segments, questions_of

BLUEPRINT_KEYS = {
    "duration_minutes",
    "items_per_competency",
    "case_studies",
    "pass_mark",
    "shuffle_propositions",
    "review_policy",
    "grace_seconds",
}
REVIEW_POLICIES = ("after_release", "immediately", "never")


@dataclass(frozen=True)
class Blueprint:
    """What a paper contains and how it is marked."""

    duration_minutes: int
    items_per_competency: dict[str, int]
    case_studies: int
    pass_mark: float
    shuffle_propositions: bool
    review_policy: str
    grace_seconds: int
    path: str


@dataclass(frozen=True)
class ExamCase:
    """An exam case study: a vignette followed by its items."""

    id: str
    title: str
    competencies: tuple[str, ...]
    vignette: str
    items: tuple[Question, ...]
    path: str


@dataclass(frozen=True)
class ItemBank:
    """Standalone items, case studies and the blueprint."""

    items: tuple[Question, ...]
    cases: tuple[ExamCase, ...]
    blueprint: Blueprint | None
    sources: tuple[str, ...]


def _check_exam_question(question: Question, errors: ErrorList) -> bool:
    ok = True
    if not 3 <= len(question.propositions) <= 4:
        errors.add(
            question.line,
            f"question « {question.id} » : un item d'examen a 3 ou 4 propositions ({len(question.propositions)} ici)",
        )
        ok = False
    if question.competency is None:
        errors.add(
            question.line, f"question « {question.id} » : compétence manquante (competency=C1 à C7)"
        )
        ok = False
    if question.difficulty is None:
        errors.add(
            question.line,
            f"question « {question.id} » : difficulté manquante (difficulty=1, 2 ou 3)",
        )
        ok = False
    return ok


def _with_default(segments: list[Segment], default: str | None) -> list[Question]:
    result = []
    for question in questions_of(segments):
        if question.competency is None and default:
            question = replace(question, competency=default)
        result.append(question)
    return result


def parse_item_file(path: Path) -> tuple[list[Question], list[ContentError]]:
    """Parse a file of standalone items."""
    errors = ErrorList(path)
    parts = split(path.read_text(encoding="utf-8"), errors)
    meta = Meta(parts, errors)
    meta.check_keys({"id", "title", "competency"}, {"id"})
    meta.ident()
    default = meta.text("competency") or None
    if default and default not in COMPETENCIES:
        errors.add(meta.line("competency"), f"compétence inconnue « {default} » (C1 à C7)")
        default = None
    segments = parse_segments(parts.body, parts.body_line, errors)
    items = [q for q in _with_default(segments, default) if _check_exam_question(q, errors)]
    return items, list(errors)


def parse_case_file(path: Path) -> tuple[ExamCase | None, list[ContentError]]:
    """Parse an exam case study (vignette + 3 to 5 items)."""
    errors = ErrorList(path)
    parts = split(path.read_text(encoding="utf-8"), errors)
    meta = Meta(parts, errors)
    meta.check_keys({"id", "title", "competencies"}, {"id", "title"})
    ident = meta.ident()
    competencies = meta.competencies()
    segments = parse_segments(parts.body, parts.body_line, errors)
    items = [
        q
        for q in _with_default(segments, competencies[0] if len(competencies) == 1 else None)
        if _check_exam_question(q, errors)
    ]
    vignette = "\n\n".join(s.markdown for s in segments if s.question is None).strip()
    if not vignette:
        errors.add(
            parts.body_line, "étude de cas d'examen sans vignette (la situation du bénéficiaire)"
        )
    if not 3 <= len(questions_of(segments)) <= 5:
        errors.add(
            parts.body_line,
            f"une étude de cas d'examen a 3 à 5 items ({len(questions_of(segments))} ici)",
        )
    if errors or not ident:
        return None, list(errors)
    return ExamCase(ident, meta.text("title"), competencies, vignette, tuple(items), str(path)), []


def parse_blueprint(path: Path) -> tuple[Blueprint | None, list[ContentError]]:
    """Parse ``blueprint.yaml``."""
    errors = ErrorList(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        errors.add(
            int(mark.line) + 1 if mark is not None else 1,
            f"YAML invalide : {getattr(error, 'problem', error)}",
        )
        return None, list(errors)
    if not isinstance(data, dict):
        errors.add(1, "le plan doit être une liste de clés « clé: valeur »")
        return None, list(errors)
    lines: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        key = line.split(":", 1)[0].strip()
        if key and not line.startswith((" ", "#")):
            lines.setdefault(key, number)
    fake = split("---\n---\n", ErrorList(path))
    meta = Meta(fake, errors)
    meta.data, meta.lines = data, lines
    meta.check_keys(
        BLUEPRINT_KEYS, {"duration_minutes", "items_per_competency", "case_studies", "pass_mark"}
    )
    per = data.get("items_per_competency") or {}
    counts: dict[str, int] = {}
    if not isinstance(per, dict):
        errors.add(
            meta.line("items_per_competency"),
            "items_per_competency doit associer C1..C7 à un nombre",
        )
    else:
        for comp, value in per.items():
            if comp not in COMPETENCIES:
                errors.add(
                    meta.line("items_per_competency"),
                    f"compétence inconnue « {comp} » dans items_per_competency",
                )
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors.add(
                    meta.line("items_per_competency"),
                    f"{comp} : nombre d'items invalide « {value} »",
                )
            else:
                counts[comp] = value
    pass_mark = meta.number("pass_mark", 0.6)
    if not 0 < pass_mark <= 1:
        errors.add(
            meta.line("pass_mark"), "pass_mark est une part des points entre 0 et 1 (ex. 0.6)"
        )
    policy = meta.text("review_policy", "after_release")
    if policy not in REVIEW_POLICIES:
        errors.add(
            meta.line("review_policy"),
            f"review_policy « {policy} » inconnue ({', '.join(REVIEW_POLICIES)})",
        )
    shuffle = data.get("shuffle_propositions", True)
    if not isinstance(shuffle, bool):
        errors.add(
            meta.line("shuffle_propositions"), "shuffle_propositions doit valoir true ou false"
        )
    blueprint = Blueprint(
        duration_minutes=meta.integer("duration_minutes", 60, minimum=1),
        items_per_competency=counts,
        case_studies=meta.integer("case_studies", 4, minimum=0),
        pass_mark=pass_mark,
        shuffle_propositions=bool(shuffle),
        review_policy=policy,
        grace_seconds=meta.integer("grace_seconds", 60, minimum=0),
        path=str(path),
    )
    return (None if errors else blueprint), list(errors)


def load_bank(root: Path) -> tuple[ItemBank | None, list[ContentError]]:
    """Load ``root`` (``course/questionnaire``): items, cases and blueprint, all checked."""
    errors: list[ContentError] = []
    if not root.is_dir():
        return None, []
    items: list[Question] = []
    cases: list[ExamCase] = []
    sources: list[str] = []
    for path in sorted((root / "items").glob("*.md")):
        sources.append(path.read_text(encoding="utf-8"))
        found, problems = parse_item_file(path)
        items += found
        errors += problems
    for path in sorted((root / "cases").glob("*.md")):
        sources.append(path.read_text(encoding="utf-8"))
        case, problems = parse_case_file(path)
        errors += problems
        if case is not None:
            cases.append(case)
    blueprint_path = root / "blueprint.yaml"
    blueprint = None
    if blueprint_path.exists():
        sources.append(blueprint_path.read_text(encoding="utf-8"))
        blueprint, problems = parse_blueprint(blueprint_path)
        errors += problems
    elif items or cases:
        errors.append(
            ContentError(str(blueprint_path), 1, "plan de l'épreuve (blueprint.yaml) manquant")
        )
    seen: dict[str, Question] = {}
    for question in [*items, *(q for c in cases for q in c.items)]:
        if question.id in seen:
            first = seen[question.id]
            errors.append(
                ContentError(
                    question.path,
                    question.line,
                    f"identifiant « {question.id} » déjà utilisé ({first.path}:{first.line})",
                )
            )
        seen.setdefault(question.id, question)
    case_ids: set[str] = set()
    for case in cases:
        if case.id in case_ids:
            errors.append(ContentError(case.path, 1, f"étude de cas « {case.id} » en double"))
        case_ids.add(case.id)
    if blueprint is not None:
        for comp, wanted in sorted(blueprint.items_per_competency.items()):
            available = sum(1 for q in items if q.competency == comp)
            if available < wanted:
                errors.append(
                    ContentError(
                        blueprint.path,
                        1,
                        f"le plan demande {wanted} items {comp}, la banque n'en a que {available}",
                    )
                )
        if len(cases) < blueprint.case_studies:
            errors.append(
                ContentError(
                    blueprint.path,
                    1,
                    f"le plan demande {blueprint.case_studies} études de cas, la banque n'en a que {len(cases)}",
                )
            )
    return ItemBank(tuple(items), tuple(cases), blueprint, tuple(sources)), errors
