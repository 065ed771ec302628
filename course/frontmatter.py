"""YAML front matter between ``---`` lines, with line numbers for every error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from course.errors import ContentError, ErrorList, lines_of, read_text

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COMPETENCIES = ("C1", "C2", "C3", "C4", "C5", "C6", "C7")
LANGUAGES = ("fr", "en")

# PyYAML speaks English; trainers get the usual causes in French, the original in brackets.
_YAML_HINTS = (
    (
        "mapping values are not allowed",
        "un « : » suivi d'une espace dans une valeur : mettez la valeur entre guillemets",
    ),
    (
        "cannot start any token",
        "caractère interdit en début de valeur (tabulation, @ ou `) : "
        "utilisez des espaces ou des guillemets",
    ),
    ("could not find expected ':'", "« : » attendu après le nom de la clé"),
    ("expected ',' or ']'", "liste entre crochets mal fermée"),
    ("expected ',' or '}'", "accolades mal fermées"),
    ("did not find expected key", "indentation incohérente"),
    ("did not find expected '-' indicator", "élément de liste mal indenté"),
    ("found unexpected end of stream", "guillemet ou crochet jamais fermé"),
    ("found undefined alias", "« * » en début de valeur : mettez la valeur entre guillemets"),
    ("found unhashable key", "clé invalide"),
    ("could not determine a constructor", "balise « ! » non permise"),
)


def yaml_problem(error: BaseException) -> tuple[int | None, str]:
    """The 0-based line inside the YAML text and a French message for a YAML loading error."""
    if isinstance(error, yaml.YAMLError):
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        problem = str(
            getattr(error, "problem", None)
            or (str(error).splitlines() or [type(error).__name__])[0]
        )
        for needle, hint in _YAML_HINTS:
            if needle in problem:
                return (int(mark.line) if mark is not None else None), f"{hint} ({problem})"
        return (int(mark.line) if mark is not None else None), problem
    if isinstance(error, RecursionError):
        return None, "imbrication trop profonde"
    return None, f"valeur impossible à lire ({error})"


def yaml_lines(raw: str) -> dict[str, int]:
    """0-based lines of the top-level keys (``key``) and second-level keys (``key.sub``)."""
    try:
        root = yaml.compose(raw, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        lines.setdefault(str(key.value), key.start_mark.line)
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                if isinstance(sub, yaml.ScalarNode):
                    lines.setdefault(f"{key.value}.{sub.value}", sub.start_mark.line)
    return lines


def load_yaml(
    raw: str, first_line: int, errors: ErrorList, what: str
) -> tuple[Any, dict[str, int]]:
    """Load YAML text that starts at file line ``first_line``; report errors, never raise."""
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except (yaml.YAMLError, ValueError, RecursionError, OverflowError) as error:
        line, problem = yaml_problem(error)
        errors.add(first_line + (line or 0), f"{what} invalide : {problem}")
        return {}, {}
    return data, {k: first_line + v for k, v in yaml_lines(raw).items()}


@dataclass(frozen=True)
class Split:
    """Front matter as a mapping, the body, and the file line where the body starts."""

    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: Mapping[str, int]
    #: False when the front matter is missing, unclosed or not valid YAML (already reported).
    ok: bool = True


def split(text: str, errors: ErrorList) -> Split:
    """Separate front matter from body; report a missing or malformed block."""
    lines = lines_of(text)
    if not lines or lines[0].strip() != "---":
        errors.add(1, "en-tête YAML manquant : le fichier doit commencer par une ligne « --- »")
        return Split({}, text, 1, {}, ok=False)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        errors.add(1, "en-tête YAML non fermé : ajoutez une ligne « --- » après l'en-tête")
        return Split({}, "", len(lines) + 1, {}, ok=False)
    before = len(errors)
    data, key_lines = load_yaml("\n".join(lines[1:end]), 2, errors, "en-tête YAML")
    if not isinstance(data, dict):
        errors.add(2, "l'en-tête YAML doit être une liste de lignes « clé: valeur »")
        data = {}
    body = "\n".join(lines[end + 1 :])
    return Split(data, body, end + 2, key_lines, ok=len(errors) == before)


class Meta:
    """Typed access to front matter values, recording errors with the key's line."""

    def __init__(self, split_: Split, errors: ErrorList) -> None:
        self.data = split_.meta
        self.lines = split_.key_lines
        self.errors = errors
        self.ok = split_.ok

    def line(self, key: str) -> int:
        """The line of ``key`` in the file (1 when absent)."""
        return self.lines.get(key, 1)

    def check_keys(self, allowed: set[str], required: set[str]) -> None:
        """Report unknown, missing and empty required keys."""
        if "review" in allowed:  # a flag may say when the point was raised (AAAA-MM-JJ)
            allowed = allowed | {"review_date"}
        for key in self.data:
            if key not in allowed:
                self.errors.add(
                    self.line(str(key)),
                    f"clé inconnue « {key} » (clés possibles : {', '.join(sorted(allowed))})",
                )
        for key in sorted(required):
            if key not in self.data and not self.ok:
                continue  # the broken header was reported; its keys are not missing
            if key not in self.data:
                self.errors.add(1, f"clé obligatoire manquante : « {key} »")
            elif self.data[key] is None or self.data[key] == "" or self.data[key] == []:
                self.errors.add(self.line(key), f"la clé « {key} » est vide")

    def text(self, key: str, default: str = "") -> str:
        """A string value (numbers are accepted as text)."""
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.errors.add(self.line(key), f"« {key} » doit être un texte")
            return default
        return str(value).strip()

    def ident(self, key: str = "id") -> str:
        """A kebab-case id."""
        value = self.text(key)
        if value and not ID_PATTERN.match(value):
            self.errors.add(
                self.line(key),
                f"identifiant « {value} » invalide : minuscules, chiffres et tirets seulement "
                "(ex. c1-cadre-legal)",
            )
        return value

    def integer(self, key: str, default: int = 0, minimum: int | None = None) -> int:
        """An integer value."""
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.add(self.line(key), f"« {key} » doit être un nombre entier")
            return default
        if minimum is not None and value < minimum:
            self.errors.add(self.line(key), f"« {key} » doit valoir au moins {minimum}")
        return value

    def number(self, key: str, default: float = 0.0) -> float:
        """A number value."""
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.errors.add(self.line(key), f"« {key} » doit être un nombre")
            return default
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean value."""
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.errors.add(self.line(key), f"« {key} » doit valoir true ou false")
            return default
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of strings (a single string is accepted as a one-item list)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if (
            not isinstance(value, list)
            or not all(isinstance(v, (str, int, float)) for v in value)
            or any(isinstance(v, bool) for v in value)
        ):
            self.errors.add(self.line(key), f"« {key} » doit être une liste de textes")
            return ()
        return tuple(str(v).strip() for v in value)

    def competencies(self, key: str = "competencies") -> tuple[str, ...]:
        """A list of competencies C1..C7, without duplicates."""
        result: list[str] = []
        for value in self.text_list(key):
            if value not in COMPETENCIES:
                self.errors.add(
                    self.line(key), f"compétence inconnue « {value} » (attendu : C1 à C7)"
                )
            elif value in result:
                self.errors.add(self.line(key), f"compétence « {value} » répétée")
            else:
                result.append(value)
        return tuple(result)

    def review(self) -> tuple[bool, str]:
        """The ``review`` flag and its ``review_notes`` (required when the flag is set)."""
        review = self.flag("review")
        notes = self.text("review_notes")
        when = self.data.get("review_date")
        if when is not None and not _iso_date(str(when).strip()):
            self.errors.add(
                self.line("review_date"), f"review_date « {when} » invalide (AAAA-MM-JJ)"
            )
        if review and not notes:
            self.errors.add(
                self.line("review"),
                "review: true demande de dire dans review_notes ce qu'un formateur doit vérifier",
            )
        return review, notes

    def language(self) -> str:
        """The ``lang`` value, ``fr`` by default."""
        lang = self.text("lang", "fr")
        if lang not in LANGUAGES:
            self.errors.add(
                self.line("lang"),
                f"langue « {lang} » non prise en charge ({' ou '.join(LANGUAGES)})",
            )
        return lang


@dataclass(frozen=True)
class Header:
    """The identity of a content file read from its front matter, even when the file has errors."""

    path: str
    id: str
    id_line: int
    order: int | None
    order_line: int


def peek_header(path: Path) -> Header:
    """Read only ``id`` and ``order`` of a file, ignoring every other problem."""
    ignored = ErrorList(path)
    text = read_text(path, ignored)
    parts = split(text or "", ignored)
    ident, order = parts.meta.get("id"), parts.meta.get("order")
    return Header(
        path=str(path),
        id=ident if isinstance(ident, str) else "",
        id_line=parts.key_lines.get("id", 1),
        order=order if isinstance(order, int) and not isinstance(order, bool) else None,
        order_line=parts.key_lines.get("order", 1),
    )


def duplicates(headers: list[Header], what: str) -> list[ContentError]:
    """Errors for ids (and orders, when given) used by more than one file."""
    errors: list[ContentError] = []
    first_id: dict[str, Header] = {}
    first_order: dict[int, Header] = {}
    for header in headers:
        if header.id:
            if header.id in first_id:
                other = first_id[header.id]
                errors.append(
                    ContentError(
                        header.path,
                        header.id_line,
                        f"identifiant « {header.id} » déjà utilisé par {what} "
                        f"{other.path}:{other.id_line}",
                    )
                )
            first_id.setdefault(header.id, header)
        if header.order is not None:
            if header.order in first_order:
                other = first_order[header.order]
                errors.append(
                    ContentError(
                        header.path,
                        header.order_line,
                        f"ordre {header.order} déjà utilisé par {what} "
                        f"{other.path}:{other.order_line}",
                    )
                )
            first_order.setdefault(header.order, header)
    return errors


def _iso_date(value: str) -> bool:
    """True for an existing calendar date written ``AAAA-MM-JJ`` (a ``review_date``)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
