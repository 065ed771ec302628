"""The checker of ``python -m course check``, run on a draft written in the tool.

A draft is written, with its images, into a temporary folder laid out like ``course/`` and read
by the very functions the command uses (``parse_module``, ``parse_case_study`` and
``check_scoring``): the messages are the command's, only the path is shown as the draft's name.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from course.case_studies import CaseStudy, check_scoring, parse_case_study
from course.errors import ContentError
from course.frontmatter import ID_PATTERN
from course.modules import Module, parse_module
from lti_tool.models.authoring import KIND_CASE, KIND_MODULE

#: How a draft is named in messages and in exported files.
FILE_NAMES = {KIND_CASE: "etude-de-cas.md", KIND_MODULE: "index.md"}
ID_LINE = re.compile(r"^id:\s*(?P<id>\S*)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One error of a draft: its line and the checker's message."""

    line: int
    message: str


@dataclass(frozen=True)
class Checked:
    """A draft read by the checker: the content when it is valid, and every problem found."""

    content: CaseStudy | Module | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the draft can be published."""
        return self.content is not None and not self.problems


def front_matter_id(text: str) -> str:
    """The ``id:`` of a draft's front matter ('' when absent)."""
    match = ID_LINE.search(text.split("\n---", 1)[0] if text.startswith("---") else "")
    return match.group("id").strip("'\"") if match else ""


def id_line(text: str) -> int:
    """The line of ``id:`` in the front matter (1 when absent)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("id:"):
            return number
    return 1


def write_tree(
    root: Path, kind: str, slug: str, text: str, images: Iterable[tuple[str, bytes]]
) -> Path:
    """Write a content as ``course/`` lays it out; return the Markdown file's path."""
    if kind == KIND_MODULE:
        folder = root / "modules" / slug
        path = folder / "index.md"
    else:
        folder = root / "case_studies" / slug
        path = folder / "index.md"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    for name, data in images:
        (folder / "images" / name).write_bytes(data)
    return path


def _problems(errors: Iterable[ContentError]) -> tuple[Problem, ...]:
    return tuple(
        sorted({Problem(e.line, e.message) for e in errors}, key=lambda p: (p.line, p.message))
    )


def check(
    kind: str,
    text: str,
    images: Iterable[tuple[str, bytes]] = (),
    taken_ids: frozenset[str] = frozenset(),
) -> Checked:
    """Check a draft as the command would; ``taken_ids`` are ids used by other contents."""
    slug = front_matter_id(text)
    folder_name = slug if slug and ID_PATTERN.match(slug) else "brouillon"
    with tempfile.TemporaryDirectory(prefix="bilan-draft-") as tmp:
        path = write_tree(Path(tmp), kind, folder_name, text, images)
        content: CaseStudy | Module | None
        if kind == KIND_MODULE:
            content, errors = parse_module(path)
        else:
            content, errors = parse_case_study(path)
            if content is not None:
                errors = [*errors, *check_scoring(content)]
    problems = list(_problems(errors))
    if content is not None and content.id in taken_ids:
        label = "module" if kind == KIND_MODULE else "étude de cas"
        problems.insert(
            0,
            Problem(
                id_line(text),
                f"identifiant « {content.id} » déjà pris par un(e) autre {label} : choisissez-en un autre",
            ),
        )
    return Checked(content if not problems else None, tuple(problems))


@lru_cache(maxsize=256)
def parsed(
    kind: str, text: str, images: tuple[tuple[str, bytes], ...] = ()
) -> CaseStudy | Module | None:
    """A published version, parsed once per process (versions never change)."""
    return check(kind, text, images).content
