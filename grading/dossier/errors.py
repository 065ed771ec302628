"""The one exception a bad upload produces, with a message the candidate can act on."""

from __future__ import annotations

RESAVE = "enregistrez-le de nouveau depuis votre traitement de texte"
ACCEPTED = "déposez un fichier DOCX, ODT, PDF (avec du texte) ou Markdown"


class DossierFileError(Exception):
    """A file that cannot be analysed: a stable code and a French message for the candidate."""

    def __init__(self, code: str, message_fr: str) -> None:
        super().__init__(f"{code}: {message_fr}")
        self.code = code
        self.message_fr = message_fr

    @property
    def message(self) -> str:
        """The French message (name kept for the web layer)."""
        return self.message_fr


#: What the candidate reads when a file would cost more than the analysis budget.
TOO_COMPLEX = (
    "Ce fichier demande trop de traitement ; exportez-le à nouveau en PDF simple ou en DOCX."
)


class TooComplexError(DossierFileError):
    """The file needs more work than the budget allows (structures, CPU time or memory)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("too_complex", TOO_COMPLEX)
        #: What ran out (for the log, never shown): « 2 000 001 opérateurs PDF »…
        self.detail = detail


def too_complex(detail: str = "") -> TooComplexError:
    """More structures to walk (or more CPU, memory or time) than an upload may cost."""
    return TooComplexError(detail)


def empty() -> DossierFileError:
    """The file has no content."""
    return DossierFileError("empty", "Le fichier est vide.")


def too_big(max_bytes: int) -> DossierFileError:
    """The file exceeds the upload limit."""
    return DossierFileError(
        "too_big", f"Le fichier dépasse la taille autorisée ({_size(max_bytes)})."
    )


def wrong_type(detail: str = "") -> DossierFileError:
    """Not a format the analyser reads."""
    prefix = f"{detail} " if detail else ""
    return DossierFileError("type", f"{prefix}Type de fichier non pris en charge : {ACCEPTED}.")


def corrupt(what: str = "Le fichier") -> DossierFileError:
    """The container or its XML is damaged."""
    return DossierFileError("corrupt", f"{what} est endommagé ou incomplet : {RESAVE}.")


def bomb() -> DossierFileError:
    """Decompression would exceed the bounds (zip bomb or absurdly large document)."""
    return DossierFileError(
        "bomb",
        "Le fichier contient trop de données une fois décompressé : il ne peut pas être "
        f"analysé. Supprimez les images inutiles ou {RESAVE}.",
    )


def encrypted() -> DossierFileError:
    """Password-protected document."""
    return DossierFileError(
        "encrypted",
        "Le document est protégé par un mot de passe : enregistrez une copie sans protection.",
    )


def no_text() -> DossierFileError:
    """A PDF without extractable text (scanned or image-only)."""
    return DossierFileError(
        "no_text",
        "Votre PDF ne contient pas de texte : exportez-le depuis votre traitement de texte.",
    )


def too_long(detail: str) -> DossierFileError:
    """More text or pages than a dossier can plausibly have."""
    return DossierFileError("too_long", f"Le document est trop long pour être analysé ({detail}).")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} Mo".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.3g} Ko".replace(".", ",")
    return f"{n} octets"
