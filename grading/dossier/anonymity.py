"""What could identify the bénéficiaire: contact details, NIR, addresses, profiles, names, metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from grading.dossier.document import Block, Document
from grading.dossier.names import ACRONYMS, FIRST_NAMES, NOT_NAMES
from grading.dossier.text import Spans, fold

UP = "A-ZÀ-ÖØ-Þ"
LOW = "a-zß-öø-ÿ"
_NAME_TOKEN = rf"(?:[{UP}][{LOW}]+(?:[-'’][{UP}]?[{LOW}]+)*|[{UP}]{{2,}}(?:-[{UP}]{{2,}})*)"

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\d)"
)
NIR = re.compile(
    r"(?<![\w])([1-478])[\s.]?(\d{2})[\s.]?(0[1-9]|1[0-2]|[2-9]\d)[\s.]?(2[AaBb]|\d{2})[\s.]?"
    r"(\d{3})[\s.]?(\d{3})(?:[\s.]?(\d{2}))?(?![\d])"
)
_STREET_CLEAR = (
    r"rue|avenue|av\.|boulevard|bd|bld|chemin|all[ée]e|impasse|lotissement|lieu-dit|faubourg|"
    r"rond-point|sentier|hameau|esplanade|parvis|chauss[ée]e"
)
_STREET_AMBIGUOUS = r"place|route|quai|cours|square|passage|r[ée]sidence|cit[ée]|promenade|voie"
_NUMBER = r"(?<![\d,.])\d{1,4}\s*(?:bis|ter|[a-dA-D])?\s*,?\s+"
#: Unambiguous after a number: « 12 rue des lilas ».
ADDRESS = re.compile(rf"{_NUMBER}(?i:{_STREET_CLEAR})\b(?:\s+[^\s,;.()«»]+){{1,5}}")
#: Ambiguous words (« 2 cours de français ») need a capitalised name: « 3 place de la République ».
ADDRESS_NAMED = re.compile(
    rf"{_NUMBER}(?i:{_STREET_AMBIGUOUS})\s+(?:(?:de la|de l'|de|du|des|d')\s*)?[{UP}0-9][^\s,;.()«»]*(?:\s+[^\s,;.()«»]+){{0,4}}"
)
POSTCODE = re.compile(
    rf"(?<![\d\w])(?:0[1-9]|[1-8]\d|9[0-8])\d{{3}}\s+[{UP}][{LOW}{UP}'’-]+(?:[ -](?:sur|sous|en|le|la|les|[{UP}][{LOW}{UP}'’-]+))*(?:\s+CEDEX)?"
)
URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\"«»]+")
SOCIAL = re.compile(
    r"(?i)(?:\bhttps?://)?(?:\b[a-z]{2,3}\.)?\b(linkedin|facebook|fb|instagram|twitter|x|tiktok|viadeo|youtube|snapchat|github|threads)\.com/[^\s<>()\"«»]*"
)
_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(?:1er|\d{1,2})\s+[a-zéû]+\.?\s+\d{4})"
BIRTH = re.compile(
    rf"(?i)\bn[ée]e?s?\s*(?:\(e\))?\s+le\s+{_DATE}|\bdate\s+de\s+naissance\s*:?\s*(?:{_DATE})?|\bDDN\s*:?\s*{_DATE}"
)
BIRTH_YEAR = re.compile(r"(?i)\bn[ée]e?s?\s*(?:\(e\))?\s+en\s+(?:19|20)\d{2}\b")
CIVILITY = re.compile(
    rf"\b(?:M\.|MM\.|Mr\.?|Mme\.?|Mmes|Mlle\.?|Madame|Monsieur|Mademoiselle|Docteur|Dr\.?)\s+({_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?)"
)
FIRST_LAST = re.compile(rf"\b([{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?)\s+({_NAME_TOKEN})")
CAP_UPPER = re.compile(
    rf"\b([{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?)\s+([{UP}]{{2,}}(?:[-'’][{UP}]{{2,}})?)\b"
)
_PSEUDO_MARK = (
    r"(?:pseudo(?:nyme)?|pr[ée]nom\s+(?:modifi[ée]|d'emprunt|fictif|chang[ée])|"
    r"nom\s+(?:modifi[ée]|d'emprunt|fictif|chang[ée])|anonymis[ée]e?|fictif|fictive)"
)
PSEUDONYM_AFTER = re.compile(
    rf"((?:[{UP}][\w'’-]*\.?\s+){{0,2}}[{UP}][\w'’-]*\.?)\s*[(\[,–-]\s*(?i:{_PSEUDO_MARK})"
)
PSEUDONYM_BEFORE = re.compile(
    rf"(?i:pseudonyme|appel(?:é|ée|ons|lerons|erons)|nomm(?:é|ée|ons|erons)|d[ée]sign[ée]e?)\s+"
    rf"(?i:ici\s+|par\s+la\s+suite\s+|sous\s+le\s+nom\s+de\s+)?:?\s*«?\s*((?:[{UP}][\w'’-]+\.?\s*){{1,3}})"
)
CITATION = re.compile(
    rf"(?:(?i:selon|d'après|cf\.|voir)\s+)(?:[{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?\s+)?{_NAME_TOKEN}"
    rf"|(?:[{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?\s+)?{_NAME_TOKEN}\s*\(\s*(?:19|20)\d{{2}}\s*[a-z]?\s*\)"
)
_CIVILITY_WORDS = {"M", "Mme", "Mlle", "Madame", "Monsieur", "Mademoiselle", "Mr", "Dr", "Docteur"}
_ROMAN = re.compile(r"^[IVXLC]+$")
_VOWEL = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖÙ-Ü]")


@dataclass(frozen=True)
class Hit:
    """One identifying detail."""

    code: str
    severity: str  # error or warning
    message: str
    location: str
    excerpt: str


def find_identifying(doc: Document) -> list[Hit]:
    """Every detail that could identify someone, each with its location."""
    blocks = [*doc.blocks, *doc.extras]
    pseudonyms = _pseudonyms(blocks)
    hits: list[Hit] = []
    for field in doc.metadata:
        hits.append(
            Hit(
                "metadata",
                "error",
                f"À anonymiser : propriété du fichier « {field.label} » renseignée (« {field.value} »). Effacez-la "
                "(Fichier > Informations > Inspecter le document, ou Propriétés).",
                "propriétés du fichier",
                f"{field.key}:{field.value}",
            )
        )
    if doc.revisions:
        hits.append(
            Hit(
                "revisions",
                "warning",
                "Le document contient des modifications suivies : acceptez-les ou refusez-les "
                "avant de déposer (le texte supprimé reste dans le fichier).",
                "propriétés du fichier",
                "revisions",
            )
        )
    acronyms = _standalone_capitals(blocks)
    for block in blocks:
        hits.extend(_scan(block, pseudonyms, acronyms))
    return hits


_CAPITALS = re.compile(rf"\b[{UP}]{{2,}}\b")
_PREVIOUS_WORD = re.compile(rf"([{UP}][{LOW}]+)\s+$")


def _standalone_capitals(blocks: Sequence[Block]) -> set[str]:
    """Words in capitals used without a capitalised word before them: acronyms, not surnames."""
    found: set[str] = set()
    for block in blocks:
        for match in _CAPITALS.finditer(block.text):
            if not _PREVIOUS_WORD.search(block.text[max(0, match.start() - 40) : match.start()]):
                found.add(match.group(0))
    return found


def _scan(block: Block, pseudonyms: set[str], acronyms: set[str]) -> Iterable[Hit]:
    text = block.text
    taken = Spans()

    def claim(match: re.Match[str]) -> bool:
        return taken.claim(*match.span())

    def hit(code: str, severity: str, label: str, advice: str, match: re.Match[str]) -> Hit:
        excerpt = match.group(0).strip().rstrip(".,;:")
        lead = "À anonymiser" if severity == "error" else "À vérifier"
        return Hit(
            code, severity, f"{lead} : {label} « {excerpt} ». {advice}", block.where, excerpt
        )

    for match in EMAIL.finditer(text):
        if claim(match):
            yield hit("email", "error", "adresse e-mail", "Supprimez-la.", match)
    for match in SOCIAL.finditer(text):
        if claim(match):
            network = (
                "LinkedIn" if match.group(1).lower() == "linkedin" else match.group(1).capitalize()
            )
            yield hit(
                "social", "error", f"profil de réseau social ({network})", "Supprimez-le.", match
            )
    for match in URL.finditer(text):
        if claim(match):
            yield hit(
                "url", "warning", "adresse web",
                "Vérifiez qu'elle ne permet pas d'identifier le bénéficiaire.", match,
            )  # fmt: skip
    for match in NIR.finditer(text):
        if not claim(match):
            continue
        valid = _nir_key_ok(match)
        if valid is False:
            yield hit(
                "nir_like", "warning", "numéro qui ressemble à un numéro de sécurité sociale",
                "Vérifiez et supprimez-le s'il s'agit d'un NIR.", match,
            )  # fmt: skip
        else:
            yield hit("nir", "error", "numéro de sécurité sociale (NIR)", "Supprimez-le.", match)
    for match in PHONE.finditer(text):
        if claim(match):
            yield hit("phone", "error", "numéro de téléphone", "Supprimez-le.", match)
    for match in BIRTH.finditer(text):
        if claim(match):
            yield hit(
                "birth_date", "error", "date de naissance",
                "Indiquez plutôt un âge ou une tranche d'âge.", match,
            )  # fmt: skip
    for match in BIRTH_YEAR.finditer(text):
        if claim(match):
            yield hit(
                "birth_year", "warning", "année de naissance",
                "Un âge ou une tranche d'âge suffit.", match,
            )  # fmt: skip
    for pattern in (ADDRESS, ADDRESS_NAMED, POSTCODE):
        for match in pattern.finditer(text):
            if claim(match):
                yield hit(
                    "address", "error", "adresse postale",
                    "Gardez au plus la région ou le type de territoire.", match,
                )  # fmt: skip
    for match in CITATION.finditer(text):
        claim(match)  # an author cited with a year, or after « selon », is not the bénéficiaire
    for match in CIVILITY.finditer(text):
        tokens = _tokens(match.group(1))
        if tokens and not tokens <= pseudonyms and claim(match):
            yield hit(
                "name", "error", "nom de personne",
                "Remplacez-le par une initiale (Mme D.) ou un pseudonyme présenté comme tel.", match,
            )  # fmt: skip
    for match in FIRST_LAST.finditer(text):
        first, last = match.group(1), match.group(2)
        if (
            first in FIRST_NAMES
            and fold(last) not in NOT_NAMES
            and last not in ACRONYMS
            and not _tokens(match.group(0)) <= pseudonyms
            and claim(match)
        ):
            yield hit(
                "name", "error", "nom de personne",
                "Remplacez-le par une initiale (Sophie D.) ou un pseudonyme présenté comme tel.", match,
            )  # fmt: skip
    for match in CAP_UPPER.finditer(text):
        first, last = match.group(1), match.group(2)
        if (
            fold(first) not in NOT_NAMES
            and last not in ACRONYMS
            and last not in acronyms
            and not _ROMAN.match(last)
            and _VOWEL.search(last)
            and not _tokens(match.group(0)) <= pseudonyms
            and claim(match)
        ):
            yield hit(
                "name_like", "warning", "nom qui ressemble à celui d'une personne",
                "Vérifiez et remplacez-le par une initiale s'il s'agit d'une personne.", match,
            )  # fmt: skip


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[\w'’-]+", text) if t not in _CIVILITY_WORDS and len(t) > 1}


def _pseudonyms(blocks: Sequence[Block]) -> set[str]:
    """Names the candidate declared as pseudonyms (« Sophie (prénom modifié) », « appelée ici Léa »)."""
    names: set[str] = set()
    for block in blocks:
        for pattern in (PSEUDONYM_AFTER, PSEUDONYM_BEFORE):
            for match in pattern.finditer(block.text):
                names |= _tokens(match.group(1))
    return names


def _nir_key_ok(match: re.Match[str]) -> bool | None:
    """True/False when the two-digit key is present, None when it is absent."""
    key = match.group(7)
    if key is None:
        return None
    department = match.group(4).upper().replace("2A", "19").replace("2B", "18")
    digits = (
        match.group(1)
        + match.group(2)
        + match.group(3)
        + department
        + match.group(5)
        + match.group(6)
    )
    return 97 - int(digits) % 97 == int(key)
