"""How the report reads on the page: blocking problems, warnings, information, and the verdict.

The analyser's findings carry a severity (error, warning, info). The page sorts them into:

- **blocking problems** (errors): the item is not conforme until they are fixed;
- **warnings** on a cahier des charges check (word count, follow-up timing, a tool without its
  justification…): the item stays « à vérifier » until they are fixed or explained;
- **points to reread** (warnings of the data checks: health terms, details that may identify
  the bénéficiaire): the tool cannot tell a false alarm, so the candidate rereads them; they
  never change whether the cahier des charges is met;
- **information**: what was found and where.

« All green » depends only on the items of the cahier des charges: every item conforme, which
a point to reread never prevents (a definite identifying detail, an error, still does).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from grading.dossier.document import _short
from grading.dossier.report import ERROR, INFO, MISSING, OK, WARNING, Finding, Report

#: Checks whose warnings ask the candidate to reread, without bearing on the cahier des charges.
REVIEW_CHECKS = frozenset({"health_terms", "anonymisation"})


@dataclass(frozen=True)
class Point:
    """A finding with the item of the cahier des charges it belongs to."""

    item_id: str
    item_title: str
    finding: Finding


@dataclass(frozen=True)
class ItemVerdict:
    """An item's status and how many points of each kind it has."""

    id: str
    title: str
    status: str
    blocking: int = 0
    warnings: int = 0
    review: int = 0


@dataclass(frozen=True)
class Assessment:
    """The report sorted for the page."""

    items: list[ItemVerdict]
    blocking: list[Point] = field(default_factory=list)
    warnings: list[Point] = field(default_factory=list)
    review: list[Point] = field(default_factory=list)
    information: list[Point] = field(default_factory=list)

    @property
    def all_green(self) -> bool:
        """Every item of the cahier des charges is conforme."""
        return bool(self.items) and all(item.status == OK for item in self.items)

    @property
    def missing(self) -> int:
        """How many items have a blocking problem."""
        return sum(1 for item in self.items if item.status == MISSING)

    @property
    def to_check(self) -> int:
        """How many items have a warning and no blocking problem."""
        return sum(1 for item in self.items if item.status == WARNING)


def kind(finding: Finding) -> str:
    """``blocking``, ``warning``, ``review`` or ``information``."""
    if finding.severity == ERROR:
        return "blocking"
    if finding.severity == WARNING:
        return "review" if finding.check in REVIEW_CHECKS else "warning"
    if finding.severity == INFO:
        return "information"
    return "warning"  # an unknown severity is shown, and not taken for conforme


def _section_of(finding: Finding, report: Report) -> str | None:
    """The item whose section holds a whole-document finding (a phone number in section 1),
    from the section its location names; None when it names none of the items' sections."""
    if finding.check not in REVIEW_CHECKS or not finding.location:
        return None
    for section in report.sections:
        if f"section « {_short(section.heading)} »" in finding.location:
            return section.id
    return None


def assess(report: Report) -> Assessment:
    """Sort every finding and settle each item's status from its cahier des charges checks.

    The whole-document checks (identifying details, health terms) run once, under the item
    that lists them (« Annexes »): each of their findings is filed under the item whose
    section it was found in (issue 15, point 16), and counts there.
    """
    items: list[ItemVerdict] = []
    groups: dict[str, list[Point]] = {
        "blocking": [],
        "warning": [],
        "review": [],
        "information": [],
    }
    titles = {item.id: item.title for item in report.items}
    found_in: dict[str, list[Finding]] = {item.id: [] for item in report.items}
    for item in report.items:
        for finding in item.findings:
            owner = _section_of(finding, report)
            found_in[owner if owner in titles else item.id].append(finding)
    for item in report.items:
        counts = {"blocking": 0, "warning": 0, "review": 0, "information": 0}
        for finding in found_in[item.id]:
            group = kind(finding)
            counts[group] += 1
            groups[group].append(Point(item.id, titles[item.id], finding))
        status = MISSING if counts["blocking"] else WARNING if counts["warning"] else OK
        items.append(
            ItemVerdict(
                item.id, item.title, status, counts["blocking"], counts["warning"], counts["review"]
            )
        )
    return Assessment(
        items,
        groups["blocking"],
        groups["warning"],
        groups["review"],
        groups["information"],
    )


def settled(report: Report) -> Report:
    """The report with each item's status as the page shows it (to compare two versions)."""
    statuses = {item.id: item.status for item in assess(report).items}
    return replace(report, items=[replace(item, status=statuses[item.id]) for item in report.items])
