"""Files in and out of the authoring space: images (checked, SVG sanitised) and zips laid out
like ``course/`` (``modules/<id>/index.md``, ``case_studies/<id>/index.md``, their ``images/``)."""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from lti_tool.models.authoring import KIND_CASE, KIND_MODULE

MAX_IMAGE_BYTES = 1_000_000
MAX_ZIP_BYTES = 10_000_000
MAX_ZIP_ENTRIES = 300
IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
}
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: SVG elements kept; anything else (script, foreignObject, use of outside files…) is removed.
SVG_ELEMENTS = frozenset(
    "svg g path rect circle ellipse line polyline polygon text tspan title desc defs "
    "linearGradient radialGradient stop clipPath mask marker pattern symbol use".split()
)
SVG_ATTRIBUTES = frozenset(
    "viewBox width height x y x1 y1 x2 y2 cx cy r rx ry d points fill stroke stroke-width "
    "stroke-linecap stroke-linejoin stroke-dasharray opacity fill-opacity stroke-opacity "
    "transform font-size font-family font-weight text-anchor dominant-baseline id class "
    "offset stop-color stop-opacity gradientUnits gradientTransform clip-path mask "
    "preserveAspectRatio version role aria-label aria-hidden focusable markerWidth markerHeight "
    "refX refY orient patternUnits fill-rule clip-rule".split()
)


class FileRefused(Exception):
    """A file refused, with the reason to show (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def image_name(filename: str) -> str:
    """A safe file name for an image: lower-case ASCII words, its extension kept."""
    base, dot, ext = filename.rpartition(".")
    ext = ext.lower()
    if not dot or ext not in IMAGE_TYPES:
        raise FileRefused("Image refusée : formats acceptés PNG, JPEG et SVG.")
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    words = "-".join(re.findall(r"[a-z0-9]+", ascii_name))[:60] or "image"
    return f"{words}.{'jpg' if ext == 'jpeg' else ext}"


def _clean_svg(element: Element) -> None:
    for child in list(element):
        tag = child.tag.replace(SVG, "") if isinstance(child.tag, str) else ""
        if tag not in SVG_ELEMENTS:
            element.remove(child)
            continue
        _clean_svg(child)
    for name in list(element.attrib):
        value = element.attrib[name]
        local = name.replace(SVG, "")
        if name == XLINK_HREF or local == "href":
            if not value.startswith("#"):  # only references inside the drawing
                del element.attrib[name]
            continue
        if local not in SVG_ATTRIBUTES or "url(" in value and "url(#" not in value:
            del element.attrib[name]


def checked_image(filename: str, data: bytes) -> tuple[str, bytes, str]:
    """The image's safe name, its bytes (an SVG rebuilt from allowed parts) and MIME type."""
    name = image_name(filename)
    if not data:
        raise FileRefused("Image refusée : le fichier est vide.")
    if len(data) > MAX_IMAGE_BYTES:
        raise FileRefused(
            f"Image refusée : {len(data) // 1000} ko, {MAX_IMAGE_BYTES // 1000} ko au plus."
        )
    ext = name.rsplit(".", 1)[1]
    if ext == "png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise FileRefused("Image refusée : ce fichier n'est pas un PNG.")
    if ext == "jpg" and not data.startswith(b"\xff\xd8\xff"):
        raise FileRefused("Image refusée : ce fichier n'est pas un JPEG.")
    if ext == "svg":
        try:
            root = SafeET.fromstring(data)
        except (DefusedXmlException, SafeET.ParseError):
            raise FileRefused(
                "Image refusée : ce SVG est illisible ou déclare des entités."
            ) from None
        if root.tag != f"{SVG}svg":
            raise FileRefused("Image refusée : ce fichier n'est pas un SVG.")
        _clean_svg(root)
        data = tostring(root, encoding="utf-8")
    return name, data, IMAGE_TYPES[ext]


@dataclass
class ImportedContent:
    """One content read from an imported file."""

    kind: str
    text: str
    source: str
    images: list[tuple[str, bytes, str]] = field(default_factory=list)


def kind_of(text: str) -> str:
    """A module has an ``order:`` in its front matter; a case study does not."""
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    return KIND_MODULE if re.search(r"^order:", head, re.MULTILINE) else KIND_CASE


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise FileRefused(
            f"{source} : le fichier n'est pas en UTF-8 (réenregistrez-le en UTF-8)."
        ) from None


def read_markdown(filename: str, data: bytes) -> list[ImportedContent]:
    """A single ``.md`` file."""
    text = _decode(data, filename)
    return [ImportedContent(kind_of(text), text, filename)]


def read_zip(data: bytes) -> list[ImportedContent]:
    """A zip of one content folder, or of a course space (``modules/``, ``case_studies/``)."""
    if len(data) > MAX_ZIP_BYTES:
        raise FileRefused(f"Archive refusée : {MAX_ZIP_BYTES // 1_000_000} Mo au plus.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused("Archive illisible : ce n'est pas un fichier zip.") from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRefused(f"Archive refusée : {len(entries)} fichiers, {MAX_ZIP_ENTRIES} au plus.")
    if sum(i.file_size for i in entries) > MAX_ZIP_BYTES:
        raise FileRefused("Archive refusée : une fois décompressée, elle dépasse 10 Mo.")
    files: dict[str, bytes] = {}
    for info in entries:
        path = posixpath.normpath(info.filename.replace("\\", "/"))
        if path.startswith(("/", "../")) or path == ".." or ":" in path:
            raise FileRefused(f"Archive refusée : chemin interdit « {info.filename} ».")
        if posixpath.basename(path).startswith(".") or path.startswith("__MACOSX/"):
            continue
        files[path] = archive.read(info)
    contents: list[ImportedContent] = []
    markdown = sorted(p for p in files if p.endswith(".md"))
    if not markdown:
        raise FileRefused("Archive refusée : aucun fichier Markdown (.md) dedans.")
    for path in markdown:
        folder = posixpath.dirname(path)
        text = _decode(files[path], path)
        content = ImportedContent(kind_of(text), text, path)
        if posixpath.basename(path) == "index.md":
            prefix = f"{folder}/images/" if folder else "images/"
            for other, payload in sorted(files.items()):
                if other.startswith(prefix) and "/" not in other[len(prefix) :]:
                    name, checked, mime = checked_image(posixpath.basename(other), payload)
                    content.images.append((name, checked, mime))
        contents.append(content)
    return contents


def export_path(kind: str, slug: str) -> str:
    """Where a content's Markdown goes in an export (``course/`` layout)."""
    folder = "modules" if kind == KIND_MODULE else "case_studies"
    return f"{folder}/{slug}/index.md"


def write_zip(contents: list[tuple[str, str, str, list[tuple[str, bytes]]]]) -> bytes:
    """A zip of (kind, slug, text, images) in the ``course/`` layout."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, slug, text, images in contents:
            path = export_path(kind, slug)
            archive.writestr(path, text.encode("utf-8"))
            for name, data in images:
                archive.writestr(f"{posixpath.dirname(path)}/images/{name}", data)
    return buffer.getvalue()
