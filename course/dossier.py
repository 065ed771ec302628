"""The cahier des charges of the dossier professionnel (épreuve 2), one file per item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.errors import ContentError, ErrorList, read_text
from course.frontmatter import Meta, duplicates, peek_header, split
from course.links import check_links

CHECKS = (
    "section_present",
    "word_count",
    "session_hours",
    "phases",
    "dated_actions",
    "follow_up",
    "tool_justification",
    "anonymisation",
    "health_terms",
    "consent",
)
ITEM_KEYS = {"id", "title", "order", "competencies", "headings", "checks", "min_words"}
INDEX_KEYS = {"id", "title", "review", "review_notes"}
SKIPPED = ("index.md", "README.md")


@dataclass(frozen=True)
class DossierItem:
    """An item of the cahier des charges and the automatic checks attached to it."""

    id: str
    title: str
    order: int
    competencies: tuple[str, ...]
    headings: tuple[str, ...]
    checks: tuple[str, ...]
    min_words: int | None
    description: str
    path: str
    line: int = 1


@dataclass(frozen=True)
class DossierGuide:
    """The cahier des charges: its introduction (``index.md``) and its items in order."""

    title: str
    introduction: str
    items: tuple[DossierItem, ...]

    def item(self, item_id: str) -> DossierItem | None:
        """The item with this id."""
        return next((i for i in self.items if i.id == item_id), None)


def parse_dossier_item_text(
    text: str, path: Path | str
) -> tuple[DossierItem | None, list[ContentError]]:
    """Parse one item of the cahier des charges from its text; never raises."""
    path = Path(path)
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(ITEM_KEYS, {"id", "title", "order", "checks"})
    ident = meta.ident()
    title = meta.text("title")
    checks = meta.text_list("checks")
    for check in checks:
        if check not in CHECKS:
            errors.add(
                meta.line("checks"),
                f"vérification inconnue « {check} » (possibles : {', '.join(CHECKS)})",
            )
    if len(set(checks)) != len(checks):
        errors.add(meta.line("checks"), "une vérification est répétée dans « checks »")
    headings = tuple(h for h in meta.text_list("headings") if h) or ((title,) if title else ())
    min_words: int | None = None
    if "min_words" in meta.data:
        min_words = meta.integer("min_words", 0, minimum=1)
        if "checks" in meta.data and "word_count" not in checks:
            errors.add(
                meta.line("min_words"), "min_words ne sert qu'avec la vérification word_count"
            )
    item = DossierItem(
        id=ident,
        title=title,
        order=meta.integer("order", 0, minimum=0),
        competencies=meta.competencies(),
        headings=headings,
        checks=checks,
        min_words=min_words,
        description=parts.body.strip(),
        path=str(path),
        line=meta.line("id"),
    )
    check_links(parts.body, parts.body_line, path.parent, errors)
    return (None if errors or not ident else item), list(errors)


def parse_dossier_item(path: Path) -> tuple[DossierItem | None, list[ContentError]]:
    """Parse one item file."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return None, list(errors)
    return parse_dossier_item_text(text, path)


def load_dossier(root: Path) -> tuple[DossierGuide | None, list[ContentError]]:
    """Load ``course/dossier``: ``index.md`` and the numbered item files."""
    if not root.is_dir():
        return None, []
    errors: list[ContentError] = []
    title, introduction = "Cahier des charges du dossier professionnel", ""
    index = root / "index.md"
    if index.exists():
        collector = ErrorList(index)
        text = read_text(index, collector)
        if text is not None:
            parts = split(text, collector)
            meta = Meta(parts, collector)
            meta.check_keys(INDEX_KEYS, {"id", "title"})
            meta.ident()
            meta.review()
            title, introduction = meta.text("title", title), parts.body.strip()
            check_links(parts.body, parts.body_line, root, collector)
        errors += collector
    files = sorted(p for p in root.glob("*.md") if p.name not in SKIPPED)
    items: list[DossierItem] = []
    for path in files:
        item, problems = parse_dossier_item(path)
        errors += problems
        if item is not None:
            items.append(item)
    errors += duplicates([peek_header(p) for p in files], "l'élément")
    ordered = tuple(sorted(items, key=lambda i: (i.order, i.id)))
    return DossierGuide(title, introduction, ordered), errors
