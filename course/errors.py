"""Content errors: every problem found, with its file and line, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file."""

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
