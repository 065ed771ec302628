"""YAML front matter between ``---`` lines, with line numbers for every error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from course.errors import ErrorList

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COMPETENCIES = ("C1", "C2", "C3", "C4", "C5", "C6", "C7")


@dataclass(frozen=True)
class Split:
    """Front matter as a mapping, the body, and the file line where the body starts."""

    meta: dict[str, Any]
    body: str
    body_line: int
    key_lines: Mapping[str, int]


def split(text: str, errors: ErrorList) -> Split:
    """Separate front matter from body; report a missing or malformed block."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        errors.add(1, "en-tête YAML manquant : le fichier doit commencer par une ligne « --- »")
        return Split({}, text, 1, {})
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        errors.add(1, "en-tête YAML non fermé : ajoutez une ligne « --- » après l'en-tête")
        return Split({}, "", len(lines) + 1, {})
    raw = "\n".join(lines[1:end])
    key_lines: dict[str, int] = {}
    for offset, line in enumerate(lines[1:end], start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            key_lines.setdefault(match.group(1), offset)
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = (int(mark.line) + 2) if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        errors.add(where, f"en-tête YAML invalide : {problem}")
        data = {}
    if not isinstance(data, dict):
        errors.add(2, "l'en-tête YAML doit être une liste de clés « clé: valeur »")
        data = {}
    body = "\n".join(lines[end + 1 :])
    return Split(data, body, end + 2, key_lines)


class Meta:
    """Typed access to front matter values, recording errors with the key's line."""

    def __init__(self, split_: Split, errors: ErrorList) -> None:
        self.data = split_.meta
        self.lines = split_.key_lines
        self.errors = errors

    def line(self, key: str) -> int:
        """The line of ``key`` in the file (1 when absent)."""
        return self.lines.get(key, 1)

    def check_keys(self, allowed: set[str], required: set[str]) -> None:
        """Report unknown and missing keys."""
        for key in self.data:
            if key not in allowed:
                self.errors.add(
                    self.line(str(key)),
                    f"clé inconnue « {key} » (clés possibles : {', '.join(sorted(allowed))})",
                )
        for key in sorted(required - set(self.data)):
            self.errors.add(1, f"clé obligatoire manquante : « {key} »")

    def text(self, key: str, default: str = "") -> str:
        """A non-empty string value."""
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
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.add(self.line(key), f"« {key} » doit être un nombre entier")
            return default
        if minimum is not None and value < minimum:
            self.errors.add(self.line(key), f"« {key} » doit valoir au moins {minimum}")
        return value

    def number(self, key: str, default: float = 0.0) -> float:
        """A number value."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.errors.add(self.line(key), f"« {key} » doit être un nombre")
            return default
        return float(value)

    def flag(self, key: str) -> bool:
        """A boolean value."""
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.errors.add(self.line(key), f"« {key} » doit valoir true ou false")
            return False
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of strings (a single string is accepted as a one-item list)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.errors.add(self.line(key), f"« {key} » doit être une liste de textes")
            return ()
        return tuple(str(v).strip() for v in value)

    def competencies(self, key: str = "competencies") -> tuple[str, ...]:
        """A list of competencies C1..C7."""
        values = self.text_list(key)
        for value in values:
            if value not in COMPETENCIES:
                self.errors.add(
                    self.line(key), f"compétence inconnue « {value} » (attendu : C1 à C7)"
                )
        return tuple(v for v in values if v in COMPETENCIES)
