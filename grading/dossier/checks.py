"""The automatic checks of the cahier des charges, item by item, each finding located."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from grading.dossier.anonymity import Hit, find_identifying
from grading.dossier.dates import DateMention, find_dates, months_between
from grading.dossier.document import HEADING, PARAGRAPH, ROW, Block, Document
from grading.dossier.extract import extract
from grading.dossier.report import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    ItemReport,
    Report,
    SectionSummary,
    compare,
    hours_fr,
)
from grading.dossier.safety import Limits
from grading.dossier.sessions import (
    Sessions,
    find_sessions,
    other_readings,
    parse_duration,
    session_mention,
    stated_counts,
    stated_totals,
)
from grading.dossier.text import Spans, fold, heading_score, meaning_score, word_count

__all__ = [
    "CHECKS",
    "DossierRequirement",
    "Report",
    "Requirement",
    "Settings",
    "analyse",
    "analyse_document",
    "compare",
]


@dataclass(frozen=True)
class DossierRequirement:
    """An item of the cahier des charges as the checks need it (mapped from course's item)."""

    id: str
    title: str
    headings: tuple[str, ...]
    checks: tuple[str, ...]
    min_words: int | None = None


Requirement = DossierRequirement  # the name the first callers use


@dataclass(frozen=True)
class Settings:
    """Thresholds of the checks (the cahier des charges and the law, as they stand)."""

    min_hours: float = 10.0
    max_hours: float = 24.0  # L.6313-4: a bilan lasts 24 hours at most
    follow_up_months: tuple[float, float] = (5.0, 7.0)
    min_dated_actions: int = 2
    heading_threshold: float = 0.82


@dataclass
class Section:
    """The part of the document that answers one requirement."""

    heading: Block
    body: list[Block]

    @property
    def words(self) -> int:
        """Words of the body (paragraphs and table rows, headings of subsections excluded)."""
        return sum(word_count(b.text) for b in self.body if b.kind != HEADING)


@dataclass
class Context:
    """The extracted document and what several checks share."""

    doc: Document
    requirements: Sequence[DossierRequirement]
    settings: Settings
    sections: dict[str, Section] = field(default_factory=dict)
    #: Pseudonyms the candidate declared with the upload (« Karim », « M. X. »): not findings.
    pseudonyms: tuple[str, ...] = ()

    @cached_property
    def sessions(self) -> Sessions | None:
        """The table of sessions, searched in the whole document."""
        return find_sessions(self.doc.blocks)

    @cached_property
    def identifying(self) -> list[Hit]:
        """Identifying details in the body, the other parts and the metadata."""
        return find_identifying(self.doc, self.pseudonyms)

    @cached_property
    def health(self) -> list[Finding]:
        """Health vocabulary in the body and the other parts."""
        return find_health_terms(self.doc)

    def scope(self, requirement: DossierRequirement) -> list[Block]:
        """The requirement's section when found, else the whole body."""
        section = self.sections.get(requirement.id)
        return section.body if section is not None else self.doc.blocks


Check = Callable[[Context, DossierRequirement], list[Finding]]


def analyse(
    data: bytes,
    requirements: Sequence[DossierRequirement],
    *,
    max_bytes: int,
    limits: Limits | None = None,
    settings: Settings | None = None,
    pseudonyms: Sequence[str] = (),
) -> Report:
    """Read an upload and check it item by item; a bad file raises DossierFileError."""
    return analyse_document(
        extract(data, max_bytes, limits), requirements, settings=settings, pseudonyms=pseudonyms
    )


def analyse_document(
    doc: Document,
    requirements: Sequence[DossierRequirement],
    *,
    settings: Settings | None = None,
    pseudonyms: Sequence[str] = (),
) -> Report:
    """Check an already extracted document against the requirements."""
    unknown = sorted({c for r in requirements for c in r.checks} - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown dossier checks: {', '.join(unknown)}")
    context = Context(doc, requirements, settings or Settings(), pseudonyms=tuple(pseudonyms))
    context.sections = find_sections(doc, requirements, context.settings.heading_threshold)
    items: list[ItemReport] = []
    for requirement in requirements:
        item = ItemReport(requirement.id, requirement.title)
        for check in requirement.checks:
            item.findings.extend(CHECKS[check](context, requirement))
        item.settle()
        items.append(item)
    sessions = context.sessions
    return Report(
        items=items,
        hours=sessions.total if sessions is not None else None,
        anonymisation_findings=len(context.identifying),
        kind=doc.kind,
        health_findings=len(context.health),
        sessions=list(sessions.rows) if sessions is not None else [],
        sections=[
            SectionSummary(rid, s.heading.text, s.heading.where, s.words)
            for rid, s in context.sections.items()
        ],
    )


# --- sections ---------------------------------------------------------------------------------

_TRAILING_PUNCTUATION = re.compile(r"[.;,!?…:]$")
#: A full stop that belongs to the last word, not to a sentence: an initial or a civility
#: (« La demande de Mme T. », « Le parcours de M. V. »), an abbreviation (« etc. »).
_WORD_FULL_STOP = re.compile(r"(?:\b[A-Z]|\bMme|\bMlle|\bM|\betc)\.$")


def _promotable(block: Block) -> bool:
    """A short standalone paragraph can be a heading typed without a heading style. A line
    ending with a colon introduces what follows (« Les séances, toutes au cabinet : »); one
    ending with an initial's full stop can be a heading (« La demande de Mme T. »)."""
    text = block.text.strip()
    return (
        block.kind == PARAGRAPH
        and len(text) <= 90
        and word_count(text) <= 9
        and (not _TRAILING_PUNCTUATION.search(text) or _WORD_FULL_STOP.search(text) is not None)
    )


def _body_follows(blocks: Sequence[Block], index: int) -> bool:
    """The block after a would-be heading is a body: a paragraph too long to be a heading, or
    a short line holding figures (« Meeting #1 - 02/02/2026 - 1h30 - kick-off »)."""
    if index + 1 >= len(blocks):
        return False
    following = blocks[index + 1]
    return following.kind != HEADING and (
        not _promotable(following) or re.search(r"\d", following.text) is not None
    )


def find_sections(
    doc: Document, requirements: Sequence[DossierRequirement], threshold: float = 0.82
) -> dict[str, Section]:
    """Each requirement's section: its best heading, up to the next heading of the same level."""
    blocks = doc.blocks
    top = min((b.level for b in blocks if b.kind == HEADING and b.level > 0), default=1)
    candidates: list[tuple[int, str, int]] = []  # block index, requirement id, level
    for index, block in enumerate(blocks):
        is_heading = block.kind == HEADING
        if not is_heading and not _promotable(block):
            continue
        scored = [
            (heading_score(block.text, r.headings), -n, r.id) for n, r in enumerate(requirements)
        ]
        if not scored:
            break
        score, _, rid = max(scored)
        if score >= (threshold if is_heading else max(threshold, 0.9)):
            candidates.append((index, rid, block.level if is_heading else top))
    main_levels = {level for _, _, level in candidates}
    matched = {index for index, _, _ in candidates}
    promoted = sum(blocks[index].kind != HEADING for index, _, _ in candidates) >= 2
    if not promoted and not any(blocks[index].kind == HEADING for index, _, _ in candidates):
        # No styled heading found a requirement: the headings may be plain paragraphs that say
        # it in other words (« Le contexte (background) », « Toolbox », « Next steps »). They
        # are when at least three requirements are found that way, each by one paragraph
        # followed by a body.
        meant_by_paragraphs = {rid for index, rid, _ in candidates}
        for index, block in enumerate(blocks[:-1]):
            if _promotable(block) and _body_follows(blocks, index):
                scores = [(meaning_score(block.text, r.headings), r.id) for r in requirements]
                best = max((score for score, _ in scores), default=0)
                meant = [rid for score, rid in scores if score == best and best > 0]
                if len(meant) == 1:
                    meant_by_paragraphs.add(meant[0])
        promoted = len(meant_by_paragraphs) >= 3
        main_levels.add(top)
    for index, block in enumerate(blocks):
        # Recognised by meaning: a heading at the level of the others, saying the same as the
        # aliases of exactly one requirement (« Contexte et cadre », « Pièces jointes »).
        # A plain short paragraph too, when the document's headings are such paragraphs (a
        # PDF: « Cadre », « Présentation du cadre »), and a body follows it.
        as_paragraph = (
            promoted
            and _promotable(block)
            and top in main_levels
            and _body_follows(blocks, index)
        )
        if index in matched or not (
            (block.kind == HEADING and block.level in main_levels) or as_paragraph
        ):
            continue
        scores = [(meaning_score(block.text, r.headings), r.id) for r in requirements]
        best = max((score for score, _ in scores), default=0)
        meant = [rid for score, rid in scores if score == best and best > 0]
        # One requirement only (« Parcours »: « Parcours de bilan » rather than « Parcours
        # professionnel »), and not one whose section is already found.
        if len(meant) == 1 and meant[0] not in {rid for _, rid, _ in candidates}:
            candidates.append((index, meant[0], block.level if block.kind == HEADING else top))
    candidates.sort()
    # « Outils mobilisés : » just under « 6. Outils utilisés » is a line of that section.
    candidates = [
        c
        for n, c in enumerate(candidates)
        if n == 0 or blocks[c[0]].kind == HEADING or candidates[n - 1][1] != c[1]
    ]
    starts = {index for index, _, _ in candidates}
    found: dict[str, Section] = {}
    for index, rid, level in candidates:
        body: list[Block] = []
        for following in range(index + 1, len(blocks)):
            block = blocks[following]
            if following in starts or (block.kind == HEADING and block.level <= level):
                break
            body.append(block)
        section = Section(blocks[index], body)
        previous = found.get(rid)
        # A table of contents has no body; a styled heading wins over a plain line that says
        # the same (« Le déroulement », then the line « Les séances : » under it).
        styled = (section.heading.kind == HEADING) - (
            previous is not None and previous.heading.kind == HEADING
        )
        if previous is None or styled > 0 or (styled == 0 and section.words > previous.words):
            found[rid] = section
    if len(found) < 3:
        for rid, section in _sections_in_rows(blocks, requirements, threshold).items():
            found.setdefault(rid, section)
    return found


#: A label cell (« Cadre », « Outils mobilisés ») and some content beside it.
_LABEL_WORDS = 6
_CONTENT_WORDS = 5


def _sections_in_rows(
    blocks: Sequence[Block], requirements: Sequence[DossierRequirement], threshold: float
) -> dict[str, Section]:
    """A dossier written as a form: a table whose first column names the parts (« Cadre |
    … », « Outils mobilisés | … »). Each labelled row starts a section: the rest of the row,
    then the following rows of the table up to the next labelled one. Only when at least three
    parts are named that way (an « Outil | Raison » table is not a form)."""
    labelled: list[tuple[int, str]] = []
    for index, block in enumerate(blocks):
        if block.kind != ROW or len(block.cells) < 2:
            continue
        label, rest = block.cells[0], " ".join(block.cells[1:])
        if word_count(label) > _LABEL_WORDS or word_count(rest) < _CONTENT_WORDS:
            continue
        scored = [(heading_score(label, r.headings), r.id) for r in requirements]
        score, rid = max(scored, default=(0.0, ""))
        if score < max(threshold, 0.9):
            meanings = [(meaning_score(label, r.headings), r.id) for r in requirements]
            best = max((m for m, _ in meanings), default=0)
            meant = [r for m, r in meanings if m == best and best > 0]
            if len(meant) != 1:
                continue
            rid = meant[0]
        labelled.append((index, rid))
    if len({rid for _, rid in labelled}) < 3:
        return {}
    starts = {index for index, _ in labelled}
    found: dict[str, Section] = {}
    for index, rid in labelled:
        row = blocks[index]
        heading = Block(HEADING, row.cells[0], row.location, level=1)
        body = [Block(PARAGRAPH, " ".join(row.cells[1:]), row.location)]
        for following in range(index + 1, len(blocks)):
            block = blocks[following]
            if following in starts or block.kind != ROW or block.table != row.table:
                break
            body.append(block)
        section = Section(heading, body)
        if rid not in found or section.words > found[rid].words:
            found[rid] = section
    return found


def _closest_heading(
    context: Context, requirement: DossierRequirement
) -> tuple[float, Block] | None:
    """A heading that almost matches, unless it already starts another item's section."""
    taken = {id(section.heading) for section in context.sections.values()}
    scored = [
        (heading_score(b.text, requirement.headings, floor=0.6), b)
        for b in context.doc.blocks
        if (b.kind == HEADING or _promotable(b)) and id(b) not in taken
    ]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best if best is not None and best[0] >= 0.6 else None


# --- the checks -------------------------------------------------------------------------------


def check_section_present(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """The section exists under one of its heading aliases."""
    section = context.sections.get(requirement.id)
    if section is not None:
        return [
            Finding(
                "section_present",
                f"Section trouvée : « {section.heading.text} ».",
                section.heading.where,
                INFO,
                "found",
            )
        ]
    aliases = ", ".join(f"« {h} »" for h in requirement.headings)
    message = f"Section introuvable. Titres reconnus : {aliases}."
    closest = _closest_heading(context, requirement)
    location = ""
    if closest is not None:
        message += f" Le titre le plus proche est « {closest[1].text} » : renommez-le."
        location = closest[1].where
    unclaimed = _unclaimed_headings(context)
    if unclaimed:
        # Headings at the level of the parts found, that name none of them: one of them may be
        # this part in words the check does not know. Not certain either way: « à vérifier ».
        if closest is None:
            names = ", ".join(f"« {b.text} »" for b in unclaimed[:3])
            message = (
                f"Section non reconnue : est-ce {names} ? Si oui, donnez-lui l'un des titres "
                f"reconnus ({aliases}) ; sinon, ajoutez-la."
            )
        return [
            Finding("section_present", message, location or unclaimed[0].where, WARNING, "unsure")
        ]
    return [Finding("section_present", message, location, ERROR, "missing")]


def _unclaimed_headings(context: Context) -> list[Block]:
    """Headings at the level of the sections found that start none of them."""
    found = [s.heading for s in context.sections.values() if s.heading.kind == HEADING]
    levels = {b.level for b in found}
    taken = {id(b) for b in found}
    return [
        b
        for b in context.doc.blocks
        if b.kind == HEADING and b.level in levels and id(b) not in taken and b.text.strip()
    ]


def check_word_count(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """Words in the section, against min_words."""
    section = context.sections.get(requirement.id)
    if section is None:
        if "section_present" in requirement.checks:
            return []
        return [
            Finding(
                "word_count",
                "Section introuvable : impossible de compter les mots.",
                severity=ERROR,
                code="no_section",
            )
        ]
    words = section.words
    minimum = requirement.min_words
    if minimum and words < minimum:
        return [
            Finding(
                "word_count",
                f"{words} mots : au moins {minimum} sont attendus.",
                section.heading.where,
                WARNING,
                "too_short",
            )
        ]
    suffix = f" (minimum {minimum})" if minimum else ""
    return [Finding("word_count", f"{words} mots{suffix}.", section.heading.where, INFO, "words")]


def check_session_hours(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """The table of sessions and its total, at least the minimum number of hours."""
    sessions = context.sessions
    settings = context.settings
    if sessions is None:
        told = session_mention(context.doc.blocks)
        return [
            Finding(
                "session_hours",
                "Tableau des séances introuvable : ajoutez un tableau avec les colonnes "
                "Date, Durée et Phase (durées écrites « 2 h », « 1h30 » ou « 90 min »).",
                severity=ERROR,
                code="no_table",
            )
            if told is None
            else Finding(
                "session_hours",
                "Séances mentionnées mais leur total n'a pas pu être lu (par exemple « "
                f"{told.text[:80]} ») : vérifiez qu'elles font au moins "
                f"{hours_fr(settings.min_hours)}, et présentez-les dans un tableau Date, Durée, "
                "Phase.",
                told.where,
                WARNING,
                "unread",
            )
        ]
    findings: list[Finding] = []
    total = sessions.total
    count = f"{len(sessions.rows)} séance{'s' if len(sessions.rows) > 1 else ''}"
    doubt = _hours_doubt(context, sessions)
    if doubt is not None and (settings.min_hours <= total <= settings.max_hours or sessions.told):
        # Two readings of the hours disagree: the total read may be wrong either way, and a
        # « conforme » right by luck is no verdict. Neither « conforme » nor « manquant ».
        findings.append(
            Finding(
                "session_hours",
                f"Les séances lues totalisent {hours_fr(total)} ({count}), mais {doubt} : "
                "vérifiez le total ; un tableau Date, Durée, Phase évite toute ambiguïté.",
                sessions.table_location,
                WARNING,
                "uncertain_total",
                hours_fr(total),
            )
        )
    elif total < settings.min_hours:
        # Read from sentences, the total is an inference: « à vérifier », not « manquant ».
        findings.append(
            Finding(
                "session_hours",
                f"Les séances totalisent {hours_fr(total)} ({count}) : il faut au moins "
                f"{hours_fr(settings.min_hours)} d'accompagnement."
                + (
                    " Ce total est lu dans le texte : vérifiez-le, un tableau Date, Durée, "
                    "Phase évite toute ambiguïté."
                    if sessions.told
                    else ""
                )
                # A table short of the minimum fails whatever the text says; the text's own
                # total is named so that the candidate completes the table.
                + (f" Or {doubt} : complétez le tableau." if doubt else ""),
                sessions.table_location,
                WARNING if sessions.told else ERROR,
                "too_few_hours",
                hours_fr(total),
            )
        )
    elif total > settings.max_hours:
        findings.append(
            Finding(
                "session_hours",
                f"Les séances totalisent {hours_fr(total)} ({count}) : un bilan dure au plus "
                f"{hours_fr(settings.max_hours)} (art. L.6313-4 du code du travail). Vérifiez le tableau.",
                sessions.table_location,
                WARNING,
                "too_many_hours",
                hours_fr(total),
            )
        )
    else:
        findings.append(
            Finding(
                "session_hours",
                f"Les séances totalisent {hours_fr(total)} ({count}).",
                sessions.table_location,
                INFO,
                "total",
            )
        )
    declared = sessions.declared_total
    if declared is not None and abs(declared - total) > 0.01:
        findings.append(
            Finding(
                "session_hours",
                f"Le total indiqué ({hours_fr(declared)}) ne correspond pas à la somme des "
                f"séances ({hours_fr(total)}).",
                sessions.table_location,
                WARNING,
                "declared_total",
            )
        )
    for where, cell in sessions.unreadable:
        findings.append(
            Finding(
                "session_hours",
                f"Durée illisible « {cell} » : écrivez-la « 2 h », « 1h30 », « 1,5 h » ou « 90 min ».",
                where,
                WARNING,
                "unreadable",
                cell,
            )
        )
    for row in sessions.rows:
        when = f" du {row.date[8:10]}/{row.date[5:7]}/{row.date[:4]}" if row.date else ""
        phase = f" ({row.phase})" if row.phase else ""
        findings.append(
            Finding(
                "session_hours",
                f"Séance{when} : {hours_fr(row.hours)}{phase}.",
                row.location,
                INFO,
                "row",
            )
        )
    return findings


def _hours_doubt(context: Context, sessions: Sessions) -> str | None:
    """Why the hours read are in doubt: a total or a number of sessions the text states that
    the sessions read do not give, or another reading of the sentences that disagrees."""
    blocks = context.doc.blocks
    total = sessions.total
    stated = stated_totals(blocks)
    if stated and not any(abs(value - total) <= 0.01 for value, _ in stated):
        value, block = stated[0]
        return f"le texte indique un total de {hours_fr(value)} (« {block.text[:60]} »)"
    counts = stated_counts(blocks)
    if counts and not any(number == len(sessions.rows) for number, _ in counts):
        number, block = counts[0]
        return f"le texte compte {number} séances (« {block.text[:60]} »)"
    if stated and sessions.told:
        return None  # the total stated in the text confirms the sentences read
    return other_readings(blocks, sessions)


PHASES = {
    "préliminaire": re.compile(r"\bpreliminaire"),
    "investigation": re.compile(r"\binvestigation"),
    "conclusion": re.compile(
        r"\b(?:phase|etape|temps|seances?|entretiens?)\s+(?:de\s+|d'|finale?\s+de\s+)?conclusion"
        r"|\bconclusion\s*(?:du\s+bilan|:|\()|^\W*conclusion\W*$|\bpreliminaire\W+investigation\W+(?:et\s+)?conclusion"
    ),
}
#: Other names a candidate may give a phase (« phase d'accueil », « phase d'exploration »,
#: « phase de restitution »): not the law's, so « à vérifier » rather than « manquant ».
NEAR_PHASES = {
    "préliminaire": re.compile(
        r"\b(?:phase|etape|temps)\s+(?:d'accueil|d'analyse|de demarrage|initiale|de cadrage|d'engagement)"
    ),
    "investigation": re.compile(
        r"\b(?:phase|etape|temps)\s+(?:d'exploration|d'enquetes?|de recherche|d'approfondissement)"
    ),
    "conclusion": re.compile(
        r"\b(?:phase|etape|temps)\s+(?:de restitution|de synthese|finale|de cloture|de bilan)"
    ),
}


def _near_phase(blocks: Sequence[Block], name: str) -> tuple[Block, str] | None:
    pattern = NEAR_PHASES[name]
    for block in blocks:
        match = pattern.search(fold(block.text))
        if match:
            return block, block.text[match.start() : match.end()]
    return None


OUTDATED_PHASES = re.compile(r"\bquatre phases\b|\bphase (?:de |d')?confrontation\b")


def check_phases(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """The three phases of R.6313-4 are named (in the section, or in the sessions' phase column)."""
    blocks = context.scope(requirement)
    phase_column = " ".join(row.phase for row in context.sessions.rows) if context.sessions else ""
    findings: list[Finding] = []
    for name, pattern in PHASES.items():
        block = next((b for b in blocks if pattern.search(fold(b.text))), None)
        if block is not None:
            findings.append(Finding("phases", f"Phase {name} nommée.", block.where, INFO, name))
        elif re.search(rf"\b{fold(name)}", fold(phase_column)):
            findings.append(
                Finding(
                    "phases", f"Phase {name} nommée dans le tableau des séances.", "", INFO, name
                )
            )
        elif (near := _near_phase(context.doc.blocks, name)) is not None:
            block, words = near
            findings.append(
                Finding(
                    "phases",
                    f"Phase {name} : « {words} » la désigne-t-elle ? Nommez-la comme l'article "
                    "R.6313-4 du code du travail (préliminaire, investigation, conclusion).",
                    block.where,
                    WARNING,
                    f"unsure_{fold(name)}",
                )
            )
        else:
            findings.append(
                Finding(
                    "phases",
                    f"Phase {name} non nommée : le bilan compte trois phases (préliminaire, "
                    "investigation, conclusion ; art. R.6313-4 du code du travail).",
                    "",
                    ERROR,
                    f"no_{fold(name)}",
                )
            )
    for block in context.doc.blocks:
        match = OUTDATED_PHASES.search(fold(block.text))
        if match:
            findings.append(
                Finding(
                    "phases",
                    f"« {block.text[match.start() : match.end()]} » : depuis 2019 le bilan compte "
                    "trois phases (préliminaire, investigation, conclusion).",
                    block.where,
                    WARNING,
                    "outdated",
                    block.text[match.start() : match.end()],
                )
            )
    return findings


def _firm_dates(text: str) -> list[DateMention]:
    """Dates an action can be held to: a day or a month with its year, or a week number
    (« fin mars », « à l'automne » are too vague)."""
    return [
        d
        for d in find_dates(text)
        if d.value is not None or fold(d.text).startswith(("semaine", "s"))
    ]


def check_dated_actions(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """The action plan holds dated actions (each dated mention counts, several per paragraph)."""
    dated = [
        (block, dates)
        for block in context.scope(requirement)
        if block.kind != HEADING and (dates := _firm_dates(block.text))
    ]
    count = sum(len(dates) for _, dates in dated)
    minimum = context.settings.min_dated_actions
    examples = "« avant le 15/03/2027 », « en avril 2027 », « semaine 12 »"
    vague = next(
        (b for b in context.scope(requirement) if b.kind != HEADING and find_dates(b.text)), None
    )
    if not dated:
        section = context.sections.get(requirement.id)
        if vague is not None:
            return [
                Finding(
                    "dated_actions",
                    f"Échéances imprécises (« {find_dates(vague.text)[0].text} ») : donnez à chaque "
                    f"étape une date avec son année ({examples}).",
                    vague.where,
                    WARNING,
                    "vague",
                )
            ]
        return [
            Finding(
                "dated_actions",
                f"Aucune action datée dans le plan d'action : donnez une échéance à chaque étape ({examples}).",
                section.heading.where if section else "",
                ERROR,
                "none",
            )
        ]
    first_block, first_dates = dated[0]
    if count < minimum:
        return [
            Finding(
                "dated_actions",
                f"Une seule action datée (« {first_dates[0].text} ») : datez chaque étape ({examples}).",
                first_block.where,
                WARNING,
                "few",
            )
        ]
    return [
        Finding(
            "dated_actions",
            f"{count} actions datées (par exemple « {first_dates[0].text} »).",
            first_block.where,
            INFO,
            "dated",
        )
    ]


_MONTH_WORDS = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre",
)  # fmt: skip
FOLLOW_UP = re.compile(
    r"\b(?:entretiens?|rendez-vous|rdv|points?|bilans?|rencontres?|seances?|contacts?|echanges?"
    r"|appels?|coups?\s+de\s+(?:fil|telephone)|visios?|calls?|mails?|courriels?|messages?)"
    # « de suivi » only: « le bilan suivi hors temps de travail », « un entretien suivi d'un
    # test » use the participle and plan nothing.
    r"\s+(?:de|du)\s+suivi\b"
    r"|\bsuivi\s+(?:a|dans|sous|apres|de|d'ici)\s+(?:\d{1,2}|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze)\s+mois\b"
    r"|\bsuivi\s+post[- ]?bilan\b|\bfollow[- ]?up\b"
    # « Un suivi est prévu en octobre », « suivi programmé le … », a line « Suivi : octobre 2026 ».
    r"|\b(?:un|le|son|leur)\s+suivi\s+(?:est\s+|sera\s+|a\s+ete\s+)?(?:prevu|programme|planifie|fixe|cale|propose|convenu)"
    r"|^\W*suivi\s*(?:a\s+\w+\s+mois\s*)?:"
    r"|\b(?:entretien|rendez-vous|rdv)\s+(?:a|dans)\s+(?:6|six)\s+mois\b"
    r"|\bpoints?\s+d'etape\b|\brecontact\w*|\breprendr\w*\s+contact|\bprendr\w*\s+(?:de\s+ses\s+|des\s+)?nouvelles"
    r"|\b(?:refaire|referons|referai|referont|refera)\s+(?:le|un)\s+point|\b(?:nouvel?|dernier)\s+(?:entretien|rendez-vous|point|echange)\b"
    r"|\b(?:nous\s+nous\s+)?reverr\w*|\bse\s+revoir\b|\bfaire\s+(?:le|un)\s+point\s+(?:dans|a|en|d'ici)\b"
    r"|\b(?:bilan|point|entretien|rendez-vous)\s+(?:a|dans)\s+(?:\d{1,2}|six|cinq|sept|trois|quatre|huit|neuf|dix|douze)\s+mois\b"
    # A future contact, whatever the verb, with its month or delay: « je le rappellerai en
    # septembre », « je l'appellerai en avril », « on s'est donné rendez-vous en mai ».
    # « on se reparlerait vers la mi-septembre », « je vais la rappeler en mai ».
    r"|\b(?:je|nous|on|j')\s*(?:(?:vais|allons|va|compte\w*|pense\w*|prevoi\w*|devrai\w*)\s+)?"
    r"(?:(?:l'|la\s|le\s|les\s|lui\s|leur\s|se\s|s'|nous\s|vous\s)\s*)?"
    r"(?:r|re)?(?:appeller|appeler|contacter|telephoner|ecrir|joindr|rencontrer|retrouver|verr|voir|"
    r"parler|echanger|prendr\w*\s+(?:de\s+ses|des)\s+nouvelles|relancer|solliciter|sonder)\w*"
    r"(?=[^.;]{0,80}\b(?:mois|semaines|" + "|".join(_MONTH_WORDS) + r")\b)"
    r"|\b(?:donne|pris|fixe|cale)\w*\s+(?:un\s+)?rendez-vous\s+(?:en|pour|a|au|dans|d'ici)\b"
    r"|\brendez-vous\s+(?:est\s+|a\s+ete\s+)?(?:pris|fixe|cale|donne)\w*\s+(?:en|pour|au|dans)\b"
    r"|\b(?:re)?prendr\w*\s+(?:de\s+ses\s+|des\s+)nouvelles"
    # An appointment agreed on, whatever its kind, with its month or delay: « nous avons
    # convenu d'un rendez-vous téléphonique fin octobre », « fixé un appel en mai ».
    r"|\b(?:convenu|fixe|pris|cale|programme|planifie|prevu|arrete)\w*\s+(?:d'un|d'une|un|une)\s+"
    r"(?:nouvel?\s+|dernier\s+|autre\s+)?(?:rendez-vous|rdv|point|appel|entretien|echange|visio|rencontre)\b"
    r"(?=[^.;]{0,60}\b(?:mois|semaines|" + "|".join(_MONTH_WORDS) + r")\b)"
)
_MONTH_NAMES = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_MONTH_ALONE = re.compile(
    r"\b(?:en|au mois d'|au mois de|courant|debut|fin|mi-)\s*("
    + "|".join(_MONTH_NAMES)
    + r")\b(?!\s+\d)"
)
_MONTHS = re.compile(r"\b(\d{1,2}|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze)\s+mois\b")
_NUMBERS = {
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "douze": 12,
}  # fmt: skip


def check_follow_up(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """A follow-up interview planned about six months after the last session."""
    low, high = context.settings.follow_up_months
    scope = context.scope(requirement)
    in_scope = {id(b) for b in scope}
    others = [b for b in context.doc.blocks if id(b) not in in_scope]
    mentions = [b for b in [*scope, *others] if FOLLOW_UP.search(fold(b.text))]
    hint = (
        next((b for b in scope if _FOLLOW_UP_HINT.search(fold(b.text))), None)
        if not mentions and requirement.id in context.sections
        else None
    )
    if hint is not None:
        # The plan speaks of a follow-up or of six months in words the check does not read.
        return [
            Finding(
                "follow_up",
                f"Entretien de suivi non reconnu avec certitude (« {hint.text[:80]} ») : "
                "vérifiez qu'un entretien est prévu environ 6 mois après la dernière séance, "
                "avec son échéance.",
                hint.where,
                WARNING,
                "unsure",
            )
        ]
    if not mentions:
        return [
            Finding(
                "follow_up",
                "Aucun entretien de suivi prévu : planifiez-en un environ 6 mois après la dernière "
                "séance (« entretien de suivi à 6 mois », ou sa date).",
                severity=ERROR,
                code="none",
            )
        ]
    last = _last_session(context)
    verdicts: list[Finding] = []
    for block in mentions:
        months = _follow_up_months(block.text, last, low, high)
        if months is None:
            continue
        if low <= months <= high:
            return [
                Finding(
                    "follow_up",
                    f"Entretien de suivi prévu à environ {months:.0f} mois.",
                    block.where,
                    INFO,
                    "planned",
                )
            ]
        verdicts.append(
            Finding(
                "follow_up",
                f"Entretien de suivi prévu à environ {months:.0f} mois après la dernière séance : "
                "il est attendu vers 6 mois.",
                block.where,
                WARNING,
                "timing",
            )
        )
    if verdicts:
        return verdicts[:1]
    dated = next((b for b in mentions if any(d.value for d in find_dates(b.text))), None)
    if dated is not None and last is None:
        return [
            Finding(
                "follow_up",
                "Entretien de suivi daté, mais la date de la dernière séance est introuvable : "
                "vérifiez qu'il a lieu environ 6 mois après.",
                dated.where,
                WARNING,
                "unchecked",
            )
        ]
    return [
        Finding(
            "follow_up",
            "Entretien de suivi mentionné sans échéance : précisez-la (environ 6 mois après la "
            "dernière séance).",
            mentions[0].where,
            WARNING,
            "no_date",
        )
    ]


#: Words of a follow-up the patterns above do not read as one (« le suivi se fera par
#: téléphone », « dans six mois »); « il a suivi une formation » is the verb.
_FOLLOW_UP_HINT = re.compile(
    r"(?<!\ba\s)(?<!\bont\s)(?<!\bavait\s)(?<!\bavoir\s)\bsuivi\b|\b(?:6|six)\s+mois\b|\bfollow"
)


def _last_session(context: Context) -> date | None:
    sessions = context.sessions
    dates = [date.fromisoformat(r.date) for r in sessions.rows if r.date] if sessions else []
    return max(dates) if dates else None


def _follow_up_months(text: str, last: date | None, low: float = 5.0, high: float = 7.0) -> float | None:
    """Months between the last session and the follow-up, read after the follow-up's mention
    (« en mai …, puis en septembre »: the one about six months out when several are told)."""
    folded = fold(text)
    mention = FOLLOW_UP.search(folded)
    start = mention.start() if mention else 0
    if start > 0 and not _MONTHS.search(folded, start) and not find_dates(text[start:]):
        # « Six mois après la dernière séance, nous referons le point »: the delay is told
        # before the mention, in its sentence.
        start = max(folded.rfind(c, 0, start) for c in ".;!?") + 1
    found: list[float] = []
    for match in _MONTHS.finditer(folded, start):
        word = match.group(1)
        found.append(float(word) if word.isdigit() else float(_NUMBERS[word]))
    if last is not None:
        for mention_date in find_dates(text[start:]):
            if mention_date.value is not None and mention_date.value > last:
                found.append(months_between(last, mention_date.value))
        for alone in _MONTH_ALONE.finditer(folded, start):
            # « je la recontacterai en décembre »: the next December after the last session
            found.append(float((_MONTH_NAMES[alone.group(1)] - last.month) % 12 or 12))
    return next((m for m in found if low <= m <= high), found[0] if found else None)


#: Known tools: a pattern on folded text, and for acronyms a case-sensitive one on the original.
TOOLS: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    "RIASEC": (re.compile(r"\briasec\b|\bholland\b"), None),
    "ligne de vie": (re.compile(r"\blignes? de vie\b"), None),
    "génogramme": (re.compile(r"\bgenogramme"), None),
    "portefeuille de compétences": (
        re.compile(r"\bportefeuille de competences\b|\bportfolio\b"),
        None,
    ),
    "méthode STAR": (re.compile(r"\bmethode star\b"), re.compile(r"\bSTAR\b")),
    "photolangage": (re.compile(r"\bphoto-?langage"), None),
    "tri de cartes": (re.compile(r"\btri de cartes\b|\bjeu de cartes\b"), None),
    "questionnaire de valeurs": (
        re.compile(r"\b(?:questionnaire|inventaire|echelle)s? de(?:s)? valeurs\b"),
        None,
    ),
    "enquête métier": (
        re.compile(r"\benquetes?[- ]metiers?\b|\benquetes? (?:de|sur le) terrain\b"),
        None,
    ),
    "IRMR": (re.compile(r"\birmr\b"), None),
    "PMSMP": (
        re.compile(r"\bpmsmp\b|\bimmersions? (?:professionnelles?|en (?:milieu|entreprise))"),
        None,
    ),
    "inventaire d'intérêts": (re.compile(r"\binventaires? d'interets\b"), None),
}
#: A reason the tool fits the bénéficiaire: a purpose or a cause, not when or how long.
JUSTIFY = re.compile(
    r"\bafin\s+(?:de|d'|que|qu')|\bpour\s+qu|\bparce\s+qu|\bcar\b|\bpuisqu|\bdans\s+le\s+but\b|\ben\s+vue\s+d"
    r"|\bpermet(?:tre|tait|tant|tent)?\s+(?:de|d'|a)\b|\b(?:a|ont|avait|avaient)\s+permis\s+(?:de|d'|a)\b|\bobjectifs?\s+(?:de|d'|etait|:)|\bavai\w*\s+pour\s+(?:objectif|but)"
    r"|\bvis\w*\s+a\b|\bchoisi\w*\s+(?:pour|car|parce|afin|en\s+raison)|\ben\s+raison\s+d"
    r"|\badapte\w*\s+a\b|\bpertinen\w*|\bjustifi\w*|\bc'est\s+ce\s+qui\s+manquait|\bpour\s+l'aider"
    r"|^\W*comme\s+\w+|\bdonne\s+un\s+vocabulaire|\ba\s+montre\s+le\s+contraire"
    # Causes told otherwise: « dans la mesure où », « étant donné », « vu que », « d'où ».
    r"|\bdans\s+la\s+mesure\s+ou\b|\betant\s+donne\b|\bvu\s+(?:que\b|qu')"
    r"|\bdu\s+fait\s+(?:que|qu'|de|d')|\bcompte\s+tenu\s+d|\bd'ou\s+(?:le|la|les|l'|ce|cette)\b"
)
#: « pour » + an infinitive (« pour objectiver », « pour le situer ») is a purpose; « pour la séance
#: 4 », « pour une durée d'une heure » are not.
_POUR_VERB = re.compile(
    r"\bpour\s+(?:(?:l'|le\s+|la\s+|les\s+|lui\s+|leur\s+|se\s+|s'|y\s+|en\s+|mieux\s+|ne\s+pas\s+)*)([a-z]+(?:er|ir|re|oir))\b"
)
_NOT_VERBS = frozenset(
    "centre cadre titre livre lettre membre ordre nombre chiffre votre notre autre entre contre "
    "premiere derniere carriere matiere maniere filiere frontiere heure metier dossier premier dernier "
    "papier quartier atelier chantier cahier fichier calendrier hiver fer leger entier foyer loyer "
    "danger etranger dejeuner diner clavier courrier particulier plaisir avenir desir soir savoir "
    "pouvoir devoir espoir miroir noir loisir".split()
)
#: The bénéficiaire's difficulty or words, to which the tool answers (an implicit justification).
_NEED = re.compile(
    r"\b(?:peinai\w*|doutai\w*|hesitai\w*|ignorai\w*|minimis\w*|repetai\w*|disai\w*|exprimai\w*|"
    r"ne\s+savai\w*|n'arrivai\w*|avai\w*\s+du\s+mal|besoin\s+d)"
)


def _justifies(text: str) -> bool:
    """Whether the sentences say why the tool was chosen for this bénéficiaire."""
    folded = fold(text)
    if JUSTIFY.search(folded) or _NEED.search(folded):
        return True
    return any(m.group(1) not in _NOT_VERBS for m in _POUR_VERB.finditer(folded))


_GENOGRAM_CONSENT = re.compile(r"\bconsent|\baccord\b|\baccepte")
_PMSMP_PRESCRIBER = re.compile(r"\bfrance travail\b|\bmission locale\b|\bcap emploi\b|\bprescri")


_SENTENCE = re.compile(r"[^.!?;]+[.!?;]?")
_NEGATED = re.compile(
    r"\bn['e]\s*(?:\w+\s+){0,2}pas\b|\bpas\s+(?:ete\s+)?(?:utilise|propose|retenu|mobilise)"
    r"|\bnon\s+(?:utilise|retenu|propose)|\becarte|\brenonce|\bsans\s+(?:recourir|utiliser)"
)


_SUBORDINATE = re.compile(
    r"\b(?:parce\s+qu|car\b|afin\b|pour\b|puisqu|qu'|que\b|lorsqu|quand\b|comme\b|si\b)"
)


def _tool_text(block: Block, tool: str) -> str:
    """What a block says of one tool: the whole block when it names no other known tool, else
    from the sentence naming this tool up to the next sentence naming another one (« La ligne
    de vie, parce que … Le RIASEC, en séance 4. »: the reason is the ligne de vie's)."""
    folded = fold(block.text)
    others = [p for name, p in TOOLS.items() if name != tool]
    if not any(p[0].search(folded) or (p[1] and p[1].search(block.text)) for p in others):
        return block.text
    own = TOOLS[tool]
    parts: list[str] = []
    inside = False
    for sentence in _SENTENCE.finditer(folded):
        text = sentence.group(0)
        original = block.text[sentence.start() : sentence.end()]
        names_own = bool(own[0].search(text) or (own[1] and own[1].search(original)))
        names_other = any(p[0].search(text) or (p[1] and p[1].search(original)) for p in others)
        if names_own:
            inside = True
        elif names_other:
            inside = False
        if inside:
            parts.append(original)
    return " ".join(parts)


def _mentions(
    blocks: Sequence[Block], patterns: tuple[re.Pattern[str], re.Pattern[str] | None]
) -> list[Block]:
    """Blocks naming the tool as used (« le génogramme n'a pas été utilisé » does not count)."""
    folded_pattern, original = patterns
    found: list[Block] = []
    for block in blocks:
        folded = fold(block.text)
        if not folded_pattern.search(folded) and not (original and original.search(block.text)):
            continue
        for sentence in _SENTENCE.finditer(folded):
            start, end = sentence.span()
            named = folded_pattern.search(sentence.group(0)) or (
                original is not None and original.search(block.text[start:end])
            )
            if not named:
                continue
            # The negation of the clause naming the tool (« ne parvenait pas » after « parce
            # qu'elle » is the bénéficiaire's difficulty, not the tool left aside).
            clause = sentence.group(0)
            tool_end = named.end() if isinstance(named, re.Match) else 0
            cut = _SUBORDINATE.search(clause, tool_end)
            if not _NEGATED.search(clause[: cut.start()] if cut else clause):
                found.append(block)
                break
    return found


def check_tool_justification(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """Each known tool named has a justification in a paragraph that names it."""
    scope = context.scope(requirement)
    findings: list[Finding] = []
    for tool, patterns in TOOLS.items():
        named = _mentions(scope, patterns)
        if not named:
            continue
        everywhere = _mentions(context.doc.blocks, patterns)
        prose = [
            b
            for b in [*named, *everywhere]
            if b.kind != ROW or (parse_duration(b.text) is None and not find_dates(b.text))
        ]  # a session row explains nothing; a row « Outil | raison » does
        justified = next((b for b in prose if _justifies(_tool_text(b, tool))), None)
        if justified is not None:
            findings.append(
                Finding(
                    "tool_justification",
                    f"{tool} : justification trouvée.",
                    justified.where,
                    INFO,
                    "justified",
                    tool,
                )
            )
        else:
            findings.append(
                Finding(
                    "tool_justification",
                    f"{tool} : outil cité sans justification de son choix. Expliquez pourquoi "
                    "(« afin de… », « pour… », « parce que… ») dans le paragraphe qui le présente.",
                    named[0].where,
                    WARNING,
                    "unjustified",
                    tool,
                )
            )
        if tool == "génogramme" and not any(
            _GENOGRAM_CONSENT.search(fold(b.text)) for b in everywhere
        ):
            findings.append(
                Finding(
                    "tool_justification",
                    "Le génogramme touche à la vie familiale : indiquez que le bénéficiaire y a consenti.",
                    named[0].where,
                    WARNING,
                    "genogram_consent",
                    tool,
                )
            )
        if tool == "PMSMP" and not any(_PMSMP_PRESCRIBER.search(fold(b.text)) for b in everywhere):
            findings.append(
                Finding(
                    "tool_justification",
                    "La PMSMP est prescrite par France Travail, une Mission locale ou Cap emploi "
                    "(pas par le consultant) : précisez le prescripteur.",
                    named[0].where,
                    WARNING,
                    "pmsmp_prescriber",
                    tool,
                )
            )
    if not findings:
        findings.append(
            Finding(
                "tool_justification",
                "Aucun outil connu repéré (RIASEC, ligne de vie, portefeuille de compétences, "
                "méthode STAR, enquête métier…) : vérifiez que chaque outil utilisé est nommé et justifié.",
                severity=WARNING,
                code="no_tool",
            )
        )
    return findings


CONSENT = re.compile(
    r"\bconsent(?:ement|ements|i|ie|ir|s)\b|\baccord\s+(?:ecrit|signe|explicite|libre|prealable)"
    r"|\bdonne\s+son\s+accord\b|\bautorisation\s+(?:ecrite|signee)"
    r"|\baccepte\w*\s+par\s+ecrit\b|\bpar\s+ecrit\s+son\s+accord\b"
    # « elle a accepté que son parcours soit présenté », « il m'a autorisé(e) à utiliser … »
    r"|\baccepte\w*\s+(?:que|qu')\s*(?:son|sa|ses|ce|cette|mon|le|la|l')\s*(?:cas|parcours|bilan|histoire|situation|dossier|accompagnement|exemple)"
    r"|\bautoris\w*\s+(?:a\s+(?:utiliser|presenter|exploiter)|l'utilisation|que)"
)


def check_consent(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """The bénéficiaire's consent is mentioned (in the section first, else anywhere)."""
    scope = context.scope(requirement)
    for blocks in (scope, context.doc.blocks):
        block = next((b for b in blocks if CONSENT.search(fold(b.text))), None)
        if block is not None:
            return [
                Finding(
                    "consent", "Consentement du bénéficiaire mentionné.", block.where, INFO, "found"
                )
            ]
    hint = next((b for b in context.doc.blocks if _CONSENT_HINT.search(fold(b.text))), None)
    if hint is not None:
        return [
            Finding(
                "consent",
                f"Consentement non reconnu avec certitude (« {hint.text[:80]} ») : vérifiez que "
                "le dossier dit que le bénéficiaire a consenti au bilan et à l'utilisation "
                "anonymisée de son cas.",
                hint.where,
                WARNING,
                "unsure",
            )
        ]
    return [
        Finding(
            "consent",
            "Le consentement du bénéficiaire n'est pas mentionné (au bilan, et à l'utilisation "
            "anonymisée de son cas pour la certification).",
            severity=ERROR,
            code="missing",
        )
    ]


#: Words of an agreement the pattern above does not read as the bénéficiaire's consent.
_CONSENT_HINT = re.compile(r"\bson\s+accord\b|\bleur\s+accord\b|\baccepte\w*\s+que\b|\bautoris\w*")


def check_anonymisation(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """Identifying details anywhere in the file, each with its location."""
    hits = context.identifying
    if not hits:
        return [
            Finding(
                "anonymisation",
                "Aucune donnée identifiante repérée automatiquement (relisez tout de même le dossier).",
                severity=INFO,
                code="clean",
            )
        ]
    return [
        Finding("anonymisation", h.message, h.location, h.severity, h.code, h.excerpt) for h in hits
    ]


#: Conditions and health situations: a finding in a sentence about a person, unless the sentence
#: is about other people (patients, residents, a neighbour…). Patterns on folded text.
HEALTH_CONDITIONS: dict[str, re.Pattern[str]] = {
    "dépression": re.compile(r"\bdepressi(?:on|f|ve)s?\b|\b(?:traitement\s+)?antidepresseurs?"),
    "burn-out": re.compile(r"\bburn[- ]?out\b|\bepuisement\s+(?:professionnel|psychique)"),
    "cancer": re.compile(
        r"\bcancers?\b|\bchimiotherapie|\bradiotherapie|\btumeurs?\b|\bleucemie|\blymphome"
    ),
    "RQTH": re.compile(
        r"\brqth\b|\breconnaissance de la qualite de travailleu\w+ handicape\w*"
        r"|\btravailleu(?:r|se) handicape\w*"
    ),
    "arrêt maladie": re.compile(r"\barrets? (?:maladie|de travail)\b|\bconges? maladie\b"),
    "invalidité": re.compile(r"\b(?:pension d'|rente d')?invalidite\b"),
    "inaptitude": re.compile(r"\binaptitude\b|\binapte\b"),
    "mi-temps thérapeutique": re.compile(r"\bmi-temps therapeutique\b"),
    "accident": re.compile(
        r"\baccidents? (?:grave |serieux )?(?:du travail|de travail|du trajet|de (?:la route|la circulation|la voie publique"
        r"|voiture|moto|scooter|velo|quad|trottinette|camion|tracteur|bus|car|trajet|sport|ski|chantier|chasse"
        r"|plongee|cheval|parapente)|domestique|de la vie courante)\b"
        r"|\bsequelles?\b|\bfractures?\b(?! (?:numerique|sociale|territoriale|generationnelle))|\b(?:depuis|apres|avant)\s+(?:son|sa|un|une|mon)\s+(?:accident|operation|chute)\b(?: (?:du|de la|de l'|des) ?\w+)?"
    ),
    "ALD": re.compile(r"\bald\b|\baffection de longue duree\b"),
    "troubles": re.compile(
        r"\btroubles? (?:anxieux|bipolaires?|musculo[\w-]*|dys\w*|du sommeil|psychiques?|de l'humeur"
        r"|alimentaires?|de la sante|de l'attention|cardiaques?|auditifs?|visuels?)|\btms\b"
    ),
    "appareil locomoteur": re.compile(
        r"\blombalgi\w*|\bhernies? discales?|\btendinites?|\bsciatiques?\b|\barthrose\b"
        r"|\bpolyarthrite\w*|\bfibromyalgi\w*|\bcanal carpien\b|\bepicondylite\b|\blumbago\b"
        r"|\bmal(?:\s+au|\s+de)\s+dos\b|\bdouleurs? (?:lombaires?|dorsales?|cervicales?|chroniques?|articulaires?|au dos|aux? (?:epaules?|genoux?|poignets?|dos))"
        r"|\bepaule (?:bloquee|operee)|\bgenou opere|\boperee? du (?:dos|genou|coeur|poignet|canal)"
    ),
    "maladie chronique": re.compile(
        r"\bdiabet\w*|\basthm\w*|\bhypertension\b|\bsclerose en plaques\b|\bepilep\w*"
        r"|\bmaladie (?:de crohn|chronique|auto-immune|cardiaque|rare|grave)\b|\binsuffisance (?:cardiaque|renale|respiratoire)"
        r"|\bvih\b|\bseropositi\w*|\bhepatite\b|\bavc\b|\binfarctus\b|\bcrise cardiaque\b|\bpontage\b|\baccident vasculaire"
        r"|\bparkinson\b|\bendometriose\b|\bmigraines? chroniques?"
    ),
    "sommeil": re.compile(
        r"\binsomni\w*|\bdifficultes? (?:de|a|du) (?:sommeil|dormir|s'endormir)|\bapnees? du sommeil"
        r"|\bproblemes? de sommeil|\bmal dormi|\bne dort plus\b"
    ),
    "anxiété": re.compile(
        r"\banxi(?:ete|eux|euse)\b|\bcrises? d'angoisse\b|\battaques? de panique|\bstress post-traumatique"
    ),
    "addiction": re.compile(r"\baddictions?\b|\balcoolisme\b|\bsevrage\b"),
    "hospitalisation": re.compile(r"\bhospitalis\w*(?! a domicile)"),
    "traitement": re.compile(
        r"\b(?:(?:son|sa|ses|un|mon|ma|mes)\s+)?traitements? (?:antidouleurs?|medicamenteux|lourds?|hormona\w*)"
        r"|\b(?:son|sa|ses|un|mon|ma|mes) traitements?\b(?! (?:de|des|du) )"
    ),
    "médecin": re.compile(
        r"\bmedecins? (?:du travail|traitants?|specialistes?|psychiatres?)\b"
        r"|\b(?:son|sa|mon|ma|ses|mes|leur) (?:medecin|psychiatre|psychologue|kinesitherapeute|kine|rhumatologue|oncologue|cardiologue)\b(?: traitant| du travail)?"
        r"|\bpsychiatr\w*|\bpsychotherap\w*|\b(?:une|sa|son)\s+therapies?\b"
    ),
    "médical": re.compile(
        r"\b(?:restrictions?|contre-indications?|avis|certificats?|suivis?|questions?|raisons?|problemes?|dossiers?)"
        r" medica(?:l|le|les|ux)\b|\bmedicaments?\b|\bappareils? (?:medica\w*|auditifs?)"
    ),
    "handicap": re.compile(
        r"\b(?:son|sa|ses|mon|un|en raison d'un|du fait d'un) handicap\b|\bhandicape(?:e)?\b"
    ),
    "santé": re.compile(r"\bproblemes? de sante\b|\braisons? de sante\b|\betat de sante\b"),
    "dermatologie": re.compile(
        r"\beczema\w*|\bpsoriasis\b|\bdermatite\w*|\bdermatose\w*|\burticaire\w*|\bacne severe"
    ),
    "allergie": re.compile(r"\ballergi\w*|\bintolerances? (?:au|a la|aux|alimentaires?)\b|\boedeme\b"),
    "neurologie": re.compile(
        r"\bmigraine\w*|\bcephalees?\b|\bvertiges?\b|\bneuropathi\w*|\bcommotion\b"
        r"|\btraumatisme cranien\b|\bparalysi\w*|\bhemiplegi\w*|\bnevralgi\w*"
    ),
    "ORL et vue": re.compile(
        r"\bacouphenes?\b|\bsurdite\b|\bmalentendant\w*|\bhyperacousie\b|\bmalvoyant\w*"
        r"|\bbaisse (?:de (?:la )?vue|d'audition|auditive)\b|\bglaucome\b|\bdmla\b"
    ),
    "santé mentale": re.compile(
        r"\bphobi\w*|\btoc\b|\bschizophren\w*|\bbipolaire\w*|\bidees noires\b|\btentative de suicide"
        r"|\bdecompensation\b|\bstress (?:chronique|post)\w*|\bsyndrome (?:anxio|depressif)\w*"
    ),
    "digestif": re.compile(
        r"\bhernies? (?:inguinale|ombilicale|hiatale)s?\b|\brectocolite\b|\bcolopathie\w*"
        r"|\bulceres? (?:a l'estomac|gastrique|de l'estomac)|\bmaladie coeliaque\b|\bcrohn\b"
    ),
    "grossesse": re.compile(
        r"\bgrossesse (?:difficile|pathologique|a risque|compliquee)|\bfausses? couches?\b"
        r"|\bconges? pathologique\b|\bpost[- ]partum\b|\bprematur\w+ (?:de son|de sa)\b"
    ),
    "dépendance": re.compile(
        r"\b(?:dependance|addiction) a (?:l'alcool|la drogue|au cannabis|aux jeux)|\btoxicomani\w*"
        r"|\balcoolique\b|\bcure de desintoxication\b"
    ),
    "blessure": re.compile(
        r"\b(?:traumatismes?|fractures?|entorses?|luxations?|tendinites?|ruptures?|dechirures?"
        r"|elongations?|contusions?|lesions?|blessures?|claquages?|foulures?|tassements?|hernies?)"
        r"(?:\s+(?:grave|severe|legere|mal soignee|chronique|complete|partielle|ancienne|double|ouverte"
        r"|recidivante|importante|serieuse)s?)?\s+(?:du|de la|de l'|des|d'un|d'une|au|a la|a l'|aux)\s*"
        r"(?:(?:ligaments?|tendons?|menisques?|vertebres?|os|muscles?|cartilages?|disques?)\s+(?:du|de la|de l'|des|croises?)?\s*)?"
        r"(?:genoux?|chevilles?|epaules?|poignets?|coudes?|hanches?|dos|bras|jambes?|mains?|pieds?"
        r"|doigts?|pouces?|nuque|cou|colonne|vertebr\w*|menisques?|ligaments?|tendons?|talons?|achille"
        r"|cervicales?|lombaires?|bassin|cotes?|clavicules?|femur|tibia|perone|rotules?|coiffe|crane"
        r"|machoire|yeux|oeil|cuisses?|mollets?|orteils?|omoplates?|sternum|avant-bras|coccyx|sacrum"
        r"|rachis|rein|poumon)\b"
    ),
    "fatigue": re.compile(
        r"\bfatigue (?:chronique|persistante|intense|extreme|permanente|ecrasante)"
        r"|\basthenie\b|\bepuise(?:e|ment)? (?:physiquement|nerveusement|moralement)\b"
    ),
    "syndrome": re.compile(
        r"\bsyndrome (?:de |du |des |d')(?!l'imposteur|la page|stockholm)\w+(?:-\w+)?"
        r"|\bsyndrome (?:post-\w+|inflammatoire|metabolique)"
    ),
    "chronique": re.compile(
        r"\b(?:poussees?|maladie|douleurs?) inflammatoires?\b|\blupus\b|\bspondylarthrite\b"
        r"|\bthyroide\b|\bobesite\b|\banemie\b|\bconvalescen\w*|\breeducation\b"
        r"|\bchirurgie (?:du|de la|de l')\b|\bopere\w* (?:du|de la|de l'|des|d'un|d'une|de son|de sa|de ses)\b"
        r"|\b(?:a|ont|avait|avaient) ete operee?s?\b(?! (?:du|de la|de l'))(?: en \w+| il y a \w+ \w+| l'an \w+)?|\bs'est fait\w* operer\b"
    ),
}
#: Health vocabulary about other people or a job: the sentence is not about the bénéficiaire's
#: health (a nurse's patients, an auxiliary's residents, a neighbour's illness, a public body).
OTHERS_HEALTH = re.compile(
    r"\bpatients?\b|\bresidents?\b|\busagers?\b|\bpersonnes? (?:agees|en situation de handicap|handicapees|malades"
    r"|dependantes|accompagnees|suivies)|\bvoisine?s?\b|\b(?:des|aux|les) malades\b|\ben service de\b"
    r"|\bassurance maladie\b|\bcaisse primaire\b|\bhospitalisation a domicile\b|\bsoins (?:infirmiers|aux|a domicile)"
    r"|\bsecteur (?:medical|sanitaire|hospitalier)\b|\bdelegue\w* medica\w*|\bvisiteu\w* medica\w*"
    r"|\bsecretaire\w* medica\w*|\bmateriel medical\b|\bdispositifs? medicaux\b|\bpolitique handicap\b"
    r"|\breferent\w* handicap\b|\bmission handicap\b|\bn'(?:est|etait) pas (?:une? )?(?:psycho)?therapie"
    r"|\bni (?:une? )?(?:psycho)?therapie|\bpas (?:une? )?(?:psycho)?therapie"
)
_HEALTH_SENTENCE = re.compile(r"[^.!?;]+[.!?;]?")
#: A health word whose complement is a group of other people: « les accidents du travail des
#: compagnons », « le médecin du travail de l'équipe », « les arrêts maladie de l'équipe ».
_OF_OTHERS = r"(?!\s+(?:de l'|de son |de ses |de leur |de leurs |de mon |de mes |des |du |aux )(?:equipes?|collegues|compagnons|salaries|agents|ouvriers|collaborateurs|personnel|equipiers|interimaires|subordonnes|employes|eleves|enfants|jeunes|stagiaires|apprentis|chauffeurs|operateurs|techniciens|benevoles)\b)"
HEALTH_CONDITIONS = {
    term: re.compile(f"(?:{pattern.pattern}){_OF_OTHERS}")
    for term, pattern in HEALTH_CONDITIONS.items()
}


def find_health_terms(doc: Document) -> list[Finding]:
    """Health data about the bénéficiaire: each mention found, with its words and location."""
    findings: list[Finding] = []
    for block in [*doc.blocks, *doc.extras]:
        folded = fold(block.text)
        for sentence in _HEALTH_SENTENCE.finditer(folded):
            text = sentence.group(0)
            if OTHERS_HEALTH.search(text):
                continue
            taken = Spans()
            offset = sentence.start()
            found: list[tuple[int, int, str]] = []
            for term, pattern in HEALTH_CONDITIONS.items():
                for match in pattern.finditer(text):
                    if taken.claim(*match.span()):
                        found.append((match.start(), match.end(), term))
            for start, end, _term in sorted(found):
                words = block.text[offset + start : offset + end]
                findings.append(
                    Finding(
                        "health_terms",
                        f"Donnée de santé : « {words} ». Vérifiez qu'elle est nécessaire au propos "
                        "et qu'elle ne permet pas d'identifier le bénéficiaire (sinon, « une "
                        "raison de santé » suffit).",
                        block.where,
                        WARNING,
                        "health",
                        words,
                    )
                )
    return findings


def check_health_terms(context: Context, requirement: DossierRequirement) -> list[Finding]:
    """Health vocabulary flagged for the candidate to review (warnings, not errors)."""
    return context.health


CHECKS: dict[str, Check] = {
    "section_present": check_section_present,
    "word_count": check_word_count,
    "session_hours": check_session_hours,
    "phases": check_phases,
    "dated_actions": check_dated_actions,
    "follow_up": check_follow_up,
    "tool_justification": check_tool_justification,
    "consent": check_consent,
    "anonymisation": check_anonymisation,
    "health_terms": check_health_terms,
}
