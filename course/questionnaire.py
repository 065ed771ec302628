"""The certification item bank (``course/questionnaire/``) and its blueprint."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from course.errors import ContentError, ErrorList, plural, read_text
from course.frontmatter import (
    COMPETENCIES,
    Meta,
    Split,
    duplicates,
    load_yaml,
    peek_header,
    split,
)
from course.links import check_links
from course.questions import (
    Question,
    Segment,
    parse_segments,
    questions_of,
)

BLUEPRINT_KEYS = {
    "duration_minutes",
    "items_per_competency",
    "case_studies",
    "items_per_case",
    "pass_mark",
    "shuffle_propositions",
    "review_policy",
    "grace_seconds",
}
BLUEPRINT_REQUIRED = {"duration_minutes", "items_per_competency", "case_studies", "pass_mark"}
REVIEW_POLICIES = ("after_release", "immediately", "never")
ITEM_FILE_KEYS = {"id", "title", "competency", "review", "review_notes", "review_date"}
CASE_FILE_KEYS = {"id", "title", "competencies", "review", "review_notes", "review_date"}
EXAM_PROPOSITIONS = (3, 4)
CASE_ITEMS = (3, 5)


@dataclass(frozen=True)
class Blueprint:
    """What a paper contains and how it is marked."""

    duration_minutes: int
    items_per_competency: dict[str, int] = field(hash=False)
    case_studies: int
    items_per_case: int | None
    pass_mark: float
    shuffle_propositions: bool
    review_policy: str
    grace_seconds: int
    path: str

    @property
    def standalone_items(self) -> int:
        """How many standalone items a paper draws."""
        return sum(self.items_per_competency.values())


@dataclass(frozen=True)
class ExamCase:
    """An exam case study: a vignette followed by its 3 to 5 items."""

    id: str
    title: str
    competencies: tuple[str, ...]
    vignette: str
    items: tuple[Question, ...]
    path: str
    line: int = 1
    review: bool = False
    review_notes: str = ""
    review_date: str = ""


@dataclass(frozen=True)
class ItemBank:
    """Standalone items, exam case studies and the blueprint."""

    items: tuple[Question, ...]
    cases: tuple[ExamCase, ...]
    blueprint: Blueprint | None
    sources: tuple[str, ...] = ()

    @property
    def all_items(self) -> tuple[Question, ...]:
        """Standalone items then the items of every case, in file order."""
        return (*self.items, *(q for c in self.cases for q in c.items))

    def item(self, item_id: str) -> Question | None:
        """The item (standalone or in a case) with this id."""
        return next((q for q in self.all_items if q.id == item_id), None)

    def case(self, case_id: str) -> ExamCase | None:
        """The exam case with this id."""
        return next((c for c in self.cases if c.id == case_id), None)


def _check_exam_question(
    question: Question, errors: ErrorList, default_reported: bool = False
) -> bool:
    ok = True
    label = f"question « {question.id} »"
    if len(question.propositions) not in EXAM_PROPOSITIONS:
        errors.add(
            question.line,
            f"{label} : un item d'examen a 3 ou 4 propositions ({len(question.propositions)} ici)",
        )
        ok = False
    if question.competency is None:
        if not default_reported:
            errors.add(question.line, f"{label} : compétence manquante (competency=C1 à C7)")
        ok = False
    if question.difficulty is None:
        errors.add(question.line, f"{label} : difficulté manquante (difficulty=1, 2 ou 3)")
        ok = False
    if not question.source:
        errors.add(
            question.line,
            f'{label} : source manquante (source="R.6313-8 ; référentiel C1" : l\'article ou '
            "le critère du référentiel qui fonde la bonne réponse)",
        )
        ok = False
    return ok


def review_date(meta: Meta, review: bool) -> str:
    """The ``review_date`` of a header (``AAAA-MM-JJ``), required when ``review: true``."""
    value = meta.data.get("review_date")
    text = "" if value is None else str(value).strip()
    if review and not text:  # the format is checked by Meta.review()
        meta.errors.add(
            meta.line("review"), "review: true demande la date du point à vérifier (review_date)"
        )
    return text


def _with_default(segments: list[Segment], default: str | None) -> list[Question]:
    result = []
    for question in questions_of(segments):
        if question.competency is None and default:
            question = replace(question, competency=default)
        result.append(question)
    return result


def parse_item_text(text: str, path: Path | str) -> tuple[list[Question], list[ContentError]]:
    """Parse a file of standalone exam items; the items without errors are returned."""
    path = Path(path)
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(ITEM_FILE_KEYS, {"id", "title"})
    meta.ident()
    review_date(meta, meta.review()[0])
    default = meta.text("competency") or None
    bad_default = default is not None and default not in COMPETENCIES
    if bad_default:
        errors.add(meta.line("competency"), f"compétence inconnue « {default} » (C1 à C7)")
        default = None
    segments = parse_segments(parts.body, parts.body_line, errors)
    check_links(parts.body, parts.body_line, path.parent, errors)
    items = [
        q
        for q in _with_default(segments, default)
        if _check_exam_question(q, errors, default_reported=bad_default)
    ]
    return items, list(errors)


def parse_item_file(path: Path) -> tuple[list[Question], list[ContentError]]:
    """Parse a file of standalone exam items."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return [], list(errors)
    return parse_item_text(text, path)


