"""From untrusted bytes to a Document: size and type first, then a bounded reader."""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from grading.dossier import errors
from grading.dossier.detect import DOCX, MARKDOWN, ODT, PDF, detect_type
from grading.dossier.document import Document
from grading.dossier.errors import DossierFileError
from grading.dossier.read_docx import read_docx
from grading.dossier.read_odt import read_odt
from grading.dossier.read_pdf import read_pdf
from grading.dossier.read_text import read_text
from grading.dossier.safety import Limits

__all__ = ["DossierFileError", "Limits", "detect", "detect_type", "extract"]

_READERS: dict[str, Callable[[bytes, Limits], Document]] = {
    DOCX: read_docx,
    ODT: read_odt,
    PDF: read_pdf,
    MARKDOWN: read_text,
}
_LABELS = {DOCX: "Le document Word", ODT: "Le document ODT", PDF: "Le PDF", MARKDOWN: "Le fichier"}


def extract(data: bytes, max_bytes: int, limits: Limits | None = None) -> Document:
    """Detect the type and extract the text; any failure is a DossierFileError, never a crash."""
    if not data:
        raise errors.empty()
    if len(data) > max_bytes:
        raise errors.too_big(max_bytes)
    limits = limits or Limits()
    kind = detect_type(data, limits)
    try:
        return _READERS[kind](data, limits)
    except DossierFileError:
        raise
    except MemoryError as error:  # the analysis child's memory limit (RLIMIT_AS) was reached
        raise errors.too_complex("mémoire") from error
    except (zipfile.BadZipFile, RecursionError) as error:
        raise errors.corrupt(_LABELS[kind]) from error
    except Exception as error:  # noqa: BLE001 - a library failing on a malformed file is the candidate's damaged file, not a crash
        raise errors.corrupt(_LABELS[kind]) from error


def detect(data: bytes) -> str:
    """Alias of detect_type (kept for callers of the first version)."""
    return detect_type(data)
