"""Content errors: every problem found, with its file and line, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file, shown as ``file:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ErrorList(list[ContentError]):
    """A collector of errors bound to one file."""

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = str(path)

    def add(self, line: int, message: str) -> None:
        """Record a problem at ``line`` (1-based)."""
        self.append(ContentError(self.path, max(1, line), message))


def lines_of(text: str) -> list[str]:
    """The lines of a text as an editor numbers them (only \\n, \\r\\n and \\r end a line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def plural(count: int, singular: str, plural_form: str) -> str:
    """``1 module``, ``7 modules`` (in French 0 and 1 take the singular)."""
    return f"{count} {singular if count < 2 else plural_form}"


def read_text(path: Path, errors: ErrorList) -> str | None:
    """The file's text (UTF-8, a byte-order mark tolerated), or None after recording why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        errors.add(1, "fichier illisible : il n'est pas en UTF-8 (réenregistrez-le en UTF-8)")
    except OSError as error:
        errors.add(1, f"fichier illisible : {error.strerror or type(error).__name__}")
    return None
