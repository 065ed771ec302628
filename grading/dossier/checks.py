"""The automatic checks of the cahier des charges, item by item, with locations."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from grading.dossier.extract import Block, Document, extract

MIN_HOURS = 10.0


@dataclass(frozen=True)
class Requirement:
    """An item of the cahier des charges as the checks need it."""

    id: str
    title: str
    headings: tuple[str, ...]
    checks: tuple[str, ...]
    min_words: int | None = None


@dataclass
class Finding:
    """Something found (or missing), where, and how serious."""

    check: str
    message: str
    location: str = ""
    severity: str = "error"  # error, warning, info


@dataclass
class ItemReport:
    """The report of one item."""

    id: str
    title: str
    status: str = "ok"  # ok, missing, warning
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    """The whole report, serialisable to plain JSON."""

    items: list[ItemReport]
    hours: float | None
    anonymisation_findings: int
    kind: str

    @property
    def all_green(self) -> bool:
        """True when no item is missing or warning."""
        return all(item.status == "ok" for item in self.items)

    def to_json(self) -> dict[str, Any]:
        """Plain data for storage."""
        return {
            "items": [asdict(i) for i in self.items],
            "hours": self.hours,
            "anonymisation_findings": self.anonymisation_findings,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Inverse of :meth:`to_json`."""
        items = [
            ItemReport(i["id"], i["title"], i["status"], [Finding(**f) for f in i["findings"]])
            for i in data["items"]
        ]
        return cls(
            items,
            data.get("hours"),
            int(data.get("anonymisation_findings", 0)),
            str(data.get("kind", "")),
        )


def normalise(text: str) -> str:
    """Lower case, no accents, no numbering or punctuation."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    ).lower()
    # Numbering: "2.", "2.1", "II -", "iv)"; a Roman numeral needs its separator ("Investigation" stays).
    plain = re.sub(r"^\s*(\d+(\.\d+)*\s*[.)\-–:]?|[ivx]+\s*[.)\-–:])\s*", "", plain)
    return re.sub(r"[^a-z0-9 ]+", " ", plain).strip()


def _matches(heading: str, aliases: Sequence[str]) -> bool:
    h = normalise(heading)
    for alias in aliases:
        a = normalise(alias)
        if a and (a == h or h.startswith(a) or difflib.SequenceMatcher(None, a, h).ratio() >= 0.85):
            return True
    return False


def sections(doc: Document, requirements: Sequence[Requirement]) -> dict[str, list[Block]]:
    """Blocks of each requirement's section (from its heading to the next matched heading)."""
    result: dict[str, list[Block]] = {}
    current: str | None = None
    for block in doc.blocks:
        if block.kind == "heading":
            found = next((r.id for r in requirements if _matches(block.text, r.headings)), None)
            if found is not None:
                current = found
                result.setdefault(found, [block])
                continue
        if current is not None:
            result[current].append(block)
    return result


DURATION = re.compile(
    r"(?i)^\s*(?:(\d+(?:[.,]\d+)?)\s*h(?:eures?)?\s*(\d{1,2})?|(\d{1,3})\s*min(?:utes)?|(\d{1,2}):(\d{2}))\s*$"
)


def _hours(cell: str) -> float | None:
    match = DURATION.match(cell)
    if not match:
        return None
    if match.group(1):
        return float(match.group(1).replace(",", ".")) + (
            int(match.group(2)) / 60 if match.group(2) else 0
        )
    if match.group(3):
        return int(match.group(3)) / 60
    return int(match.group(4)) + int(match.group(5)) / 60


def session_hours(doc: Document) -> tuple[float, list[str]]:
    """Sum of the durations found in table rows (a table of sessions)."""
    total, where = 0.0, []
    for block in doc.blocks:
        if block.kind != "row":
            continue
        for cell in block.cells:
            value = _hours(cell)
            if value is not None:
                total += value
                where.append(block.location)
                break
    return round(total, 2), where


