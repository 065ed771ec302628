"""Load the whole course, collecting every error of every file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from course.case_studies import CaseStudy, check_scoring, parse_case_study
from course.dossier import DossierGuide, load_dossier
from course.errors import ContentError
from course.frontmatter import duplicates, peek_header
from course.modules import Module, parse_module
from course.questionnaire import ItemBank, load_bank
from course.questions import Question

SKIPPED = ("README.md",)


@dataclass(frozen=True)
class Course:
    """Everything under ``course/`` that loaded without error."""

    modules: tuple[Module, ...] = ()
    case_studies: tuple[CaseStudy, ...] = ()
    bank: ItemBank | None = None
    dossier: DossierGuide | None = None
    #: Hash of every Markdown and YAML file: an exam paper records the version it came from.
    version: str = ""

    def module(self, module_id: str) -> Module | None:
        """The module with this id."""
        return next((m for m in self.modules if m.id == module_id), None)

    def case_study(self, case_id: str) -> CaseStudy | None:
        """The case study with this id."""
        return next((c for c in self.case_studies if c.id == case_id), None)

    def modules_for(self, competency: str) -> tuple[Module, ...]:
        """The modules that train a competency, in order."""
        return tuple(m for m in self.modules if competency in m.competencies)

    @property
    def exam_items(self) -> tuple[Question, ...]:
        """Every exam item, standalone or in an exam case."""
        return self.bank.all_items if self.bank else ()


@dataclass(frozen=True)
class LoadResult:
    """The course and the errors found while loading it, sorted by file and line."""

    course: Course
    errors: list[ContentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors


def content_version(root: Path) -> str:
    """A short hash of every Markdown and YAML file under ``root`` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.md"), *root.rglob("*.yaml")]):
        digest.update(str(path.relative_to(root)).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:16]


def _load_modules(root: Path, errors: list[ContentError]) -> list[Module]:
    folder = root / "modules"
    modules: list[Module] = []
    indexes = sorted(folder.glob("*/index.md"))
    for index in indexes:
        module, problems = parse_module(index)
        errors += problems
        if module is not None:
            modules.append(module)
    for sub in sorted(p for p in folder.glob("*") if p.is_dir()):
        if not (sub / "index.md").exists():
            errors.append(ContentError(str(sub), 1, "dossier de module sans index.md"))
    errors += duplicates([peek_header(p) for p in indexes], "le module")
    return modules


def _load_case_studies(root: Path, errors: list[ContentError]) -> list[CaseStudy]:
    folder = root / "case_studies"
    files = [p for p in sorted(folder.glob("*.md")) if p.name not in SKIPPED]
    files += sorted(folder.glob("*/index.md"))
    for sub in sorted(p for p in folder.glob("*") if p.is_dir()):
        if not (sub / "index.md").exists():
            errors.append(ContentError(str(sub), 1, "dossier d'étude de cas sans index.md"))
    cases: list[CaseStudy] = []
    for path in files:
        case, problems = parse_case_study(path)
        errors += problems
        if case is not None:
            errors += check_scoring(case)
            cases.append(case)
    # Case studies have no order: only their ids must be unique.
    headers = [replace(peek_header(p), order=None) for p in files]
    errors += duplicates(headers, "l'étude de cas")
    return cases


def load_course(root: Path) -> LoadResult:
    """Load and validate everything under ``root``; never raises on malformed content."""
    root = Path(root)
    if not root.is_dir():
        return LoadResult(Course(), [ContentError(str(root), 1, "dossier du cours introuvable")])
    errors: list[ContentError] = []
    modules = _load_modules(root, errors)
    cases = _load_case_studies(root, errors)
    bank, problems = load_bank(root / "questionnaire")
    errors += problems
    dossier, problems = load_dossier(root / "dossier")
    errors += problems
    course = Course(
        modules=tuple(sorted(modules, key=lambda m: (m.order, m.id))),
        case_studies=tuple(cases),
        bank=bank,
        dossier=dossier,
        version=content_version(root),
    )
    return LoadResult(course, sorted(set(errors)))
