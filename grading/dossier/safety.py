"""Bounded reading of untrusted containers: zip archives and XML members."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405 - DTDs refused before parsing (parse_xml)

from grading.dossier import errors

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds applied before and while decompressing or parsing an upload."""

    max_entries: int = 1000
    max_total_uncompressed: int = 100 * MiB
    max_member_bytes: int = 30 * MiB  # one XML member actually read
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1 * MiB
    max_pdf_pages: int = 500
    max_text_chars: int = 1_000_000  # about 150 000 words; a dossier has 20 000 to 40 000
    max_blocks: int = 20_000  # paragraphs, rows and headings (a long dossier has about 2 000)
    #: Every structure a reader walks, empty or not, in every part: XML elements parsed, and PDF
    #: content-stream tokens (a stream shared by several pages counts for each page, a form
    #: drawn twice counts twice). A 100-page dossier has about 100 000 to 400 000.
    max_nodes: int = 2_000_000
    #: Paragraphs and table cells walked in the body, headers, footers, notes and comments,
    #: empty ones included (a long dossier has a few thousand).
    max_walked: int = 200_000


class Budget:
    """What one document has spent of its Limits; exceeding either bound is TooComplexError."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.nodes = 0
        self.walked = 0

    def spend_nodes(self, count: int, what: str) -> None:
        """Count parsed structures (XML elements, PDF tokens)."""
        self.nodes += count
        if self.nodes > self.limits.max_nodes:
            raise errors.too_complex(f"plus de {self.limits.max_nodes} {what}")

    def walk(self, what: str, count: int = 1) -> None:
        """Count paragraphs and cells visited, empty ones included."""
        self.walked += count
        if self.walked > self.limits.max_walked:
            raise errors.too_complex(f"plus de {self.limits.max_walked} {what}")


class SafeZip:
    """A zip archive whose directory was checked against the limits before any decompression."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
            raise errors.corrupt() from error
        if len(infos) > limits.max_entries:
            raise errors.bomb()
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.ratio_floor and (
                info.compress_size <= 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise errors.bomb()
        if total > limits.max_total_uncompressed:
            raise errors.bomb()
        self._infos = {info.filename: info for info in infos}

    def names(self) -> list[str]:
        """Member names, in archive order."""
        return list(self._infos)

    def has(self, name: str) -> bool:
        """True when the archive holds this member."""
        return name in self._infos

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """Read one member, never more than the limit even if its header lies."""
        info = self._infos.get(name)
        if info is None:
            raise KeyError(name)
        cap = min(max_bytes or self.limits.max_member_bytes, self.limits.max_member_bytes)
        if info.file_size > cap:
            raise errors.bomb()
        if info.flag_bits & 0x1:
            raise errors.encrypted()
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as member:
                while True:
                    chunk = member.read(64 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > cap:
                        raise errors.bomb()
                    chunks.append(chunk)
        except errors.DossierFileError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise errors.corrupt() from error
        except RuntimeError as error:  # zipfile: "File is encrypted, password required"
            raise errors.encrypted() from error
        return b"".join(chunks)


def declares_dtd(data: bytes) -> bool:
    """True when the XML holds a DOCTYPE or an entity declaration, in UTF-8 or UTF-16."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return True
    if b"\x00" not in data[:512]:
        return False
    for codec in ("utf-16-le", "utf-16-be"):
        text = data.decode(codec, errors="ignore")
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            return True
    return False


def parse_xml(data: bytes, budget: Budget | None = None) -> ET.Element:
    """Parse an XML member; DTDs and entities are refused (no billion laughs, no external entity).

    With a budget, every element counts, and parsing stops as soon as the document's budget is
    spent (the tree is built chunk by chunk, so a huge member is never parsed whole first).
    """
    if declares_dtd(data):
        raise errors.corrupt()
    try:
        if budget is None:
            return ET.fromstring(data)  # noqa: S314 - DTDs refused above; expat 2.4+ also bounds amplification
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))  # noqa: S314 - DTDs refused above
        root: ET.Element | None = None
        for offset in range(0, len(data), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            started = 0
            for _event, element in parser.read_events():  # type: ignore[misc]
                started += 1
                if root is None and isinstance(element, ET.Element):
                    root = element
            budget.spend_nodes(started, "éléments XML")
        parser.close()
        started = sum(1 for _ in parser.read_events())
        budget.spend_nodes(started, "éléments XML")
        if root is None:
            raise errors.corrupt()
        return root
    except (ET.ParseError, ValueError) as error:
        raise errors.corrupt() from error


_CHUNK = 64 * 1024


def local(tag: str) -> str:
    """The local part of a `{namespace}name` tag."""
    return tag.rsplit("}", 1)[-1]