DATE = re.compile(
    r"(?i)\b(\d{1,2}/\d{1,2}/\d{2,4}|(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)\s+\d{4}|semaine\s+\d{1,2})\b"
)
TOOLS = [
    "riasec",
    "ligne de vie",
    "génogramme",
    "portefeuille de compétences",
    "star",
    "photolangage",
    "tri de cartes",
    "questionnaire de valeurs",
    "enquête métier",
    "irmr",
    "pmsmp",
]
JUSTIFY = re.compile(
    r"(?i)\b(pour|afin de|afin d'|parce que|car|objectif|dans le but|permet(tre|tant)?|choisi)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:(?:\+33|0033)\s?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}(?!\d)")
NIR = re.compile(
    r"(?<!\d)[12]\s?\d{2}\s?(0[1-9]|1[0-2]|[2-9]\d)\s?(\d{2}|2[AB])\s?\d{3}\s?\d{3}(\s?\d{2})?(?!\d)"
)
ADDRESS = re.compile(
    r"(?i)\b\d{1,4}(\s?(bis|ter))?,?\s+(rue|avenue|av\.|boulevard|bd|chemin|allée|place|impasse|route|quai)\s+[\w' -]{2,40}|\b\d{5}\s+[A-Z][a-zé-]+"
)
URL = re.compile(
    r"(?i)\b(https?://\S+|www\.\S+|linkedin\.com/\S*|facebook\.com/\S*|instagram\.com/\S*)"
)
BIRTH = re.compile(r"(?i)\b(née?\s+le|date de naissance)\b")
PERSON = re.compile(
    r"\b(M\.|Mme|Mlle|Madame|Monsieur)\s+([A-ZÉÈ][a-zéèëêïîôöüç]+(?:[- ][A-ZÉÈ][a-zéèëêïîôöüç]+)?)"
)
FULL_NAME = re.compile(r"\b([A-ZÉÈ][a-zéèëêïîôöüç]{2,})\s+([A-ZÉÈ]{3,})\b")
HEALTH = [
    "dépression",
    "depression",
    "burn-out",
    "burnout",
    "cancer",
    "rqth",
    "arrêt maladie",
    "arret maladie",
    "traitement",
    "diagnostic",
    "handicap",
    "maladie",
    "hospitalisation",
    "anxiété",
]


def anonymisation(doc: Document) -> list[Finding]:
    """Everything that could identify the bénéficiaire, with its location."""
    findings: list[Finding] = []
    for author_field, value in doc.metadata.items():
        findings.append(
            Finding(
                "anonymisation",
                f"métadonnée du document « {author_field} » renseignée : « {value} » (effacez-la dans les propriétés du fichier)",
                "propriétés du fichier",
            )
        )
    patterns = [
        (EMAIL, "adresse e-mail"),
        (PHONE, "numéro de téléphone"),
        (NIR, "numéro de sécurité sociale (NIR)"),
        (URL, "adresse web ou profil de réseau social"),
        (ADDRESS, "adresse postale"),
        (BIRTH, "date de naissance"),
    ]
    for block in doc.blocks:
        for pattern, label in patterns:
            for match in pattern.finditer(block.text):
                findings.append(
                    Finding(
                        "anonymisation", f"{label} : « {match.group(0).strip()} »", block.location
                    )
                )
        for match in PERSON.finditer(block.text):
            findings.append(
                Finding(
                    "anonymisation",
                    f"nom de personne : « {match.group(0)} » (utilisez un pseudonyme ou une initiale : Mme B.)",
                    block.location,
                )
            )
        for match in FULL_NAME.finditer(block.text):
            findings.append(
                Finding(
                    "anonymisation",
                    f"nom qui ressemble à celui d'une personne : « {match.group(0)} »",
                    block.location,
                )
            )
    return findings


def _text(blocks: Sequence[Block]) -> str:
    return "\n".join(b.text for b in blocks)


