"""Read a draft safely: type from content, bounded decompression, text with locations."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405 - parsing bounded, trusted-format XML from zip members

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 200


class DossierFileError(Exception):
    """A file that cannot be analysed, with a French message for the candidate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a table row, with where it is."""

    kind: str  # heading, paragraph, row
    text: str
    location: str
    level: int = 0
    cells: tuple[str, ...] = ()


@dataclass
class Document:
    """The extracted text of a draft."""

    kind: str
    blocks: list[Block] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


def detect(data: bytes) -> str:
    """docx, odt, pdf or md, from the bytes (never from the file name)."""
    if not data:
        raise DossierFileError("empty", "Le fichier est vide.")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if (
                    "mimetype" in names
                    and archive.read("mimetype").strip()
                    == b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except (zipfile.BadZipFile, OSError, KeyError) as error:
            raise DossierFileError(
                "corrupt",
                "Le fichier est endommagé : enregistrez-le de nouveau depuis votre traitement de texte.",
            ) from error
        raise DossierFileError(
            "type",
            "Type de fichier non pris en charge : déposez un DOCX, un ODT, un PDF contenant du texte ou un fichier Markdown.",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DossierFileError(
            "type",
            "Type de fichier non pris en charge : déposez un DOCX, un ODT, un PDF contenant du texte ou un fichier Markdown.",
        ) from error
    if "\x00" in text:
        raise DossierFileError("type", "Type de fichier non pris en charge.")
    return "md"


def _safe_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DossierFileError(
            "corrupt",
            "Le fichier est endommagé : enregistrez-le de nouveau depuis votre traitement de texte.",
        ) from error
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if (
        len(infos) > MAX_ENTRIES
        or total > MAX_UNCOMPRESSED
        or total > MAX_RATIO * max(1, len(data))
    ):
        raise DossierFileError(
            "bomb",
            "Le fichier contient trop de données une fois décompressé : il ne peut pas être analysé.",
        )
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_UNCOMPRESSED:
        raise DossierFileError("bomb", "Le fichier contient trop de données une fois décompressé.")
    with archive.open(info) as member:
        data = member.read(MAX_UNCOMPRESSED + 1)
    if len(data) > MAX_UNCOMPRESSED:
        raise DossierFileError("bomb", "Le fichier contient trop de données une fois décompressé.")
    return data


def _xml(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DossierFileError(
            "corrupt", "Le fichier contient des déclarations XML non autorisées."
        )
    try:
        return ET.fromstring(data)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as error:
        raise DossierFileError(
            "corrupt",
            "Le fichier est endommagé : enregistrez-le de nouveau depuis votre traitement de texte.",
        ) from error


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes) -> Document:
    archive = _safe_zip(data)
    try:
        root = _xml(_read(archive, "word/document.xml"))
    except KeyError as error:
        raise DossierFileError("corrupt", "Document Word incomplet.") from error
    doc = Document("docx")
    section = "début du document"
    number = 0
    body = root.find(f"{W}body")
    for element in list(body) if body is not None else []:
        if element.tag == f"{W}p":
            text = "".join(t.text or "" for t in element.iter(f"{W}t")).strip()
            if not text:
                continue
            number += 1
            style = element.find(f"{W}pPr/{W}pStyle")
            style_name = style.get(f"{W}val", "") if style is not None else ""
            match = re.match(r"(?i)(heading|titre)\s*(\d)", style_name)
            if match:
                section = text
                doc.blocks.append(
                    Block("heading", text, f"section « {text} »", int(match.group(2)))
                )
            else:
                doc.blocks.append(
                    Block("paragraph", text, f"section « {section} », paragraphe {number}")
                )
        elif element.tag == f"{W}tbl":
            for index, row in enumerate(element.iter(f"{W}tr"), start=1):
                cells = tuple(
                    "".join(t.text or "" for t in cell.iter(f"{W}t")).strip()
                    for cell in row.iter(f"{W}tc")
                )
                doc.blocks.append(
                    Block(
                        "row",
                        " | ".join(cells),
                        f"section « {section} », tableau ligne {index}",
                        cells=cells,
                    )
                )
    try:
        core = _xml(_read(archive, "docProps/core.xml"))
        for element in core.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("creator", "lastModifiedBy") and (element.text or "").strip():
                doc.metadata[tag] = element.text.strip()  # type: ignore[union-attr]
    except KeyError:
        pass
    return doc


TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _odt(data: bytes) -> Document:
    archive = _safe_zip(data)
    try:
        root = _xml(_read(archive, "content.xml"))
    except KeyError as error:
        raise DossierFileError("corrupt", "Document ODT incomplet.") from error
    doc = Document("odt")
    section = "début du document"
    number = 0
    for element in root.iter():
        if element.tag == f"{TEXT_NS}h":
            section = "".join(element.itertext()).strip()
            level = int(element.get(f"{TEXT_NS}outline-level", "1"))
            doc.blocks.append(Block("heading", section, f"section « {section} »", level))
        elif element.tag == f"{TEXT_NS}p":
            text = "".join(element.itertext()).strip()
            if text:
                number += 1
                doc.blocks.append(
                    Block("paragraph", text, f"section « {section} », paragraphe {number}")
                )
        elif element.tag == f"{TABLE_NS}table-row":
            cells = tuple(
                "".join(c.itertext()).strip() for c in element if c.tag == f"{TABLE_NS}table-cell"
            )
            doc.blocks.append(
                Block("row", " | ".join(cells), f"section « {section} », tableau", cells=cells)
            )
    try:
        meta = _xml(_read(archive, "meta.xml"))
        for element in meta.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("creator", "initial-creator") and (element.text or "").strip():
                doc.metadata[tag] = element.text.strip()  # type: ignore[union-attr]
    except KeyError:
        pass
    # Table rows are listed after their paragraphs by iter(): keep only the row view of cells.
    cell_texts = {c for b in doc.blocks if b.kind == "row" for c in b.cells}
    doc.blocks = [b for b in doc.blocks if not (b.kind == "paragraph" and b.text in cell_texts)]
    return doc


def _pdf(data: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DossierFileError(
                "encrypted",
                "Votre PDF est protégé par un mot de passe : enregistrez-le sans protection.",
            )
        doc = Document("pdf")
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            for line in text.splitlines():
                line = line.strip()
                if not line:
                    continue
                if (
                    re.match(r"^(\d+(\.\d+)*\.?|[IVX]+[.-])?\s*[A-ZÉÈÀ][^.!?]{2,80}$", line)
                    and len(line.split()) <= 10
                    and not re.search(r"\d{1,2}/\d{1,2}/\d{2,4}", line)
                ):
                    doc.blocks.append(Block("heading", line, f"page {number}", 1))
                cells = tuple(c.strip() for c in re.split(r"\s{2,}|\t|\|", line) if c.strip())
                kind = "row" if len(cells) >= 2 else "paragraph"
                doc.blocks.append(
                    Block(kind, line, f"page {number}", cells=cells if kind == "row" else ())
                )
        info = reader.metadata
        author = info.get("/Author") if info is not None else None
        if author:
            doc.metadata["creator"] = str(author)
    except DossierFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DossierFileError(
            "corrupt",
            "Le PDF est endommagé : exportez-le de nouveau depuis votre traitement de texte.",
        ) from error
    if not any(b.text for b in doc.blocks):
        raise DossierFileError(
            "no_text",
            "Votre PDF ne contient pas de texte : exportez-le depuis votre traitement de texte (et non en le scannant).",
        )
    return doc


def _markdown(data: bytes) -> Document:
    doc = Document("md")
    section = "début du document"
    for number, raw in enumerate(data.decode("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or re.match(r"^\|?\s*:?-{3,}", line):
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            section = heading.group(2).strip()
            doc.blocks.append(Block("heading", section, f"ligne {number}", len(heading.group(1))))
        elif line.startswith("|"):
            cells = tuple(c.strip() for c in line.strip("|").split("|"))
            doc.blocks.append(
                Block("row", line, f"section « {section} », ligne {number}", cells=cells)
            )
        else:
            doc.blocks.append(Block("paragraph", line, f"section « {section} », ligne {number}"))
    return doc


def extract(data: bytes, max_bytes: int) -> Document:
    """Detect the type and extract the text; raise DossierFileError with a clear message."""
    if len(data) > max_bytes:
        raise DossierFileError(
            "too_big", f"Le fichier dépasse la taille autorisée ({max_bytes // (1024 * 1024)} Mo)."
        )
    kind = detect(data)
    reader = {"docx": _docx, "odt": _odt, "pdf": _pdf, "md": _markdown}[kind]
    try:
        return reader(data)
    except DossierFileError:
        raise
    except Exception as error:  # a library's own failure on a malformed file: never a crash
        raise DossierFileError(
            "corrupt",
            "Le fichier n'a pas pu être lu : enregistrez-le de nouveau depuis votre traitement de texte.",
        ) from error
