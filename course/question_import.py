"""Import knowledge checks from the formats trainers already have: Moodle XML and GIFT.

Both are Moodle's own question-bank formats (« Exporter » in the question bank). The question
types that map to ours are imported: multiple choice with one or several right answers
(``multichoice``) and true/false (``truefalse``), with their feedback. Every other question
(short answer, numerical, matching, essay, cloze, drag and drop, descriptions…) is reported with
its line (GIFT) or its position and name (XML) and the reason, never silently dropped.

The result is Markdown in our question syntax (``<!-- question: id -->`` … ``<!-- /question -->``),
parsed back with the same parser as every module, so what is imported is exactly what the
checker accepts; its errors are part of the report.

``python -m course.question_import FICHIER [--format gift|xml]`` prints the Markdown on the
standard output and the report on the error output.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from markdownify import markdownify

from course.errors import ErrorList, lines_of
from course.frontmatter import COMPETENCIES
from course.questions import (
    MAX_PROPOSITIONS,
    MIN_PROPOSITIONS,
    Question,
    parse_segments,
    questions_of,
)

#: Largest file accepted (a question bank export of several hundred questions is far below).
MAX_BYTES = 2_000_000

#: Moodle question types, in French, for the report.
TYPE_NAMES = {
    "multichoice": "choix multiple",
    "truefalse": "vrai/faux",
    "shortanswer": "réponse courte",
    "numerical": "numérique",
    "matching": "appariement",
    "essay": "composition",
    "description": "description (texte seul)",
    "multianswer": "réponses intégrées (cloze)",
    "ddwtos": "glisser-déposer sur texte",
    "ddimageortext": "glisser-déposer sur image",
    "ddmarker": "glisser-déposer de marqueurs",
    "gapselect": "sélection de mots manquants",
    "calculated": "calculée",
    "calculatedsimple": "calculée simple",
    "calculatedmulti": "calculée à choix multiple",
    "randomsamatch": "appariement aléatoire",
    "ordering": "mise en ordre",
}

COMPETENCY_IN_TEXT = re.compile(r"\bC([1-7])\b")


@dataclass(frozen=True)
class Skipped:
    """A question that was not imported, and why."""

    where: str
    name: str
    kind: str
    reason: str

    def __str__(self) -> str:
        label = f"« {self.name} » " if self.name else ""
        return f"{self.where} : question {label}({self.kind}) non importée : {self.reason}"


@dataclass
class Draft:
    """A question read from the file, before it is written in our syntax."""

    where: str
    name: str
    stem: str
    answers: list[tuple[str, bool, str]]  # text, correct, feedback
    multiple: bool
    explanation: str
    competency: str | None = None
    id: str = ""


@dataclass
class ImportReport:
    """What an import produced: Markdown, the questions it holds, what was left out and why."""

    source_format: str
    markdown: str = ""
    questions: tuple[Question, ...] = ()
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file could be read and everything imported passes the checker."""
        return not self.errors

    def lines(self) -> list[str]:
        """The report, one line per fact, in French."""
        imported = len(self.questions)
        out = [
            f"Format {self.source_format} : {imported} question{'s' if imported > 1 else ''} "
            f"importée{'s' if imported > 1 else ''}, {len(self.skipped)} non importée"
            f"{'s' if len(self.skipped) > 1 else ''}."
        ]
        out += [str(s) for s in self.skipped]
        out += [f"attention : {w}" for w in self.warnings]
        out += [f"erreur : {e}" for e in self.errors]
        return out


# --------------------------------------------------------------------------- common


