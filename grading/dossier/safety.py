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


def parse_xml(data: bytes) -> ET.Element:
    """Parse an XML member; DTDs and entities are refused (no billion laughs, no external entity)."""
    if declares_dtd(data):
        raise errors.corrupt()
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs refused above; expat 2.4+ also bounds amplification
    except (ET.ParseError, ValueError) as error:
        raise errors.corrupt() from error


def local(tag: str) -> str:
    """The local part of a `{namespace}name` tag."""
    return tag.rsplit("}", 1)[-1]
