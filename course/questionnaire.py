"""The certification item bank (``course/questionnaire/``) and its blueprint."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from course.angoff import AngoffRatings, angoff_warnings, parse_angoff
from course.blueprint import CaseShape, compositions, strata_for
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
    "case_items_per_competency",
    "decisive_competencies",
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
    #: Items the drawn case studies give, per competency (the strata): every paper the same.
    case_items_per_competency: dict[str, int] | None = field(default=None, hash=False)
    #: ``items_per_case: [3, 5]``: each drawn case gives between these many items.
    items_per_case_range: tuple[int, int] | None = None
    #: Competencies épreuve 1 decides: each has its own minimum (Angoff) to pass.
    decisive_competencies: tuple[str, ...] = ()

    @property
    def standalone_items(self) -> int:
        """How many standalone items a paper draws."""
        return sum(self.items_per_competency.values())

    @property
    def case_sizes(self) -> tuple[int, ...] | None:
        """How many items a drawn case may give (``None``: all of its items)."""
        if self.items_per_case_range is not None:
            low, high = self.items_per_case_range
            return tuple(range(low, high + 1))
        return None if self.items_per_case is None else (self.items_per_case,)

    @property
    def per_competency(self) -> dict[str, int] | None:
        """Items per competency on every paper, standalone and case items together (None when
        the case part varies: no strata)."""
        if self.case_items_per_competency is None and self.case_studies:
            return None
        strata = self.case_items_per_competency or {}
        total = {c: self.items_per_competency.get(c, 0) + strata.get(c, 0) for c in COMPETENCIES}
        return {c: n for c, n in total.items() if n}


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
    #: Blueprint and Angoff warnings: the check prints them and still succeeds.
    warnings: tuple[ContentError, ...] = ()
    #: The modified Angoff ratings (``angoff.yaml``), when there are some.
    angoff: AngoffRatings | None = None

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
    strata = _strata(data, lines, meta, errors)
    sizes = _case_range(data, meta, errors)
    decisive = meta.competencies("decisive_competencies") if "decisive_competencies" in data else ()
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
            if "items_per_case" in data and not isinstance(data["items_per_case"], list)
            else None
        ),
        pass_mark=pass_mark,
        shuffle_propositions=meta.flag("shuffle_propositions", True),
        review_policy=policy,
        grace_seconds=meta.integer("grace_seconds", 60, minimum=0),
        path=str(path),
        case_items_per_competency=strata,
        items_per_case_range=sizes,
        decisive_competencies=decisive,
    )
    if not errors and blueprint.standalone_items + blueprint.case_studies == 0:
        errors.add(meta.line("items_per_competency"), "le plan ne tire aucun item")
    return (None if errors else blueprint), list(errors)


def _strata(
    data: dict[str, object], lines: dict[str, int], meta: Meta, errors: ErrorList
) -> dict[str, int] | None:
    """``case_items_per_competency``: the items the drawn cases give, per competency."""
    if "case_items_per_competency" not in data:
        return None
    per = data["case_items_per_competency"]
    where = meta.line("case_items_per_competency")
    if not isinstance(per, dict) or not per:
        errors.add(
            where,
            "case_items_per_competency associe chaque compétence au nombre d'items que les "
            "études de cas tirées donnent à chaque copie : {C1: 6, C2: 1}",
        )
        return None
    counts: dict[str, int] = {}
    for comp, value in per.items():
        line = lines.get(f"case_items_per_competency.{comp}", where)
        if comp not in COMPETENCIES:
            errors.add(line, f"compétence inconnue « {comp} » dans case_items_per_competency")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.add(line, f"{comp} : nombre d'items invalide « {value} »")
        else:
            counts[comp] = value
    return counts


def _case_range(data: dict[str, object], meta: Meta, errors: ErrorList) -> tuple[int, int] | None:
    """``items_per_case: [3, 5]``: between 3 and 5 items from each drawn case."""
    value = data.get("items_per_case")
    if not isinstance(value, list):
        return None
    ok = (
        len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and CASE_ITEMS[0] <= value[0] <= value[1] <= CASE_ITEMS[1]
    )
    if not ok:
        errors.add(
            meta.line("items_per_case"),
            f"items_per_case est un nombre (4) ou un intervalle [min, max] entre {CASE_ITEMS[0]} "
            f"et {CASE_ITEMS[1]} (ex. [3, 5]) ; « {value} » ne convient pas",
        )
        return None
    return value[0], value[1]


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
    """Errors for a blueprint that the bank cannot fill, for every paper."""
    return _blueprint_check(blueprint, items, cases, path)[0]


def _shapes(cases: list[ExamCase]) -> tuple[CaseShape, ...]:
    return tuple(
        CaseShape(c.id, tuple(q.competency or "" for q in c.items))
        for c in sorted(cases, key=lambda c: c.id)
    )


def _vector_text(counts: dict[str, int] | tuple[tuple[str, int], ...]) -> str:
    pairs = sorted(dict(counts).items())
    return "{" + ", ".join(f"{c}: {n}" for c, n in pairs if n) + "}"


def _blueprint_check(
    blueprint: Blueprint, items: list[Question], cases: list[ExamCase], path: Path
) -> tuple[list[ContentError], list[ContentError]]:
    """(errors, warnings) of a blueprint against the bank.

    Errors: some paper could not be drawn, or two papers could differ in their number of items
    per competency. Warnings: a competency whose pool is smaller than twice what a paper draws
    (the same items come back from paper to paper), a case or an item no paper can take.
    """
    errors = ErrorList(path)
    warnings = ErrorList(path)
    text = read_text(path, errors) or ""
    _, lines = load_yaml(text, 1, ErrorList(path), "YAML")
    for comp, wanted in sorted(blueprint.items_per_competency.items()):
        available = sum(1 for q in items if q.competency == comp)
        where = lines.get(f"items_per_competency.{comp}", lines.get("items_per_competency", 1))
        if available < wanted:
            errors.add(
                where,
                f"le plan demande {plural(wanted, 'item', 'items')} {comp}, la banque n'en a "
                f"que {available} (items isolés sans erreur)",
            )
        elif wanted and available < 2 * wanted:
            warnings.add(
                where,
                f"exposition : {plural(available, 'item isolé', 'items isolés')} {comp} pour "
                f"{wanted} tirés par copie (moins du double) : les mêmes items reviennent d'une "
                "copie à l'autre",
            )
    sizes = blueprint.case_sizes
    shapes = _shapes(cases)
    low = min(sizes) if sizes else 0
    eligible = [c for c in cases if len(c.items) >= low]
    strata = blueprint.case_items_per_competency
    if len(eligible) < blueprint.case_studies:
        if sizes is None:
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
                f"{plural(low, 'item', 'items')} au moins, la banque n'en a que "
                f"{len(eligible)} (sans erreur)",
            )
        return list(errors), list(warnings)
    if not blueprint.case_studies:
        return list(errors), list(warnings)
    if strata is None:
        possible = compositions(shapes, blueprint.case_studies, sizes)
        if len(possible) > 1:
            errors.add(
                lines.get("items_per_case", lines.get("case_studies", 1)),
                f"copies non équivalentes : selon les études de cas tirées, les items de cas "
                f"se répartissent de {len(possible)} façons entre les compétences (par exemple "
                f"{' ou '.join(_vector_text(v) for v in sorted(possible)[:2])}) ; fixez "
                "case_items_per_competency pour que chaque copie ait le même nombre d'items par "
                "compétence",
            )
        return list(errors), list(warnings)
    where = lines.get("case_items_per_competency", 1)
    total = sum(strata.values())
    if sizes is None or not low * blueprint.case_studies <= total <= max(sizes) * (
        blueprint.case_studies
    ):
        span = "tous leurs items" if sizes is None else f"{low} à {max(sizes)} items chacune"
        errors.add(
            where,
            f"case_items_per_competency demande {plural(total, 'item', 'items')} de cas par "
            f"copie, impossible avec {blueprint.case_studies} études de cas de {span} : "
            "indiquez items_per_case (un nombre ou [min, max]) et faites concorder les totaux",
        )
        return list(errors), list(warnings)
    found = strata_for(shapes, blueprint.case_studies, sizes, tuple(sorted(strata.items())))
    if not found.sets:
        nearest = sorted(
            compositions(shapes, blueprint.case_studies, sizes),
            key=lambda v: (
                sum(abs(dict(v).get(c, 0) - strata.get(c, 0)) for c in COMPETENCIES),
                v,
            ),
        )
        shown = " ou ".join(_vector_text(v) for v in nearest[:3])
        hint = f" ; répartitions possibles les plus proches : {shown}" if nearest else ""
        errors.add(
            where,
            f"aucune copie ne peut respecter case_items_per_competency {_vector_text(strata)} : "
            f"aucun jeu de {blueprint.case_studies} études de cas de la banque ne donne ces "
            f"nombres d'items par compétence{hint}",
        )
        return list(errors), list(warnings)
    for comp, wanted in sorted(strata.items()):
        available = sum(1 for c in cases for q in c.items if q.competency == comp)
        if wanted and available < 2 * wanted:
            warnings.add(
                lines.get(f"case_items_per_competency.{comp}", where),
                f"exposition : {plural(available, 'item', 'items')} {comp} dans les études de "
                f"cas pour {wanted} par copie (moins du double)",
            )
    by_id = {c.id: c for c in cases}
    for case_id, index in found.never_drawn():
        case = by_id[case_id]
        if index is None:
            warnings.add(
                where,
                f"l'étude de cas « {case_id} » n'est tirée dans aucune copie : ses compétences "
                "ne s'accordent pas avec case_items_per_competency",
            )
        else:
            warnings.add(
                where,
                f"l'item « {case.items[index].id} » ({case_id}) n'est gardé dans aucune copie",
            )
    shares = found.case_share()
    for case_id, share in sorted(shares.items()):
        if share > 0.999 and len(cases) > blueprint.case_studies:
            warnings.add(
                where,
                f"l'étude de cas « {case_id} » est dans toutes les copies : tout candidat "
                "prévenu la connaît d'avance",
            )
    return list(errors), list(warnings)


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
    warnings: list[ContentError] = []
    if blueprint is not None:
        problems, warnings = _blueprint_check(blueprint, items, cases, blueprint_path)
        errors += problems
    angoff = None
    angoff_path = root / "angoff.yaml"
    if angoff_path.exists():
        sources.append(read_text(angoff_path, ErrorList(angoff_path)) or "")
        angoff, problems = parse_angoff(angoff_path)
        errors += problems
        if angoff is not None:
            ids = [q.id for q in [*items, *(q for c in cases for q in c.items)]]
            warnings += angoff_warnings(angoff, ids)
    bank = ItemBank(tuple(items), tuple(cases), blueprint, tuple(sources), tuple(warnings), angoff)
    return bank, errors


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