def parse_exam_case_text(text: str, path: Path | str) -> tuple[ExamCase | None, list[ContentError]]:
    """Parse an exam case study (vignette + 3 to 5 items); never raises."""
    path = Path(path)
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(CASE_FILE_KEYS, {"id", "title", "competencies"})
    ident = meta.ident()
    title = meta.text("title")
    competencies = meta.competencies()
    review, notes = meta.review()
    when = review_date(meta, review)
    segments = parse_segments(parts.body, parts.body_line, errors)
    check_links(parts.body, parts.body_line, path.parent, errors)
    default = competencies[0] if len(competencies) == 1 else None
    items = [
        q
        for q in _with_default(segments, default)
        if _check_exam_question(q, errors, default_reported=not meta.ok)
    ]
    for question in items:
        if competencies and question.competency not in competencies:
            errors.add(
                question.line,
                f"question « {question.id} » : compétence {question.competency} absente de "
                "l'en-tête de l'étude de cas (competencies)",
            )
    vignette = "\n\n".join(s.markdown.strip() for s in segments if s.question is None).strip()
    if not vignette:
        errors.add(
            parts.body_line, "étude de cas d'examen sans vignette (la situation du bénéficiaire)"
        )
    count = len(questions_of(segments))
    if not CASE_ITEMS[0] <= count <= CASE_ITEMS[1]:
        errors.add(parts.body_line, f"une étude de cas d'examen a 3 à 5 items ({count} ici)")
    if errors or not ident:
        return None, list(errors)
    case = ExamCase(
        id=ident,
        title=title,
        competencies=competencies,
        vignette=vignette,
        items=tuple(items),
        path=str(path),
        line=meta.line("id"),
        review=review,
        review_notes=notes,
        review_date=when,
    )
    return case, []


def parse_case_file(path: Path) -> tuple[ExamCase | None, list[ContentError]]:
    """Parse an exam case study file."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return None, list(errors)
    return parse_exam_case_text(text, path)


def parse_blueprint_text(
    text: str, path: Path | str
) -> tuple[Blueprint | None, list[ContentError]]:
    """Parse the blueprint (``blueprint.yaml``); never raises."""
    errors = ErrorList(path)
    data, lines = load_yaml(text, 1, errors, "YAML")
    if errors:
        return None, list(errors)
    if not isinstance(data, dict):
        errors.add(1, "le plan doit être une liste de lignes « clé: valeur »")
        return None, list(errors)
    meta = Meta(Split(data, "", 1, lines), errors)
    meta.check_keys(BLUEPRINT_KEYS, BLUEPRINT_REQUIRED)
    per = data.get("items_per_competency")
    counts: dict[str, int] = {}
    if per is not None and not isinstance(per, dict):
        errors.add(
            meta.line("items_per_competency"),
            "items_per_competency associe chaque compétence à un nombre : {C1: 6, C2: 4}",
        )
    elif per:
        for comp, value in per.items():
            where = lines.get(f"items_per_competency.{comp}", meta.line("items_per_competency"))
            if comp not in COMPETENCIES:
                errors.add(where, f"compétence inconnue « {comp} » dans items_per_competency")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors.add(where, f"{comp} : nombre d'items invalide « {value} »")
            else:
                counts[comp] = value
    pass_mark = meta.number("pass_mark", 0.6)
    if "pass_mark" in data and not 0 < pass_mark <= 1:
        errors.add(
            meta.line("pass_mark"), "pass_mark est une part des points entre 0 et 1 (ex. 0.6)"
        )
    policy = meta.text("review_policy", "after_release")
    if policy not in REVIEW_POLICIES:
        errors.add(
            meta.line("review_policy"),
            f"review_policy « {policy} » inconnue ({', '.join(REVIEW_POLICIES)})",
        )
    blueprint = Blueprint(
        duration_minutes=meta.integer("duration_minutes", 60, minimum=1),
        items_per_competency=counts,
        case_studies=meta.integer("case_studies", 4, minimum=0),
        items_per_case=(
            meta.integer("items_per_case", CASE_ITEMS[0], minimum=1)
            if "items_per_case" in data
            else None
        ),
        pass_mark=pass_mark,
        shuffle_propositions=meta.flag("shuffle_propositions", True),
        review_policy=policy,
        grace_seconds=meta.integer("grace_seconds", 60, minimum=0),
        path=str(path),
    )
    if not errors and blueprint.standalone_items + blueprint.case_studies == 0:
        errors.add(meta.line("items_per_competency"), "le plan ne tire aucun item")
    return (None if errors else blueprint), list(errors)


def parse_blueprint(path: Path) -> tuple[Blueprint | None, list[ContentError]]:
    """Parse ``blueprint.yaml``."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return None, list(errors)
    return parse_blueprint_text(text, path)


