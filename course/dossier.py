"""The cahier des charges of the dossier professionnel (épreuve 2), one file per item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.errors import ContentError, ErrorList
from course.frontmatter import Meta, split

CHECKS = {
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
}
ITEM_KEYS = {"id", "title", "order", "competencies", "headings", "checks", "min_words"}


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


@dataclass(frozen=True)
class DossierGuide:
    """The cahier des charges: introduction and items in order."""

    title: str
    introduction: str
    items: tuple[DossierItem, ...]


def parse_dossier_item(path: Path) -> tuple[DossierItem | None, list[ContentError]]:
    """Parse one item file."""
    errors = ErrorList(path)
    parts = split(path.read_text(encoding="utf-8"), errors)
    meta = Meta(parts, errors)
    meta.check_keys(ITEM_KEYS, {"id", "title", "order", "checks"})
    ident = meta.ident()
    checks = meta.text_list("checks")
    for check in checks:
        if check not in CHECKS:
            errors.add(
                meta.line("checks"),
                f"vérification inconnue « {check} » (possibles : {', '.join(sorted(CHECKS))})",
            )
    headings = meta.text_list("headings") or (meta.text("title"),)
    min_words = meta.integer("min_words", 0, minimum=0) if "min_words" in meta.data else None
    item = DossierItem(
        id=ident,
        title=meta.text("title"),
        order=meta.integer("order", 0),
        competencies=meta.competencies(),
        headings=headings,
        checks=checks,
        min_words=min_words,
        description=parts.body.strip(),
        path=str(path),
    )
    return (None if errors else item), list(errors)


def load_dossier(root: Path) -> tuple[DossierGuide | None, list[ContentError]]:
    """Load ``course/dossier``: ``index.md`` and the numbered item files."""
    if not root.is_dir():
        return None, []
    errors: list[ContentError] = []
    title, introduction = "Cahier des charges du dossier professionnel", ""
    index = root / "index.md"
    if index.exists():
        collector = ErrorList(index)
        parts = split(index.read_text(encoding="utf-8"), collector)
        meta = Meta(parts, collector)
        meta.check_keys({"id", "title"}, {"id", "title"})
        title, introduction = meta.text("title", title), parts.body.strip()
        errors += collector
    items: list[DossierItem] = []
    for path in sorted(p for p in root.glob("*.md") if p.name not in ("index.md", "README.md")):
        item, problems = parse_dossier_item(path)
        errors += problems
        if item is not None:
            items.append(item)
    seen_ids: dict[str, str] = {}
    seen_orders: dict[int, str] = {}
    for item in items:
        if item.id in seen_ids:
            errors.append(
                ContentError(
                    item.path, 1, f"identifiant « {item.id} » déjà utilisé ({seen_ids[item.id]})"
                )
            )
        if item.order in seen_orders:
            errors.append(
                ContentError(
                    item.path, 1, f"ordre {item.order} déjà utilisé ({seen_orders[item.order]})"
                )
            )
        seen_ids.setdefault(item.id, item.path)
        seen_orders.setdefault(item.order, item.path)
    return DossierGuide(title, introduction, tuple(sorted(items, key=lambda i: i.order))), errors
