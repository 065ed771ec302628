"""The report: item by item, findings with locations; plain-JSON round trip; comparison."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from grading.dossier.sessions import SessionRow

OK = "ok"
MISSING = "missing"
WARNING = "warning"
ERROR = "error"
INFO = "info"
STATUS_LABELS = {OK: "conforme", MISSING: "à compléter", WARNING: "à vérifier"}
REPORT_VERSION = 2


@dataclass(frozen=True)
class Finding:
    """Something found or missing, where, and how serious (error, warning or info)."""

    check: str
    message: str
    location: str = ""
    severity: str = ERROR
    code: str = ""
    excerpt: str = ""

    def key(self) -> tuple[str, str, str]:
        """Identity across versions of the dossier (locations move when text is edited)."""
        return (self.check, self.code or self.check, self.excerpt or self.message)


@dataclass
class ItemReport:
    """The report of one item of the cahier des charges."""

    id: str
    title: str
    status: str = OK
    findings: list[Finding] = field(default_factory=list)

    def settle(self) -> None:
        """Status from the findings: an error makes it missing, a warning makes it to check."""
        severities = {f.severity for f in self.findings}
        self.status = MISSING if ERROR in severities else WARNING if WARNING in severities else OK


@dataclass(frozen=True)
class SectionSummary:
    """A requirement's section as found in the document."""

    id: str
    heading: str
    location: str
    words: int


@dataclass
class Report:
    """The whole report; to_json/from_json give plain data the web layer can store."""

    items: list[ItemReport]
    hours: float | None
    anonymisation_findings: int
    kind: str
    health_findings: int = 0
    sessions: list[SessionRow] = field(default_factory=list)
    sections: list[SectionSummary] = field(default_factory=list)

    @property
    def all_green(self) -> bool:
        """True when every item is conforme (no missing part, nothing left to check)."""
        return all(item.status == OK for item in self.items)

    def item(self, item_id: str) -> ItemReport | None:
        """The report of one item, by id."""
        return next((i for i in self.items if i.id == item_id), None)

    def to_json(self) -> dict[str, Any]:
        """Plain dicts, lists, strings and numbers."""
        return {
            "version": REPORT_VERSION,
            "kind": self.kind,
            "hours": self.hours,
            "anonymisation_findings": self.anonymisation_findings,
            "health_findings": self.health_findings,
            "items": [asdict(item) for item in self.items],
            "sessions": [asdict(row) for row in self.sessions],
            "sections": [asdict(section) for section in self.sections],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Inverse of to_json; also reads reports stored by the first version."""
        items = [
            ItemReport(
                str(i["id"]),
                str(i.get("title", i["id"])),
                str(i.get("status", OK)),
                [_finding(f) for f in i.get("findings", [])],
            )
            for i in data.get("items", [])
        ]
        return cls(
            items=items,
            hours=None if data.get("hours") is None else float(data["hours"]),
            anonymisation_findings=int(data.get("anonymisation_findings", 0)),
            kind=str(data.get("kind", "")),
            health_findings=int(data.get("health_findings", 0)),
            sessions=[SessionRow(**row) for row in data.get("sessions", [])],
            sections=[SectionSummary(**s) for s in data.get("sections", [])],
        )


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        check=str(data.get("check", "")),
        message=str(data.get("message", "")),
        location=str(data.get("location", "")),
        severity=str(data.get("severity", ERROR)),
        code=str(data.get("code", "")),
        excerpt=str(data.get("excerpt", "")),
    )


@dataclass(frozen=True)
class Change:
    """One difference from the previous report; str() gives the French sentence."""

    kind: str  # status, hours, anonymisation, fixed, new
    item_id: str
    message: str

    def __str__(self) -> str:
        return self.message


def hours_fr(hours: float | None) -> str:
    """« 8,5 h » (French decimal comma)."""
    return f"{round(hours or 0, 2):g}".replace(".", ",") + " h"


def compare(previous: Report, current: Report) -> list[Change]:
    """What changed since the last report: statuses, hours, findings fixed and new."""
    before = {item.id: item for item in previous.items}
    statuses: list[Change] = []
    fixed: list[Change] = []
    new: list[Change] = []
    for item in current.items:
        old = before.get(item.id)
        if old is None:
            continue
        if old.status != item.status:
            statuses.append(
                Change(
                    "status",
                    item.id,
                    f"{item.title} : {STATUS_LABELS.get(old.status, old.status)} → "
                    f"{STATUS_LABELS.get(item.status, item.status)}",
                )
            )
        old_findings = {f.key(): f for f in old.findings if f.severity != INFO}
        new_findings = {f.key(): f for f in item.findings if f.severity != INFO}
        for key, finding in old_findings.items():
            if key not in new_findings:
                fixed.append(
                    Change("fixed", item.id, f"Corrigé — {item.title} : {_brief(finding)}")
                )
        for key, finding in new_findings.items():
            if key not in old_findings:
                new.append(Change("new", item.id, f"Nouveau — {item.title} : {_brief(finding)}"))
    totals: list[Change] = []
    if previous.hours != current.hours:
        totals.append(
            Change(
                "hours",
                "",
                f"Heures de séances : {hours_fr(previous.hours)} → {hours_fr(current.hours)}",
            )
        )
    if previous.anonymisation_findings != current.anonymisation_findings:
        totals.append(
            Change(
                "anonymisation",
                "",
                "Points d'anonymisation à corriger : "
                f"{previous.anonymisation_findings} → {current.anonymisation_findings}",
            )
        )
    return statuses + totals + fixed + new


def _brief(finding: Finding) -> str:
    return f"{finding.message} ({finding.location})" if finding.location else finding.message
