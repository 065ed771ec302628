"""Bounded reading of untrusted containers: zip archives and XML members."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - only used as a tree builder fed by expat below
from xml.parsers import expat

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
    max_xml_depth: int = 256
    max_pdf_pages: int = 500
    max_text_chars: int = 3_000_000


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


class _Refused(Exception):
    """A DOCTYPE, an entity declaration or absurd nesting in an uploaded XML member."""


def parse_xml(data: bytes, limits: Limits) -> ET.Element:
    """Parse XML with expat, refusing DTDs and entities (no billion laughs, no external entities)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    depth = 0

    def qualified(name: str) -> str:
        return "{" + name if "}" in name else name

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > limits.max_xml_depth:
            raise _Refused
        builder.start(qualified(name), {qualified(k): v for k, v in attributes.items()})

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(qualified(name))

    def refuse(*_: Any) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    refusing: Callable[..., None] = refuse
    parser.StartDoctypeDeclHandler = refusing
    parser.EntityDeclHandler = refusing
    parser.ExternalEntityRefHandler = refusing  # type: ignore[assignment]
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        return builder.close()
    except (_Refused, expat.ExpatError, ValueError) as error:
        raise errors.corrupt() from error


def local(tag: str) -> str:
    """The local part of a `{namespace}name` tag."""
    return tag.rsplit("}", 1)[-1]