def _fill_errors(
    blueprint: Blueprint, items: list[Question], cases: list[ExamCase], path: Path
) -> list[ContentError]:
    """Errors for a blueprint that the bank cannot fill."""
    errors = ErrorList(path)
    text = read_text(path, errors) or ""
    _, lines = load_yaml(text, 1, ErrorList(path), "YAML")
    for comp, wanted in sorted(blueprint.items_per_competency.items()):
        available = sum(1 for q in items if q.competency == comp)
        if available < wanted:
            errors.add(
                lines.get(f"items_per_competency.{comp}", lines.get("items_per_competency", 1)),
                f"le plan demande {plural(wanted, 'item', 'items')} {comp}, la banque n'en a "
                f"que {available} (items isolés sans erreur)",
            )
    per_case = blueprint.items_per_case
    eligible = [c for c in cases if per_case is None or len(c.items) >= per_case]
    if len(eligible) < blueprint.case_studies:
        if per_case is None:
            errors.add(
                lines.get("case_studies", 1),
                f"le plan demande "
                f"{plural(blueprint.case_studies, 'étude de cas', 'études de cas')}, la banque "
                f"n'en a que {len(cases)} (sans erreur)",
            )
        else:
            errors.add(
                lines.get("items_per_case", lines.get("case_studies", 1)),
                f"le plan demande "
                f"{plural(blueprint.case_studies, 'étude de cas', 'études de cas')} de "
                f"{plural(per_case, 'item', 'items')} au moins, la banque n'en a que "
                f"{len(eligible)} (sans erreur)",
            )
    return list(errors)


def load_bank(root: Path) -> tuple[ItemBank | None, list[ContentError]]:
    """Load ``root`` (``course/questionnaire``): items, cases and blueprint, all checked."""
    if not root.is_dir():
        return None, []
    errors: list[ContentError] = []
    items: list[Question] = []
    cases: list[ExamCase] = []
    sources: list[str] = []
    item_files = sorted((root / "items").glob("*.md"))
    case_files = sorted((root / "cases").glob("*.md"))
    for path in item_files:
        found, problems = parse_item_file(path)
        items += found
        errors += problems
    for path in case_files:
        case, problems = parse_case_file(path)
        errors += problems
        if case is not None:
            cases.append(case)
    for path in [*item_files, *case_files]:
        sources.append(read_text(path, ErrorList(path)) or "")
    errors += duplicates([peek_header(p) for p in item_files], "le fichier d'items")
    errors += duplicates([peek_header(p) for p in case_files], "l'étude de cas d'examen")
    blueprint_path = root / "blueprint.yaml"
    blueprint = None
    if blueprint_path.exists():
        sources.append(read_text(blueprint_path, ErrorList(blueprint_path)) or "")
        blueprint, problems = parse_blueprint(blueprint_path)
        errors += problems
    elif item_files or case_files:
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
                    f"question « {question.id} » : identifiant déjà utilisé dans la banque "
                    f"({first.path}:{first.line})",
                )
            )
        seen.setdefault(question.id, question)
    if blueprint is not None:
        errors += _fill_errors(blueprint, items, cases, blueprint_path)
    return ItemBank(tuple(items), tuple(cases), blueprint, tuple(sources)), errors


__all__ = [
    "Blueprint",
    "ExamCase",
    "ItemBank",
    "load_bank",
    "parse_blueprint",
    "parse_blueprint_text",
    "parse_case_file",
    "parse_exam_case_text",
    "parse_item_file",
    "parse_item_text",
]
