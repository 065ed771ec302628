"""Load the whole course, collecting every error of every file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from course.case_studies import CaseStudy, parse_case_study
from course.dossier import DossierGuide, load_dossier
from course.errors import ContentError
from course.modules import Module, parse_module
from course.questionnaire import ItemBank, load_bank


@dataclass(frozen=True)
class Course:
    """Everything under ``course/``."""

    modules: tuple[Module, ...] = ()
    case_studies: tuple[CaseStudy, ...] = ()
    bank: ItemBank | None = None
    dossier: DossierGuide | None = None
    version: str = ""

    def module(self, module_id: str) -> Module | None:
        """The module with this id."""
        return next((m for m in self.modules if m.id == module_id), None)

    def case_study(self, case_id: str) -> CaseStudy | None:
        """The case study with this id."""
        return next((c for c in self.case_studies if c.id == case_id), None)


@dataclass(frozen=True)
class LoadResult:
    """The course and the errors found while loading it."""

    course: Course
    errors: list[ContentError] = field(default_factory=list)


def _version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.md")) + sorted(root.rglob("*.yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_course(root: Path) -> LoadResult:
    """Load and validate ``root``; the errors come sorted by file and line."""
    errors: list[ContentError] = []
    modules: list[Module] = []
    for index in sorted((root / "modules").glob("*/index.md")):
        module, problems = parse_module(index)
        errors += problems
        if module is not None:
            modules.append(module)
    for folder in sorted((root / "modules").glob("*/")):
        if folder.is_dir() and not (folder / "index.md").exists():
            errors.append(ContentError(str(folder), 1, "dossier de module sans index.md"))
    seen: dict[str, str] = {}
    for module in modules:
        if module.id in seen:
            errors.append(
                ContentError(
                    module.path,
                    1,
                    f"identifiant de module « {module.id} » déjà utilisé ({seen[module.id]})",
                )
            )
        seen.setdefault(module.id, module.path)
    cases: list[CaseStudy] = []
    case_files = sorted((root / "case_studies").glob("*.md")) + sorted(
        (root / "case_studies").glob("*/index.md")
    )
    for path in case_files:
        if path.name == "README.md":
            continue
        case, problems = parse_case_study(path)
        errors += problems
        if case is not None:
            cases.append(case)
    case_ids: dict[str, str] = {}
    for case in cases:
        if case.id in case_ids:
            errors.append(
                ContentError(
                    case.path,
                    1,
                    f"identifiant d'étude de cas « {case.id} » déjà utilisé ({case_ids[case.id]})",
                )
            )
        case_ids.setdefault(case.id, case.path)
    bank, problems = load_bank(root / "questionnaire")
    errors += problems
    dossier, problems = load_dossier(root / "dossier")
    errors += problems
    course = Course(
        modules=tuple(sorted(modules, key=lambda m: (m.order, m.id))),
        case_studies=tuple(cases),
        bank=bank,
        dossier=dossier,
        version=_version(root) if root.is_dir() else "",
    )
    return LoadResult(course, sorted(errors))
