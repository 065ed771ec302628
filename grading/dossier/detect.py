"""Recognise the format from the bytes, never from the file name."""

from __future__ import annotations

from grading.dossier import errors
from grading.dossier.safety import Limits, SafeZip

DOCX = "docx"
ODT = "odt"
PDF = "pdf"
MARKDOWN = "md"

ODT_MIME = b"application/vnd.oasis.opendocument.text"
_SIGNATURES: list[tuple[bytes, str]] = [
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "Ancien format Word (.doc) ou document protégé par un mot de passe : "
        "enregistrez-le au format .docx, sans mot de passe.",
    ),
    (b"{\\rtf", "Format RTF : enregistrez-le au format .docx ou .odt."),
    (b"MZ", "Ce fichier est un programme, pas un document."),
    (b"\x7fELF", "Ce fichier est un programme, pas un document."),
    (b"\x89PNG", "Ce fichier est une image : déposez le document lui-même."),
    (b"\xff\xd8\xff", "Ce fichier est une image : déposez le document lui-même."),
    (b"GIF8", "Ce fichier est une image : déposez le document lui-même."),
    (b"II*\x00", "Ce fichier est une image : déposez le document lui-même."),
    (b"MM\x00*", "Ce fichier est une image : déposez le document lui-même."),
    (b"Rar!", "Ce fichier est une archive compressée."),
    (b"7z\xbc\xaf", "Ce fichier est une archive compressée."),
    (b"\x1f\x8b", "Ce fichier est une archive compressée."),
]
_ZIP_OTHERS: list[tuple[str, str]] = [
    ("xl/workbook.xml", "Ce fichier est un classeur Excel."),
    ("ppt/presentation.xml", "Ce fichier est une présentation PowerPoint."),
]


def detect_type(data: bytes, limits: Limits | None = None) -> str:
    """Return docx, odt, pdf or md from the content; raise DossierFileError otherwise."""
    limits = limits or Limits()
    if not data.strip():
        raise errors.empty()
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, limits)
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            raise errors.wrong_type(message)
    _check_text(data)
    return MARKDOWN


def _zip_kind(data: bytes, limits: Limits) -> str:
    archive = SafeZip(data, limits)
    if archive.has("word/document.xml"):
        return DOCX
    if archive.has("mimetype"):
        mime = archive.read("mimetype", 200).strip()
        if mime == ODT_MIME:
            return ODT
        if mime.startswith(b"application/vnd.oasis.opendocument."):
            raise errors.wrong_type(
                "Ce fichier OpenDocument n'est pas un texte (tableur, présentation…)."
            )
    for member, message in _ZIP_OTHERS:
        if archive.has(member):
            raise errors.wrong_type(message)
    raise errors.wrong_type("Cette archive ZIP n'est pas un document texte.")


def _check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _looks_like_legacy_text(data):
            raise errors.DossierFileError(
                "encoding",
                "Ce fichier texte n'est pas encodé en UTF-8 : enregistrez-le en UTF-8 "
                "(ou déposez un DOCX, un ODT ou un PDF).",
            ) from error
        raise errors.wrong_type() from error
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise errors.wrong_type()


def _looks_like_legacy_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    printable = sum(1 for b in sample if b >= 32 or b in b"\t\n\r")
    return printable / len(sample) > 0.97