def slug(text: str) -> str:
    """A question id from a name: lower case ASCII words joined by hyphens (at most 60 chars)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    value = "-".join(words)[:60].strip("-")
    return value or "question"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _competency(*texts: str) -> str | None:
    for text in texts:
        match = COMPETENCY_IN_TEXT.search(text or "")
        if match:
            return f"C{match.group(1)}"
    return None


def _classify(
    where: str, name: str, answers: list[tuple[str, float, str]]
) -> tuple[list[tuple[str, bool, str]] | None, bool, str | None, list[str]]:
    """Right answers from Moodle fractions: (answers, multiple, reason not imported, warnings)."""
    warnings: list[str] = []
    full = [a for a in answers if a[1] >= 99.99]
    positive = [a for a in answers if a[1] > 0]
    label = f"{where} « {name} »" if name else where
    if len(full) == 1:
        if len(positive) > 1:
            warnings.append(
                f"{label} : crédit partiel sur des réponses fausses ignoré "
                "(seule la réponse à 100 % est juste ici)"
            )
        return [(t, f >= 99.99, fb) for t, f, fb in answers], False, None, warnings
    if len(full) > 1:
        return None, False, "plusieurs réponses valent 100 % : une seule est attendue", warnings
    if not positive:
        return None, False, "aucune réponse juste", warnings
    total = sum(f for _, f, _ in positive)
    if len(positive) >= 2 and abs(total - 100) < 1:
        warnings.append(
            f"{label} : question à plusieurs réponses ; ici elle est réussie quand exactement "
            "les bonnes réponses sont cochées (pas de points partiels)"
        )
        return [(t, f > 0, fb) for t, f, fb in answers], True, None, warnings
    return None, False, "aucune réponse ne vaut 100 % (notation partielle non reprise)", warnings


# --------------------------------------------------------------------------- Moodle XML


def _html_to_markdown(html: str, text_format: str = "html") -> str:
    if text_format in ("plain_text", "markdown", "moodle_auto_format"):
        return html.strip()
    return str(
        markdownify(html, heading_style="ATX", bullets="-", escape_underscores=False)
    ).strip()


def _text(element: Element | None) -> tuple[str, str]:
    """The ``<text>`` of an element and its ``format`` attribute ('' when absent)."""
    if element is None:
        return "", ""
    child = element.find("text")
    value = (child.text or "") if child is not None else (element.text or "")
    return value, element.get("format", "html")


def _rich(element: Element | None, warnings: list[str], label: str) -> str:
    value, text_format = _text(element)
    if "@@PLUGINFILE@@" in value or "<img" in value.lower():
        warnings.append(f"{label} : image non importée (ajoutez-la au module à la main)")
    return _html_to_markdown(value, text_format)


def import_moodle_xml(data: bytes) -> ImportReport:
    """Read a Moodle XML question export (``<quiz>``)."""
    report = ImportReport("Moodle XML")
    if len(data) > MAX_BYTES:
        report.errors.append(f"fichier trop gros ({len(data)} octets, {MAX_BYTES} au plus)")
        return report
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException:
        report.errors.append("fichier refusé : il déclare des entités XML (non acceptées)")
        return report
    except SafeET.ParseError as error:
        report.errors.append(f"fichier XML illisible : {error}")
        return report
    if root.tag != "quiz":
        report.errors.append("ce n'est pas un export de questions Moodle (élément <quiz> attendu)")
        return report
    category = ""
    drafts: list[Draft] = []
    position = 0
    for question in root.findall("question"):
        kind = question.get("type", "")
        if kind == "category":
            category, _ = _text(question.find("category"))
            continue
        position += 1
        name_element = question.find("name")
        name = _one_line(_text(name_element)[0]) if name_element is not None else ""
        where = f"question {position}"
        label = f"{where} « {name} »"
        if kind not in ("multichoice", "truefalse"):
            absent = "ce type n'existe pas dans nos contrôles de connaissances (choix unique ou multiple)"
            report.skipped.append(Skipped(where, name, TYPE_NAMES.get(kind, kind or "?"), absent))
            continue
        stem = _rich(question.find("questiontext"), report.warnings, label)
        explanation = _rich(question.find("generalfeedback"), report.warnings, label)
        answers: list[tuple[str, float, str]] = []
        for answer in question.findall("answer"):
            try:
                fraction = float(answer.get("fraction", "0"))
            except ValueError:
                fraction = 0.0
            text = _one_line(_rich(answer, report.warnings, label))
            if kind == "truefalse":
                text = {"true": "Vrai", "false": "Faux"}.get(text.lower(), text)
            feedback = _rich(answer.find("feedback"), report.warnings, label)
            answers.append((text, fraction, feedback))
        single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
        if kind == "multichoice" and not single:
            # Moodle's « plusieurs réponses » : the right answers are those worth points.
            classified: list[tuple[str, bool, str]] | None = [
                (t, f > 0, fb) for t, f, fb in answers
            ]
            multiple, warnings = True, []
            reason: str | None = None
            if not any(f > 0 for _, f, _ in answers):
                classified, reason = None, "aucune réponse juste"
            else:
                warnings.append(
                    f"{label} : question à plusieurs réponses ; ici elle est réussie quand "
                    "exactement les bonnes réponses sont cochées (pas de points partiels)"
                )
        else:
            classified, multiple, reason, warnings = _classify(where, name, answers)
        report.warnings += warnings
        if classified is None:
            report.skipped.append(Skipped(where, name, TYPE_NAMES[kind], reason or ""))
            continue
        tags = " ".join(t.text or "" for t in question.findall("tags/tag/text"))
        drafts.append(
            Draft(
                where=where,
                name=name,
                stem=stem,
                answers=classified,
                multiple=multiple,
                explanation=explanation,
                competency=_competency(tags, category),
            )
        )
    return _finish(report, drafts)


# --------------------------------------------------------------------------- GIFT

_ESCAPES = {
    "\\:": "\x01",
    "\\~": "\x02",
    "\\=": "\x03",
    "\\#": "\x04",
    "\\{": "\x05",
    "\\}": "\x06",
}
_UNESCAPE = {"\x01": ":", "\x02": "~", "\x03": "=", "\x04": "#", "\x05": "{", "\x06": "}"}
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]")


def _protect(text: str) -> str:
    text = text.replace("\\\\", "\x07")
    for escaped, mark in _ESCAPES.items():
        text = text.replace(escaped, mark)
    return text.replace("\\n", "\n")


def _restore(text: str) -> str:
    for mark, char in _UNESCAPE.items():
        text = text.replace(mark, char)
    return text.replace("\x07", "\\")


def _gift_format(text: str) -> str:
    """The ``[format]`` a GIFT question text starts with (``moodle`` when none)."""
    match = _FORMAT.match(text.strip())
    return match.group(1) if match else "moodle"


def _gift_text(text: str, text_format: str = "moodle") -> str:
    """A GIFT text as Markdown: its own ``[format]`` prefix, else the question's format."""
    text = text.strip()
    match = _FORMAT.match(text)
    if match:
        text_format = match.group(1)
        text = text[match.end() :].strip()
    text = _restore(text)
    if text_format == "html":
        return _html_to_markdown(text)
    return text


