"""Internal links and images in Markdown: each must point to an existing file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

from course.errors import ErrorList, lines_of

LINK = re.compile(
    r"(!?)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"
)
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`+[^`]*`+")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
WEB = ("http://", "https://", "mailto:")


def check_links(text: str, first_line: int, base: Path, errors: ErrorList) -> None:
    """Report links and images that point to missing files or to forbidden places."""
    in_fence = False
    for offset, line in enumerate(lines_of(text)):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        number = first_line + offset
        for match in LINK.finditer(CODE_SPAN.sub("", line)):
            is_image, target = match.group(1) == "!", match.group(2)
            kind = "image" if is_image else "lien"
            if not target:
                errors.add(number, f"{kind} sans adresse entre les parenthèses")
                continue
            if SCHEME.match(target) or target.startswith("//"):
                if is_image:
                    errors.add(
                        number,
                        f"image « {target} » : seules les images placées dans le dossier "
                        "du contenu sont permises",
                    )
                elif not target.lower().startswith(WEB):
                    errors.add(
                        number, f"lien « {target} » : seuls http, https et mailto sont permis"
                    )
                continue
            if target.startswith("#"):
                continue
            file_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if file_part.startswith("/"):
                errors.add(
                    number, f"{kind} « {target} » : écrivez un chemin relatif (sans « / » au début)"
                )
                continue
            try:
                found = Path(os.path.normpath(base / file_part)).exists()
            except (OSError, ValueError):
                found = False
            if not found:
                errors.add(number, f"{kind} vers « {target} » : fichier introuvable")