def analyse(data: bytes, requirements: Sequence[Requirement], *, max_bytes: int) -> Report:
    """Analyse a draft against the cahier des charges."""
    doc = extract(data, max_bytes)
    parts = sections(doc, requirements)
    all_text = _text(doc.blocks).lower()
    hours, hour_rows = session_hours(doc)
    anonymous = anonymisation(doc)
    items: list[ItemReport] = []
    for requirement in requirements:
        item = ItemReport(requirement.id, requirement.title)
        blocks = parts.get(requirement.id, [])
        body = [b for b in blocks if b.kind != "heading"]
        for check in requirement.checks:
            if check == "section_present" and not blocks:
                item.findings.append(
                    Finding(
                        check,
                        f"section introuvable (titres reconnus : {', '.join(requirement.headings)})",
                    )
                )
            elif check == "word_count" and blocks:
                words = len(_text(body).split())
                if requirement.min_words and words < requirement.min_words:
                    item.findings.append(
                        Finding(
                            check,
                            f"{words} mots, {requirement.min_words} attendus au moins",
                            blocks[0].location,
                            "warning",
                        )
                    )
                else:
                    item.findings.append(
                        Finding(check, f"{words} mots", blocks[0].location, "info")
                    )
            elif check == "session_hours":
                if not hour_rows:
                    item.findings.append(
                        Finding(
                            check, "tableau des séances introuvable (colonnes date, durée, phase)"
                        )
                    )
                elif hours < MIN_HOURS:
                    item.findings.append(
                        Finding(
                            check,
                            f"les séances totalisent {hours:g} h : il faut au moins {MIN_HOURS:g} h d'accompagnement",
                            hour_rows[0],
                        )
                    )
                else:
                    item.findings.append(
                        Finding(check, f"les séances totalisent {hours:g} h", hour_rows[0], "info")
                    )
            elif check == "phases":
                missing = [
                    p
                    for p in ("préliminaire", "investigation", "conclusion")
                    if p not in all_text and normalise(p) not in normalise(all_text)
                ]
                if missing:
                    item.findings.append(
                        Finding(check, f"phase(s) non nommée(s) : {', '.join(missing)}")
                    )
            elif check == "dated_actions":
                dates = DATE.findall(_text(body))
                if len(dates) < 2:
                    item.findings.append(
                        Finding(
                            check,
                            "le plan d'action ne contient pas d'actions datées",
                            blocks[0].location if blocks else "",
                        )
                    )
            elif check == "follow_up":
                if not re.search(r"(?i)suivi", all_text) or not re.search(
                    r"(?i)\b(6|six)\s+mois\b", all_text
                ):
                    item.findings.append(
                        Finding(check, "aucun entretien de suivi prévu à environ six mois")
                    )
            elif check == "tool_justification":
                for block in body or doc.blocks:
                    for tool in TOOLS:
                        if re.search(
                            rf"(?i)\b{re.escape(tool)}", block.text
                        ) and not JUSTIFY.search(block.text):
                            item.findings.append(
                                Finding(
                                    check,
                                    f"outil « {tool} » cité sans justification de son choix",
                                    block.location,
                                    "warning",
                                )
                            )
            elif check == "consent":
                if "consentement" not in all_text and not re.search(
                    r"(?i)accord (écrit|signé)", all_text
                ):
                    item.findings.append(
                        Finding(check, "le consentement du bénéficiaire n'est pas mentionné")
                    )
            elif check == "anonymisation":
                item.findings.extend(anonymous)
            elif check == "health_terms":
                for block in doc.blocks:
                    for term in HEALTH:
                        if re.search(rf"(?i)\b{re.escape(term)}\b", block.text):
                            item.findings.append(
                                Finding(
                                    check,
                                    f"donnée de santé possible : « {term} » — vérifiez qu'elle est nécessaire et anonymisée",
                                    block.location,
                                    "warning",
                                )
                            )
                            break
        severities = {f.severity for f in item.findings}
        item.status = (
            "missing" if "error" in severities else "warning" if "warning" in severities else "ok"
        )
        items.append(item)
    return Report(items, hours if hour_rows else None, len(anonymous), doc.kind)


def compare(previous: Report, current: Report) -> list[str]:
    """What changed since the last report, in French."""
    before = {i.id: i for i in previous.items}
    changes = []
    labels = {"ok": "conforme", "missing": "à compléter", "warning": "à vérifier"}
    for item in current.items:
        old = before.get(item.id)
        if old is not None and old.status != item.status:
            changes.append(f"{item.title} : {labels[old.status]} → {labels[item.status]}")
    if previous.hours != current.hours:
        changes.append(f"Heures de séances : {previous.hours or 0:g} h → {current.hours or 0:g} h")
    if previous.anonymisation_findings != current.anonymisation_findings:
        changes.append(
            f"Points d'anonymisation : {previous.anonymisation_findings} → {current.anonymisation_findings}"
        )
    return changes