def _gift_chunks(source: str) -> list[tuple[int, str]]:
    """Questions as (first line, text): comment lines dropped, blank lines separate questions."""
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines_of(source), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                chunks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        chunks.append((start, "\n".join(current)))
    return chunks


def _gift_answers(section: str, fmt: str) -> list[tuple[str, float, str]]:
    parts = re.split(r"(?=[~=])", section)
    answers = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        fraction = 100.0 if part[0] == "=" else 0.0
        body = part[1:].strip() if part[0] in "~=" else part
        weight = _WEIGHT.match(body)
        if weight:
            fraction = float(weight.group(1).replace(",", "."))
            body = body[weight.end() :].strip()
        text, _, feedback = body.partition("#")
        answers.append((_one_line(_gift_text(text, fmt)), fraction, _gift_text(feedback, fmt)))
    return answers


def _gift_question(line: int, chunk: str, category: str, report: ImportReport) -> Draft | None:
    text = _protect(chunk)
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end > 0:
            name = _one_line(_restore(text[2:end]))
            text = text[end + 2 :]
    where = f"ligne {line}"
    start, finish = text.find("{"), text.rfind("}")
    if start < 0 or finish < start:
        report.skipped.append(Skipped(where, name, TYPE_NAMES["description"], "pas de réponses"))
        return None
    before, section, after = text[:start], text[start + 1 : finish].strip(), text[finish + 1 :]
    general = ""
    if "####" in section:
        section, general = section.split("####", 1)
        section = section.strip()
    # Answers and feedback are written in the question text's format (as Moodle reads them).
    fmt = _gift_format(before)
    stem = _gift_text(before)
    if after.strip():  # missing word format: the answers stand for a blank in the sentence
        stem = f"{stem} _____ {_gift_text(after, fmt)}".strip()
    if not section:
        report.skipped.append(Skipped(where, name, TYPE_NAMES["essay"], "réponse libre"))
        return None
    if section.startswith("#"):
        report.skipped.append(Skipped(where, name, TYPE_NAMES["numerical"], "réponse numérique"))
        return None
    head, _, rest = section.partition("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        truth = head.strip().upper().startswith("T")
        feedbacks = rest.split("#") if rest else []
        wrong = _gift_text(feedbacks[0], fmt) if feedbacks else ""
        right = _gift_text(feedbacks[1], fmt) if len(feedbacks) > 1 else ""
        answers = [
            ("Vrai", truth, right if truth else wrong),
            ("Faux", not truth, wrong if truth else right),
        ]
        return Draft(
            where, name, stem, answers, False, _gift_text(general, fmt), _competency(name, category)
        )
    if "->" in section:
        report.skipped.append(Skipped(where, name, TYPE_NAMES["matching"], "appariement"))
        return None
    if "~" not in section:
        report.skipped.append(
            Skipped(where, name, TYPE_NAMES["shortanswer"], "réponse à taper, sans propositions")
        )
        return None
    classified, multiple, reason, warnings = _classify(where, name, _gift_answers(section, fmt))
    report.warnings += warnings
    if classified is None:
        report.skipped.append(Skipped(where, name, TYPE_NAMES["multichoice"], reason or ""))
        return None
    return Draft(
        where,
        name,
        stem,
        classified,
        multiple,
        _gift_text(general, fmt),
        _competency(name, category),
    )


def import_gift(source: str) -> ImportReport:
    """Read a GIFT file (Moodle's text format)."""
    report = ImportReport("GIFT")
    if len(source.encode("utf-8")) > MAX_BYTES:
        report.errors.append(f"fichier trop gros ({MAX_BYTES} octets au plus)")
        return report
    drafts: list[Draft] = []
    category = ""
    for line, chunk in _gift_chunks(source):
        if chunk.lstrip().startswith("$CATEGORY:"):
            category = chunk.split(":", 1)[1].strip()
            continue
        draft = _gift_question(line, chunk, category, report)
        if draft is not None:
            drafts.append(draft)
    return _finish(report, drafts)


# --------------------------------------------------------------------------- output


def _blockquote(text: str) -> list[str]:
    return [f"  > {line}".rstrip() for line in lines_of(text)]


def _write(draft: Draft) -> str:
    attributes = " type=multiple" if draft.multiple else ""
    if draft.competency in COMPETENCIES:
        attributes += f" competency={draft.competency}"
    lines = [f"<!-- question: {draft.id}{attributes} -->", draft.stem.strip(), ""]
    for text, correct, feedback in draft.answers:
        lines.append(f"- [{'x' if correct else ' '}] {text}")
        if feedback.strip():
            lines += _blockquote(feedback)
    lines += ["", draft.explanation.strip(), "<!-- /question -->"]
    return "\n".join(lines)


def _finish(report: ImportReport, drafts: list[Draft]) -> ImportReport:
    used: set[str] = set()
    kept: list[Draft] = []
    for draft in drafts:
        label = f"{draft.where} « {draft.name} »" if draft.name else draft.where
        count = len(draft.answers)
        if not MIN_PROPOSITIONS <= count <= MAX_PROPOSITIONS:
            report.skipped.append(
                Skipped(
                    draft.where,
                    draft.name,
                    "choix multiple",
                    f"{count} propositions (de {MIN_PROPOSITIONS} à {MAX_PROPOSITIONS} ici)",
                )
            )
            continue
        if not draft.explanation.strip():
            report.warnings.append(
                f"{label} : pas de feedback général ; écrivez l'explication avant de publier"
            )
        base = slug(draft.name or draft.stem)
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        draft.id = ident
        kept.append(draft)
    report.markdown = "\n\n".join(_write(d) for d in kept) + ("\n" if kept else "")
    errors = ErrorList("import")
    report.questions = questions_of(parse_segments(report.markdown, 1, errors))
    report.errors += [f"ligne {e.line} du résultat : {e.message}" for e in errors]
    return report


def import_file(path: Path, source_format: str | None = None) -> ImportReport:
    """Import a file, choosing the format by its extension unless told."""
    return import_file_data(path.name, path.read_bytes(), source_format)


def import_file_data(name: str, data: bytes, source_format: str | None = None) -> ImportReport:
    """Import a file's bytes, choosing the format by the name's extension unless told."""
    fmt = source_format or ("xml" if name.lower().endswith(".xml") else "gift")
    if fmt == "xml":
        return import_moodle_xml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report = ImportReport("GIFT")
        report.errors.append(
            "fichier illisible : il n'est pas en UTF-8 (réenregistrez-le en UTF-8)"
        )
        return report
    return import_gift(text)


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown of the imported questions; the report goes to the error output."""
    parser = argparse.ArgumentParser(
        prog="python -m course.question_import",
        description="Importe des questions GIFT ou Moodle XML en contrôles de connaissances.",
    )
    parser.add_argument("fichier", type=Path)
    parser.add_argument("--format", choices=("gift", "xml"), default=None)
    args = parser.parse_args(argv)
    try:
        report = import_file(args.fichier, args.format)
    except OSError as error:
        print(f"fichier illisible : {error.strerror or error}", file=sys.stderr)
        return 2
    sys.stdout.write(report.markdown)
    print("\n".join(report.lines()), file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
