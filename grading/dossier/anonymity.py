"""What could identify the bénéficiaire: contact details, NIR, addresses, profiles, names, metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from grading.dossier import ner
from grading.dossier.document import Block, Document, MetadataField
from grading.dossier.names import (
    ACRONYMS,
    FIRST_NAMES,
    NOT_NAMES,
    data_lines,
    first_names_that_are_words,
    insee_first_names,
    organisation_kinds,
)
from grading.dossier.text import Spans, fold

UP = "A-ZÀ-ÖØ-Þ"
LOW = "a-zß-öø-ÿ"
_NAME_TOKEN = rf"(?:[{UP}](?:[{LOW}]+|(?=['’][{UP}]))(?:[-'’][{UP}]?[{LOW}]+)*|[{UP}]{{2,}}(?:-[{UP}]{{2,}})*)"
#: « de La Fontaine », « d'Argenson », « du Bellay », « Le Gall » (after a civility or first name).
_PARTICLE = r"(?:(?:de\s+la|de\s+l['’]|de|du|des|d['’]|van|von|ben|el)\s*)"

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
ADDRESS_WITH_POSTCODE = re.compile(
    rf"(?:{ADDRESS.pattern}|{ADDRESS_NAMED.pattern}|(?i:r[ée]sidence)\s+[^,;.]{{2,40}})(?:\s*,\s*[^,;.\d]{{2,30}})?\s*,?\s*{POSTCODE.pattern}"
)
#: Public websites (a ministry, France Travail…): not the bénéficiaire's.
PUBLIC_SITE = re.compile(
    r"(?i)\.gouv\.fr|francecompetences\.fr|moncompteformation|francetravail\.fr|pole-emploi\.fr|"
    r"onisep\.fr|apec\.fr|service-public\.fr|legifrance|education\.fr|travail-emploi"
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
    rf"\b(?:M\.|MM\.|Mr\.?|Mme\.?|Mmes|Mlle\.?|Madame|Monsieur|Mademoiselle|Docteur|Dr\.?)\s+"
    rf"({_PARTICLE}?{_NAME_TOKEN}(?:\s+{_PARTICLE}?{_NAME_TOKEN})?)"
)
FIRST_LAST = re.compile(
    rf"\b([{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?)\s+({_PARTICLE}?{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}(?=\s*[,.;:)]))?)"
)
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


def _employer_hit(name: str, where: str) -> Hit:
    """The finding for an employer or another organisation that identifies the bénéficiaire."""
    return Hit(
        "employer",
        "error",
        f"À anonymiser : nom d'employeur ou d'organisation « {name} ». Il permet de "
        "retrouver le bénéficiaire : décrivez plutôt le secteur et la taille "
        "(« une entreprise de transport de 50 salariés »).",
        where,
        name,
    )


def find_identifying(doc: Document, declared: Sequence[str] = ()) -> list[Hit]:
    """Every detail that could identify someone, each with its location; ``declared``: the
    pseudonyms the candidate declared with the upload."""
    blocks = [*doc.blocks, *doc.extras]
    pseudonyms = _pseudonyms(blocks) | {t for name in declared for t in _tokens(name)}
    hits: list[Hit] = []
    by_value: dict[str, list[MetadataField]] = {}
    for field in doc.metadata:  # « Auteur » and « Modifié par » naming one person: one finding
        by_value.setdefault(" ".join(field.value.split()).casefold(), []).append(field)
    for fields in by_value.values():
        field = fields[0]
        labels = " », « ".join(f.label for f in fields)
        plural = "propriétés" if len(fields) > 1 else "propriété"
        hits.append(
            Hit(
                "metadata",
                "error",
                f"À anonymiser : {plural} du fichier « {labels} » renseignée{'s' if len(fields) > 1 else ''} "
                f"(« {field.value} »). Effacez-la{'s' if len(fields) > 1 else ''} "
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
    found = _model_entities(blocks)
    own = _own_organisations(blocks)
    cited = frozenset(_cited_anywhere(blocks))
    first = [
        list(_scan(block, pseudonyms, acronyms, entities, own, cited=cited))
        for block, entities in zip(blocks, found, strict=True)
    ]
    seen = _names_to_propagate([h for block_hits in first for h in block_hits], pseudonyms, own)
    for word in cited:  # an author's name is not carried to its other mentions
        seen.pop(word, None)
    for block, entities, block_hits in zip(blocks, found, first, strict=True):
        if seen and any(name in block.text for name in seen):
            # a second reading, the names already found being known: « Transdev » told again
            # with no cue, « Rességuier » without « Mme » (one finding per mention)
            block_hits = list(_scan(block, pseudonyms, acronyms, entities, own, seen, cited))
        hits.extend(block_hits)
    return hits


_YEAR_NEAR = re.compile(r"\s*[,)]?\s*\(?\s*(?:19|20)\d{2}\b")


def _cited_anywhere(blocks: Sequence[Block]) -> set[str]:
    """Capitalised words cited as authors somewhere in the dossier: with a year (« (Pelletier,
    Noiseux et Bujold, 1974) »), after « selon », in a list of surnames."""
    words: set[str] = set()
    for block in blocks:
        for match in CITATION.finditer(block.text):
            words.update(re.findall(rf"[{UP}][{LOW}]+", match.group(0)))
        for match in AUTHOR_LIST.finditer(block.text):
            if _YEAR_NEAR.match(block.text, match.end()):
                words.update(re.findall(rf"[{UP}][{LOW}]+", match.group(0)))
    return words


def _names_to_propagate(
    hits: Sequence[Hit], pseudonyms: set[str], own: frozenset[str]
) -> dict[str, str]:
    """Names found with a cue, to find at their other mentions: an employer's name, a surname
    after a civility (« Mme de Rességuier » → « Rességuier »), a first name used alone."""
    seen: dict[str, str] = {}
    for found in hits:
        if found.code == "employer":
            name = found.excerpt
            if len(name) > 2 and re.search(rf"[{UP}]", name) and not _is_public_or_own(name, own):
                seen.setdefault(name, "employer")
        elif found.code == "name":
            words = [
                w
                for w in re.findall(r"[\w'’-]+", found.excerpt)
                if w.rstrip(".") not in _CIVILITY_WORDS
            ]
            civility = any(
                w.rstrip(".") in _CIVILITY_WORDS for w in re.findall(r"[\w'’.-]+", found.excerpt)
            )
            if len(words) > 1 and not civility and not _has_first_name(found.excerpt):
                continue  # what the model alone called a person (« Chef de Baie »): not carried
            capitalised = [w for w in words if re.match(rf"[{UP}][{LOW}]", w) and len(w) > 2]
            for word in capitalised[-1:] if len(words) > 1 else capitalised:
                if fold(word) not in NOT_NAMES and word not in pseudonyms:
                    seen.setdefault(word, "name")
    return seen


#: Sentences the model reads: two capitalised words in a row (« Jean-Baptiste de La Fontaine »,
#: « Mark Savickas », « Transports Giraud »). A lone capitalised word is a name only when it is a
#: known first name or a surname seen after a civility, which the rules find without the model.
_MODEL_SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")
_TWO_CAPITALS = re.compile(
    rf"[{UP}][\w'’-]*\s+(?:(?:de|du|des|d['’]|de\s+la|le|la|van|von|ben|el)\s*)?[{UP}]"
)


def _model_entities(blocks: Sequence[Block]) -> list[list[ner.Entity]]:
    """The model's entities of each block, read only in the sentences that may hold one."""
    pieces: list[tuple[int, int, str]] = []  # block index, offset, sentence
    more = insee_first_names()
    for index, block in enumerate(blocks):
        for sentence in _MODEL_SENTENCE.finditer(block.text):
            if (
                _TWO_CAPITALS.search(sentence.group(0))
                or _ORG_IN_CONTEXT.search(sentence.group(0))
                or (_WORK_OF.search(sentence.group(0)) and _WORK_SENTENCE.search(sentence.group(0)))
                or any(p.search(sentence.group(0)) for p in _kind_patterns())
                or (
                    STRUCTURAL_EMPLOYERS
                    and _EMPLOYMENT.search(sentence.group(0))
                    and _BENEFICIARY_SUBJECT.search(sentence.group(0))
                    and re.search(rf"\S\s+(?:L['’])?[{UP}]", sentence.group(0))
                )
            ) or any(
                _first_name_like(m.group(0), more) and not _known_first_name(m.group(0))
                for m in FIRST_NAME.finditer(sentence.group(0))
            ):
                pieces.append((index, sentence.start(), sentence.group(0)))
    found: list[list[ner.Entity]] = [[] for _ in blocks]
    for (index, offset, _), entities in zip(
        pieces, ner.entities([text for _, _, text in pieces]), strict=True
    ):
        found[index].extend(
            ner.Entity(e.start + offset, e.end + offset, e.label, e.text) for e in entities
        )
    return found


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


def _scan(
    block: Block,
    pseudonyms: set[str],
    acronyms: set[str],
    entities: Sequence[ner.Entity] = (),
    own: frozenset[str] = frozenset(),
    seen: Mapping[str, str] = MappingProxyType({}),
    cited: frozenset[str] = frozenset(),
) -> Iterable[Hit]:
    """``seen``: names found elsewhere in the dossier with a cue (name → code), whose other
    mentions are findings too."""
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
        if PUBLIC_SITE.search(match.group(0)):
            claim(match)
        elif claim(match):
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
    for pattern in (ADDRESS_WITH_POSTCODE, ADDRESS, ADDRESS_NAMED, POSTCODE):
        for match in pattern.finditer(text):
            if claim(match):
                yield hit(
                    "address", "error", "adresse postale",
                    "Gardez au plus la région ou le type de territoire.", match,
                )  # fmt: skip
    folded = fold(text)
    for name in own:  # each mention of the consultant's organisation: « Trajectoires Lorraine »
        spelled = r"\s+".join(re.escape(w) for w in name.split())
        for match in re.finditer(rf"(?<![\w'’-]){spelled}(?![\w'’-])", folded):
            claim(match)  # is neither an employer nor, for its « Lorraine », a first name
    for match in PRODUCT_BRANDS.finditer(text):
        taken.claim(*match.span("brands"))  # « les produits Kérastase et Redken »: not employers
    for start, end in _organisations(text, own):
        if taken.claim(start, end):
            name = text[start:end]
            yield _employer_hit(name, block.where)
    for match in CITATION.finditer(text):
        claim(match)  # an author cited with a year, or after « selon », is not the bénéficiaire
    for start, end in _authors(text, entities):
        taken.claim(start, end)
    for match in AUTHOR_LIST.finditer(text):
        words = re.findall(rf"[{UP}][{LOW}]+", match.group(0))  # the names, not « et »
        if (
            any(fold(w) in NOT_NAMES for w in words)
            or _YEAR_AFTER.match(text, match.end())
            or _AUTHOR_BEFORE.search(fold(text[max(0, match.start() - 60) : match.start()]))
        ):  # « décrites par Arthur et Rousseau »: authors here (not carried to other mentions)
            # « Mitchell, Levin et Krumboltz (1999) », « Savickas, Nota, Duarte… »: each name
            for word in re.finditer(rf"[{UP}][{LOW}]+", match.group(0)):
                taken.claim(match.start() + word.start(), match.start() + word.end())
    for match in LABELLED_NAME.finditer(text):
        name = match.group(1)
        if (
            not _tokens(name) <= pseudonyms
            and _plausible_name(name)
            and not _is_public_or_own(name, own)
            and taken.claim(*match.span(1))
        ):
            yield Hit(
                "name", "error",
                f"À anonymiser : nom de personne « {name} ». Remplacez-le par une initiale ou un "
                "pseudonyme présenté comme tel.", block.where, name,
            )  # fmt: skip
    for match in EMPLOYER.finditer(text):
        name = _trim_organisation(match.group("org"))
        start = match.start("org")
        if (
            not name
            or _is_public_or_own(name, own)
            or name.split()[0].rstrip(".") in _CIVILITY_WORDS
            or name.split()[0] in _PLATFORMS
        ):
            continue  # « travaille pour M. Martin »: a person, found as one
        if _AT_PLACE.search(text[max(0, start - 12) : start]) and (
            " " not in name or _only_place(start, name, entities)
        ):
            continue  # « travaille à Lyon »: a town (an employer after « à » has a longer name)
        if taken.claim(start, start + len(name)):
            yield _employer_hit(name, block.where)
    for start, end in _organisations_after_cue(text, entities, own):
        if taken.claim(start, end):
            name = text[start:end]
            yield _employer_hit(name, block.where)
    for start, end in _organisations_in_work_context(text, entities, own):
        if taken.claim(start, end):
            name = text[start:end]
            yield _employer_hit(name, block.where)
    for start, end in _organisations_by_kind(text, entities, own):
        if taken.claim(start, end):
            yield _employer_hit(text[start:end], block.where)
    for match in FAMILY_NAME.finditer(text):
        name = match.group("name")
        if (
            name not in pseudonyms
            and _plausible_name(name)
            and not _known_first_name(name)
            and not re.match(r"\s+(?:de|du|des|d['’])\s*[A-ZÀ-Þ]", text[match.end() :])
            and not _only_place(match.start("name"), name, entities)
            and taken.claim(*match.span("name"))
        ):
            yield Hit(
                "name", "error",
                f"À anonymiser : nom de famille « {name} ». Remplacez-le par une initiale "
                "(la famille L.) ou un pseudonyme présenté comme tel.", block.where, name,
            )  # fmt: skip
    for match in ROLE_NAME.finditer(text):
        name = match.group(1)
        if (
            name not in pseudonyms
            and name not in _CIVILITY_WORDS
            and fold(name) not in NOT_NAMES
            and not _is_public_or_own(name, own)
            and not _INITIAL_AFTER.match(text, match.end(1))
            and taken.claim(*match.span(1))
        ):
            yield Hit(
                "name", "error",
                f"À anonymiser : prénom « {name} ». Remplacez-le par une initiale ou un "
                "pseudonyme présenté comme tel (« Karim, prénom modifié »).", block.where, name,
            )  # fmt: skip
    for match in CIVILITY.finditer(text):
        tokens = _tokens(match.group(1))
        if tokens and not tokens <= pseudonyms and _plausible_name(match.group(1)) and claim(match):
            yield hit(
                "name", "error", "nom de personne",
                "Remplacez-le par une initiale (Mme D.) ou un pseudonyme présenté comme tel.", match,
            )  # fmt: skip
    for match in FIRST_LAST.finditer(text):
        first, last = match.group(1), match.group(2)
        if (
            first in FIRST_NAMES
            and fold(last) not in NOT_NAMES
            and not _PLACE_BEFORE.search(text[max(0, match.start() - 25) : match.start()])
            and last not in ACRONYMS
            and not _tokens(match.group(0)) <= pseudonyms
            and claim(match)
        ):
            yield hit(
                "name", "error", "nom de personne",
                "Remplacez-le par une initiale (Sophie D.) ou un pseudonyme présenté comme tel.", match,
            )  # fmt: skip
    for entity in entities:
        if entity.label != "PER":
            continue
        start, end = _widen(text, entity.start, entity.end)
        name = text[start:end]
        tokens = _tokens(name)
        if not tokens or tokens <= pseudonyms or not _plausible_name(name):
            continue
        if len(tokens) == 1 and not _known_first_name(name) and name not in _surnames_seen(text):
            # A lone capitalised word the model calls a person is too often a common word at the
            # start of a line (« Dilemme. », « Intérêts : »): only known first names count.
            continue
        if _PLACE_BEFORE.search(text[max(0, start - 25) : start]):
            continue  # « lycée Jean Moulin », « rue Victor Hugo »
        if not _has_first_name(name) and (
            _AT_OR_PLACE.search(text[max(0, start - 14) : start])
            or fold(name.split()[0]) in _JOB_WORDS
        ):
            continue  # « basé à Chef de Baie »: a place, a job title, not a person
        if _INITIAL_AFTER.match(text, end) and len(tokens) == 1:
            continue  # « Sophie D. »: anonymised as the guide asks
        if _is_public_or_own(name, own) or not _all_capitalised(name):
            continue  # the consultant's organisation, « Mme P. : De la colère »
        if taken.claim(start, end):
            yield Hit(
                "name", "error",
                f"À anonymiser : nom de personne « {name} ». Remplacez-le par une initiale "
                "(Sophie D.) ou un pseudonyme présenté comme tel.", block.where, name,
            )  # fmt: skip
    more = insee_first_names()
    word_names = first_names_that_are_words()
    for match in FIRST_NAME.finditer(text):
        name = match.group(0)
        if (
            name in word_names
            and name not in pseudonyms
            and _person_cue(text, match, entities)
            and taken.claim(*match.span())
        ):
            yield Hit(
                "name", "error",
                f"À anonymiser : prénom « {name} ». Remplacez-le par une initiale ou un "
                "pseudonyme présenté comme tel (« Karim, prénom modifié »).", block.where, name,
            )  # fmt: skip
    for match in FIRST_NAME.finditer(text):
        name = match.group(0)
        if (
            (_known_first_name(name) or _lone_first_name(text, match, more, entities))
            and name not in pseudonyms
            and not _INITIAL_AFTER.match(text, match.end())
            and not _PLACE_BEFORE.search(text[max(0, match.start() - 25) : match.start()])
            and not _PLACE_ARTICLE.search(text[max(0, match.start() - 6) : match.start()])
            and not _inside_a_place(match.start(), match.end(), entities)
            and not _PLACE_PREPOSITION.search(text[max(0, match.start() - 14) : match.start()])
            and taken.claim(*match.span())
        ):
            yield Hit(
                "name", "error",
                f"À anonymiser : prénom « {name} ». Remplacez-le par une initiale ou un "
                "pseudonyme présenté comme tel (« Karim, prénom modifié »).", block.where, name,
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
    if STRUCTURAL_EMPLOYERS:
        for start, end in _employers_by_structure(text, entities, own, cited):
            if taken.claim(start, end):
                yield _employer_hit(text[start:end], block.where)
    for name, code in seen.items():  # the other mentions of a name found once with a cue
        for match in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(?![\w'’-])", text):
            if name in pseudonyms or not taken.claim(*match.span()):
                continue
            if code == "employer":
                yield _employer_hit(name, block.where)
            else:
                yield Hit(
                    "name", "error",
                    f"À anonymiser : nom de personne « {name} » (déjà repéré ailleurs dans le "
                    "dossier). Remplacez-le par une initiale ou un pseudonyme présenté comme tel.",
                    block.where, name,
                )  # fmt: skip


LABELLED_NAME = re.compile(
    rf"(?i:\bb[ée]n[ée]ficiaire|\bnom(?:\s+et\s+pr[ée]nom)?|\bpr[ée]nom|\bsignature|\bsign[ée]e?s?\s+par)"
    rf"\s*:?\s+((?:{_NAME_TOKEN}|{_PARTICLE}{_NAME_TOKEN})(?:\s+(?:{_PARTICLE}?{_NAME_TOKEN})){{0,3}})"
)
FIRST_NAME = re.compile(rf"(?<![\w'’-])[{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?(?![\w'’-])")
#: A first name inside a place or an institution's name: « rue Victor Hugo », « lycée Jean Moulin ».
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:rue|avenue|boulevard|bd|place|all[ée]e|quai|impasse|chemin|square|lyc[ée]e|coll[èe]ge|"
    r"[ée]cole|h[ôo]pital|clinique|centre|espace|salle|stade|gymnase|m[ée]diath[èe]que|biblioth[èe]que|"
    r"r[ée]sidence|parc|pont|port|saint|sainte|st|ste|fondation|institut|universit[ée])\s+"
    r"(?:[\w'’-]+\s+){0,2})$"
)
_EMPLOYER_CUE = (
    r"(?i:\bchez|\bemployeur\s*(?:actuel|pr[ée]c[ée]dent)?\s*,?\s*(?:[:|]\s*)?|\bdepuis\s+(?:19|20)\d{2}\s*,?\s+(?:à|au|aux|chez|dans)"
    r"|\bembauch\w*\s+(?:chez|par|à|au|dans)|\b(?:travaill|exerc|offici)\w*(?:\s+(?:depuis|pendant)\s+[\w\s-]{1,25}?|(?:\s+[\w'’-]+){1,3}?)?\s+(?:chez|pour|à|au|aux|au\s+sein\s+d[eu']|dans)"
    r"|\bsalari[ée]\w*\s+(?:de|chez|d'|du)|\blicenci\w*\s+(?:de|par|chez|du)"
    r"|\b(?:ans|ann[ée]es|mois)\s+(?:chez|à|au|aux|au\s+sein\s+d[eu']|dans)|\bquitt\w*|\brejoint|\brecrut\w*\s+(?:par|chez)"
    r"|\bposte\s+(?:chez|à|au\s+sein\s+d[eu']|dans)|\bpour\s+le\s+compte\s+d[eu']"
    r"|\bau\s+sein\s+d(?:e|u|es|')|\bancien(?:ne)?s?\s+(?:[\w'’-]+\s+){1,3}?(?:de|d'|d’|du|chez)"
    r"|\b(?-i:dirig|g[èé]r)\w*|\bpour(?=\s+(?:l['’]|la\s+|le\s+)(?:soci[ée]t[ée]|entreprise|groupe|enseigne|cabinet|magasin|restaurant|agence)\b))"
)
_ORG_NOUN = (
    r"(?:(?:l['’]|le\s+|la\s+|les\s+|une?\s+)?(?:entreprise|soci[ée]t[ée]|cabinet|restaurant|magasin|groupe|"
    r"enseigne|h[ôo]tel|clinique|h[ôo]pital|centre\s+hospitalier|agence|boulangerie|garage|commune|"
    r"association|usine|supermarch[ée]|hypermarch[ée]|banque|[ée]tablissement|structure|plateforme)\s+)?"
)
#: A full stop inside a name (« S.A.S ») is part of it, one before a space ends the sentence.
_ORG_WORD = rf"(?:[{UP}](?:[\w'’&-]|\.(?=[\w]))*)"
EMPLOYER = re.compile(
    rf"{_EMPLOYER_CUE}(?:(?<=['’])|\s+)(?:{_ORG_NOUN}|(?:l['’]|la\s+|le\s+|les\s+|une?\s+)[a-zà-ÿ-]{{3,20}}\s+(?=[{UP}]))"
    rf"(?P<org>(?:l['’]|la\s+|le\s+|les\s+)?{_ORG_WORD}"
    rf"(?:\s+(?:(?:de|du|des|d['’]|la|le|les|l['’]|et|&|sur)\s*)*{_ORG_WORD}){{0,5}})"
)
#: Whose name is not a finding: the bénéficiaire's prescribers and funders, public bodies.
PUBLIC_BODIES = re.compile(
    r"^(?:l['’]|la\s+|le\s+|les\s+)?(?:france\s+travail|p[ôo]le\s+emploi|apec|cap\s+emploi|mission\s+locale|"
    r"cpam|caisses?\s+(?:primaire|d['’]allocations|nationale|de\s+retraite|des\s+d[ée]p[ôo]ts)|urssaf|msa|opco\b|transitions?\s+pro|france\s+comp[ée]tences|afpa|greta|cnam|"
    r"cio\b|onisep|agefiph|mdph|caf\b|minist[èe]re|r[ée]gion|d[ée]partement|conseil\s+(?:r[ée]gional|d[ée]partemental)|"
    r"chambre\s+(?:d['’]agriculture|de\s+commerce|des\s+m[ée]tiers)|cci\b|cma\b|[ée]ducation\s+nationale|"
    r"fonction\s+publique|qualiopi|mon\s*compte\s*formation|cpf\b)",
    re.IGNORECASE,
)
_OWN_CUE = re.compile(
    r"(?i:j['’]exerce|je\s+travaille|nous\s+intervenons|nous\s+exer[cç]ons|nous\s+travaillons|j['’]interviens"
    r"|je\s+suis\s+consultante?|notre\s+(?:structure|cabinet|centre|organisme)"
    r"|ma\s+structure|\bstructure\s*:|consultante?s?\s*:?\s*(?:(?:salari[ée]e?|associ[ée]e?|ind[ée]pendante?)\s+)?(?:chez|au\s+sein|à|pour|de|du|d['’])"
    r"|nos\s+locaux|en\s+partenariat\s+avec|sous\s+le\s+nom)"
)
_OWN_NAME = re.compile(
    rf"(?:(?:au\s+sein\s+d[eu']|chez|pour|à|:|de|avec|sous\s+l['’]enseigne|du\s+(?:cabinet|centre|r[ée]seau)"
    rf"|(?:pour|de|à|avec|dans|chez)\s+(?:le|la|l['’]|un|une)\s*(?:cabinet|centre|r[ée]seau|structure|organisme|soci[ée]t[ée]|association|agence)"
    rf"|sous\s+le\s+nom(?:\s+de)?(?:\s+commercial)?\s*«?)\s+|d['’])({_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&)\s*)*{_ORG_WORD}){{0,4}})"
)


_OWN_KIND = (
    r"(?:(?:le|la|l['’]|un|une|notre)\s*)?(?:(?:cabinet|centre(?:\s+de\s+bilans?)?|r[ée]seau|structure|"
    r"organisme|soci[ée]t[ée]|association|agence)\s+(?:de\s+bilans?\s+)?)?"
)
_OWN_ORG = rf"({_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&)\s*)*{_ORG_WORD}){{0,4}})"
#: The consultant's organisation named right after what says it is theirs: « en sous-traitance
#: pour NextStep Bilans », « consultants associés de Cimes Orientation », « Je suis consultant
#: depuis quatre ans au Point Carrière », the header « De : consultant, Trajectoires Lorraine »,
#: « Structure | Cabinet Trajectoires Pro », « Organisme : … », « bilan de compétences réalisé
#: par … », « centre de bilan … », « prestataire : … ».
_OWN_DIRECT = re.compile(
    r"(?i:\bsous-trait(?:ance|ant|ante)\s+(?:pour|de|d['’]|du|chez)"
    r"|\bconsultante?s?\s+(?:salari[ée]e?s?|associ[ée]e?s?|ind[ée]pendante?s?|partenaires?)\s+"
    r"(?:de|d['’]|du|chez|au\s+sein\s+d[eu']|à|au|pour)"
    r"|\bassoci[ée]e?s?\s+(?:de|d['’]|du|chez)"
    r"|\b(?:je\s+suis|nous\s+sommes)\s+(?:[\w'’-]+\s+){0,5}?consultante?s?\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?:au\s+sein\s+d[eu']|chez|pour|au|aux|à|de|du|d['’])"
    r"|\bje\s+(?:r[ée]alise|m[eè]ne|conduis|fais)\s+(?:des|les|mes|ces)\s+bilans\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:pour|chez|au\s+sein\s+d[eu']|à|au)"
    r"|\bde\s*:\s*(?:l[ea]\s+)?consultante?s?\s*[,–—-]"
    r"|\b(?:organisme(?:\s+prestataire)?|structure|prestataire|cabinet|centre\s+de\s+bilans?)\s*[:|]"
    r"|\b(?:organisme\s+prestataire|prestataire\s+du\s+bilan|centre\s+de\s+bilans?(?:\s+de\s+comp[ée]tences)?)\s*,?"
    r"|\bbilans?\s+de\s+comp[ée]tences\s+(?:(?:a\s+[ée]t[ée]|est|sera|ont\s+[ée]t[ée]|sont)\s+)?(?:r[ée]alis[ée]s?|men[ée]s?|conduits?|propos[ée]s?)\s+"
    r"(?:par|chez|au\s+sein\s+d[eu']|au|à)"
    r"|\bbilans?\s+de\s+comp[ée]tences\s+(?:chez|au\s+sein\s+d[eu']|aupr[èe]s\s+d[eu']))"
    rf"\s*{_OWN_KIND}{_OWN_ORG}"
)
#: The name before what says it is the consultant's: « Boussole Ouest, qui m'emploie »,
#: « … Orientation, où j'exerce ».
_OWN_BEFORE_CUE = re.compile(
    rf"{_OWN_ORG}\s*,?\s*(?i:qui\s+m['’]emploie|o[uù]\s+j['’](?:exerce|interviens|travaille)"
    r"|pour\s+(?:le|la|l['’])quel(?:le)?\s+j['’](?:exerce|interviens|travaille))"
)


def _own_organisations(blocks: Sequence[Block]) -> frozenset[str]:
    """The consultant's own organisation(s): « J'exerce au sein de Trajectoires Conseil », « en
    sous-traitance pour NextStep Bilans », « Organisme : … »; never a name that is also the
    bénéficiaire's employer (« Mme K. travaille chez … »), which stays a finding."""
    names: set[str] = set()
    for block in blocks:
        for cue in _OWN_CUE.finditer(block.text):
            window = block.text[cue.start() : cue.end() + 80]
            match = _OWN_NAME.search(window)
            if match:  # « … du cabinet Praxis Orientation. Mme V. a … »: up to the full stop
                names.add(fold(_trim_organisation(re.split(r"[.!?;]\s", match.group(1))[0])))
        for pattern in (_OWN_DIRECT, _OWN_BEFORE_CUE):
            for match in pattern.finditer(block.text):
                name = _trim_organisation(re.split(r"[.!?;]\s", match.group(1))[0])
                if name and not _known_first_name(name.split()[0]):  # « consultant, Marc »
                    names.add(fold(name))
        for match in _BEFORE_SIRET.finditer(block.text):
            names.add(fold(_trim_organisation(match.group(1))))
    theirs = _beneficiary_employers(blocks)
    return frozenset(
        n for n in names if n and not any(n in e or e in n for e in theirs if len(e) > 2)
    )


_INITIAL_STOP = re.compile(rf"\b(?:M|Mme|Mlle|MM)\.?\s*[{UP}]\.")


def _beneficiary_employers(blocks: Sequence[Block]) -> set[str]:
    """Names after an employer cue in a sentence whose subject is the bénéficiaire (« Mme K.
    travaille chez Adecco Conseil »), folded."""
    names: set[str] = set()
    for block in blocks:
        # « Mme K. travaille chez … »: the initial's full stop does not end the sentence
        masked = _INITIAL_STOP.sub(lambda m: m.group(0)[:-1] + "_", block.text)
        for sentence in _MODEL_SENTENCE.finditer(masked):
            text = block.text[sentence.start() : sentence.end()]
            if not (_BENEFICIARY_SUBJECT.search(text) and _EMPLOYMENT.search(text)):
                continue  # « Mme K. a été reçue chez … » is not where she works
            for match in EMPLOYER.finditer(text):
                if _CONSULTANT_SUBJECT.search(text[: match.start()]):
                    continue
                name = _trim_organisation(match.group("org"))
                if name:
                    names.add(fold(name))
    return names


_BEFORE_SIRET = re.compile(
    rf"({_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&)\s*)*{_ORG_WORD}){{0,4}})\s*[–—,-]?\s*(?:SIRET|NDA|N° de déclaration|numéro de déclaration)"
)


_ORG_TAIL = re.compile(r"[\s,.;:]+$")


def _trim_organisation(name: str) -> str:
    """Drop trailing connectors and punctuation: « Hyper U de Lanester, » → « Hyper U de Lanester »."""
    words = name.split()
    while words and fold(words[-1]) in {
        "de",
        "du",
        "des",
        "d'",
        "la",
        "le",
        "les",
        "l'",
        "et",
        "&",
        "sur",
        "en",
    }:
        words.pop()
    name = _ORG_TAIL.sub("", " ".join(words))
    return re.sub(r"^(?:la|le|les)\s+|^l['’](?=[A-ZÀ-Þ])", "", name)  # « la Mairie de … »


def _is_public_or_own(name: str, own: frozenset[str]) -> bool:
    folded = fold(name)
    if PUBLIC_BODIES.match(name) or folded in own or any(o and o in folded for o in own):
        return True
    if own and not _known_first_name(name.split()[0] if name.split() else ""):
        # a shorter mention of the consultant's organisation: « NextStep » for « NextStep
        # Bilans », « Trajectoires Pro » for « Cabinet Trajectoires Pro » (whole words)
        words = folded.split()
        if any(
            _contains_words(o.split(), words) and (len(words) > 1 or not _common_word(words[0]))
            for o in own
        ):
            return True
    words = [w for w in re.findall(r"[\w'’&-]+", name)]
    return all(w in ACRONYMS or fold(w) in NOT_NAMES for w in words)


def _contains_words(whole: Sequence[str], part: Sequence[str]) -> bool:
    """``part`` is a run of whole words of ``whole``."""
    n = len(part)
    return 0 < n <= len(whole) and any(
        list(whole[i : i + n]) == list(part) for i in range(len(whole) - n + 1)
    )


#: Brands of the products the bénéficiaire uses or sells: « les produits Kérastase et Redken »,
#: « la marque Bosch », « les gammes Makita » are not employers.
PRODUCT_BRANDS = re.compile(
    rf"(?i:\b(?:les|des|ses|leurs|nos|la|une|sa|leur|les\s+deux)\s+(?:produits|marques?|gammes?)"
    rf"(?:\s+(?:de\s+)?(?-i:[a-zà-ÿ-]+)){{0,2}}?\s+(?:de\s+|d['’]|du\s+)?)"
    rf"(?P<brands>{_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&|ou)\s*|,\s*)*{_ORG_WORD}){{0,5}})"
)
_AT_PLACE = re.compile(r"\b(?:à|a|dans|sur|en)\s+(?:l['’]|la\s+|le\s+)?$")


def _only_place(start: int, name: str, entities: Sequence[ner.Entity]) -> bool:
    """« travaille à Lyon »: a town the model calls a place, not an employer."""
    end = start + len(name)
    return any(
        e.label == "LOC" and e.start <= start and e.end >= end for e in entities
    ) and not any(e.label == "ORG" and e.start < end and e.end > start for e in entities)


def _authors(text: str, entities: Sequence[ner.Entity]) -> list[tuple[int, int]]:
    """Names of authors and theories (« l'approche de Carl Rogers », « les travaux de Mark
    Savickas », « l'espace Simone Veil »): not the bénéficiaire."""
    spans: list[tuple[int, int]] = []
    for entity in entities:
        if entity.label != "PER":
            continue
        start, end = _widen(text, entity.start, entity.end)
        folded = fold(text[start:end])
        before = fold(text[max(0, start - 60) : start])
        after = fold(text[end : end + 12])
        if (
            any(t in NOT_NAMES for t in re.findall(r"[\w-]+", folded) if len(t) > 3)
            or _AUTHOR_BEFORE.search(before)
            or re.match(r"\s*\(\s*(?:19|20)\d{2}", after)
        ):
            spans.append((start, end))
    return spans


_AUTHOR_BEFORE = re.compile(
    r"(?:approches?|theories?|modeles?|travaux|concepts?|notions?|methodes?|pyramide|ancres?\s+de\s+carriere|"
    r"anthropologie\s+du\s+projet|courant|ecole|auteur|sociologue|psychologue|chercheu\w+|"
    r"selon|d'apres|inspire\w*\s+de|espace|salle|loi|rue|references?\s*:|bibliographie\s*:|lectures?\s*:)"
    r"(?:\s+[\w'-]+){0,5}\s+(?:de|d'|du|(?:decrit|propose|theorise|conceptualise|developpe)e?s?\s+par)?\s*$"
)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend an entity cut inside a word (« Chantal N' » → « Chantal N'Diaye »)."""
    while end < len(text) and (
        text[end].isalnum()
        or (text[end] in "'’-" and end + 1 < len(text) and text[end + 1].isalpha())
    ):
        end += 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    name = text[start:end].rstrip("'’- ")
    return start, start + len(name)


_INITIAL_AFTER = re.compile(rf"\s+[{UP}]\.")
#: Surnames in a row: « Mitchell, Levin et Krumboltz », « (Savickas, Nota, Rossier, Duarte) ».
AUTHOR_LIST = re.compile(
    rf"(?<![\w'’-])[{UP}][{LOW}]+(?:(?:\s*,\s*|\s+(?:et|&)\s+)[{UP}][{LOW}]+(?:\s+[{UP}][{LOW}]+)?)+(?![\w'’-])"
)
_YEAR_AFTER = re.compile(r"\s*\(\s*(?:19|20)\d{2}")
_PARTICLES = frozenset("de la le du des d' d’ l' l’ van von ben el".split())


def _all_capitalised(name: str) -> bool:
    """Every word of a person's name is capitalised, particles apart; no punctuation inside."""
    if re.search(r"[:;,()«»\d]", name):
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in re.findall(r"[\w'’-]+", name))


def _known_first_name(name: str) -> bool:
    """« Thomas », « Anne-Sophie » (each part a first name)."""
    return name in FIRST_NAMES or ("-" in name and all(p in FIRST_NAMES for p in name.split("-")))


def _plausible_name(name: str) -> bool:
    """Capitalised, not a word of the bilan, not an acronym of the trade."""
    words = [w for w in re.findall(r"[\w'’-]+", name) if w not in _CIVILITY_WORDS]
    if not words or not any(re.search(rf"[{UP}]", w) for w in words):
        return False
    return not all(fold(w) in NOT_NAMES or w in ACRONYMS or w.lower() == w for w in words)


@lru_cache(maxsize=64)
def _surnames_seen(text: str) -> frozenset[str]:
    """Capitalised words that follow a civility in the text (« Mme Diallo » makes « Diallo » a name)."""
    return frozenset(m.group(1).split()[-1] for m in CIVILITY.finditer(text))


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


def _first_name_like(name: str, more: frozenset[str]) -> bool:
    """A first name of INSEE's file (« Linh », « Bogdan », « Anne-Kelya »)."""
    return name in more or (
        "-" in name and all(p in more or p in FIRST_NAMES for p in name.split("-"))
    )


_CAPITAL_NEXT = re.compile(rf"[ \t]+(?:(?:de|du|des|d['’]|le|la|van|von)\s*)?[{UP}]")
_CAPITAL_BEFORE = re.compile(rf"([{UP}][\w'’-]*)[ \t]+$")
#: Capitalised at the start of a sentence, never part of a name: « Quand Maryvonne disait… ».
_FUNCTION_WORDS = frozenset(
    """quand puis mais alors ensuite enfin et ou donc car lorsque lorsqu depuis avec pour chez
    selon comme si aussi ainsi pourtant cependant seule seul meme hier aujourd demain ici la
    le les un une des ce cette mon ma mes son sa ses notre votre leur bref certes parfois souvent
    toujours jamais desormais tandis""".split()
)
_PLACE_PREPOSITION = re.compile(
    r"(?i:\b(?:en|au|aux|sur|vers|pr[èe]s\s+de|via|depuis|jusqu['’]à|(?:habite|vit|vivent|r[ée]side)\s+à))\s+$"
)
_AT = re.compile(r"(?i:\b(?:à|a))\s+$")


def _lone_first_name(
    text: str, match: re.Match[str], more: frozenset[str], entities: Sequence[ner.Entity]
) -> bool:
    """A first name of INSEE's file used alone: not part of a longer proper name (« Leroy
    Merlin », « Carl Rogers »), not a town after « à » or « près de » unless the model reads a
    person there, not what the model calls an organisation."""
    name = match.group(0)
    if not _first_name_like(name, more):
        return False
    start, end = match.span()
    capital_before = _CAPITAL_BEFORE.search(text[max(0, start - 40) : start])
    if _CAPITAL_NEXT.match(text, end) or (
        capital_before and fold(capital_before.group(1)) not in _FUNCTION_WORDS
    ):
        return False
    before = text[max(0, start - 14) : start]
    if _PLACE_PREPOSITION.search(before):
        return False  # « près de Nancy », « vers Lorient », « en Lorraine »
    covering = {e.label for e in entities if e.start <= start and e.end >= end}
    if "PER" in covering:
        return True
    # The small model often calls a rare first name a place (« Hanitra »): only « à » before
    # it (« à Nancy ») or an organisation says otherwise.
    return "ORG" not in covering and not _AT.search(before)


#: A person named by their tie to the bénéficiaire: « son mari Gwénolé », « sa fille, Kelya »,
#: « son ancien chef de cuisine, Yohan », « j'ai rencontré Linh ».
_ROLE = (
    r"fils|fille|mari|femme|[ée]pouse|[ée]poux|conjointe?|compagn(?:on|e)|fr[èe]re|s[œo]e?ur|p[èe]re|"
    r"m[èe]re|oncle|tante|cousine?|neveu|ni[èe]ce|chef(?:fe)?|coll[èe]gue|responsable|manager|"
    r"tut(?:eur|rice)|sup[ée]rieure?|direct(?:eur|rice)|patronn?e?|amie?|voisine?|enfant|bin[ôo]me|"
    r"format(?:eur|rice)|r[ée]f[ée]rente?|petit-fils|petite-fille|belle-m[èe]re|beau-p[èe]re"
)
ROLE_NAME = re.compile(
    rf"(?i:\b(?:son|sa|ses|mon|ma|mes|notre|leur)\s+(?:(?:ancien(?:ne)?|nouvel(?:le)?|jeune|petite?|grande?|"
    rf"fils|fille|propre)\s+)?(?:{_ROLE})\b(?:\s+(?!et\b|qui\b|que\b)(?-i:[a-zà-ÿ'’-]+)){{0,3}}?\s*,?"
    rf"|\brencontr[ée]\w*(?:\s+avec)?|\bs['’]appel(?:le|ait|lent)|\bpr[ée]nomm[ée]e?)\s+"
    rf"([{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?)(?![\w'’-])(?![ \t]+[{UP}])"
)

#: An organisation named with its kind: « les Transports Lemoine », « Établissements Morel »,
#: « EHPAD Les Glycines »; with a lower-case kind (« à l'école maternelle Jacques Prévert », « à la
#: Ville de Montreuil »), only in a sentence about work (« depuis », « agent », « employée »…).
_ORG_KIND = (
    r"Transports|[ÉE]tablissements|Ets|Soci[ée]t[ée]|Groupe|Laboratoires?|Clinique|EHPAD|Ehpad|"
    r"Boulangerie|Garage|Pharmacie|Menuiserie|Ma[çc]onnerie|Imprimerie|Brasserie|Auto-[ée]cole|SARL|SAS|"
    r"Mairie|Ville|Commune|CCAS|M[ée]tropole|Communaut[ée]\s+d['’]agglom[ée]ration|CHU|CHRU|CHI|GHT|"
    r"Centre\s+hospitalier|H[ôo]pital|Coop[ée]rative|GAEC|EARL|SCOP|Domaine|Vignobles|Caves?"
)
ORG_NAMED = re.compile(
    rf"\b(?:{_ORG_KIND})\s+(?:(?:de\s+la|de\s+l['’]|des|du|de|d['’]|les|le|la|l['’])\s*)?{_ORG_WORD}"
    rf"(?:\s+(?:(?:de|du|des|d['’]|et|&|les|le|la)\s*)*{_ORG_WORD}){{0,4}}"
)
_ORG_KIND_LOWER = (
    r"soci[ée]t[ée]|entreprise|enseigne|usine|clinique|[ée]cole(?:\s+(?:maternelle|[ée]l[ée]mentaire|primaire))?|"
    r"coll[èe]ge|lyc[ée]e|cr[èe]che|h[ôo]pital|centre\s+hospitalier|mairie|ville|commune|restaurant|magasin|"
    r"agence|boulangerie|garage|banque|groupe|association|r[ée]sidence|pharmacie|ehpad|coop[ée]rative|"
    r"laboratoire|concession|atelier|cabinet|chu|gaec|brasserie|h[ôo]tel|supermarch[ée]|hypermarch[ée]|"
    r"maison\s+de\s+retraite|caf[ée]|bar|librairie|jardinerie|scierie|fromagerie|domaine|cave(?:\s+coop[ée]rative)?|"
    r"cha[îi]ne|franchise"
)
ORG_LOWER = re.compile(
    rf"\b(?:l['’]|la\s+|le\s+|au\s+|du\s+)(?P<kind>{_ORG_KIND_LOWER})\s+(?:(?:de\s+la|des|du|de|d['’]|les|le|la)\s*)?"
    rf"(?P<org>{_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&|les|le|la)\s*)*{_ORG_WORD}){{0,4}})"
)
#: A name in guillemets after its kind: « de l'entreprise « Le Goff Thermique » », « la cave
#: coopérative « Les Vignerons de Buxy » » (with a lower-case kind, only in a sentence about work).
ORG_QUOTED = re.compile(
    rf"\b(?P<kind>{_ORG_KIND_LOWER}|{_ORG_KIND})(?:\s+[a-zà-ÿ-]{{3,20}}){{0,2}}\s*,?\s+"
    rf"(?:(?:appel|nomm|baptis)[ée]e?s?\s+)?[«“\"]\s*(?P<org>[{UP}0-9][^»”\"\n]{{1,60}}?)\s*[»”\"]"
)
_WORK_SENTENCE = re.compile(
    r"(?i:\b(?:travaill|employ|salari|embauch|recrut|licenci|quitt|agent|atsem|titulaire|contrat|cdi|cdd|"
    r"poste|depuis|exerc|int[ée]rim|apprenti|alternance|vendeu|caissi|serveu|h[ôo]tesse|commis|aide-soignant|"
    r"auxiliaire|employeur|m[ée]canicien|ouvri[eè]r|technicien|secr[ée]taire|ash|asv|atsem)\w*|\b(?:ans|mois)\b)"
)
_SENTENCE_BOUNDS = re.compile(r"[.!?;\n]")
_ORG_BEFORE = re.compile(
    r"(?i:\b(?:chez|pour|par|pour\s+le\s+compte\s+d[eu']|employ[ée]e?s?\s+par|salari[ée]e?s?\s+(?:de|d'|du|chez)))\s+$"
)


#: A sentence about meeting someone of an organisation, enquiring or applying there: the
#: organisation is not the bénéficiaire's employer (« Enquête métier auprès d'une responsable du
#: CHU de Strasbourg », « Rencontre du directeur du CFA de Quimper avant le 30 avril »), unless
#: the words between say they work there.
_MEETING = re.compile(
    r"(?i:\b(?:rencontr\w*|enqu[êe]tes?|aupr[èe]s\s+d|rendez-vous|rdv|visit\w*|entretiens?\s+(?:avec|d['’]information)|"
    r"contact\w*|candidat\w*|inscri\w*|immersion|pmsmp|stage|postuler|rencontre)\b)"
)
_WORKS_THERE = re.compile(
    r"(?i:\b(?:travaill|salari|employ|embauch|exerc|coll[èe]gue|son\s+employeur|depuis)\w*)"
)


_NAME_JOINERS = frozenset("de du des d' d’ la le les l' l’ et & à au aux en sur sous".split())


def _title_like(name: str) -> bool:
    """Every word capitalised, joiners apart (« Les Vignerons de Buxy »), at most six words."""
    words = re.findall(r"[\w'’&-]+", name)
    return 0 < len(words) <= 6 and all(
        w[:1].isupper()
        or w[:1].isdigit()
        or w.lower() in _NAME_JOINERS
        or re.match(r"(?i:[ld]['’])[A-ZÀ-Þ]", w)
        for w in words
    )


def _about_a_meeting(text: str, start: int) -> bool:
    """The sentence is about meeting, enquiring or applying before ``start``, and does not say
    the bénéficiaire works there (« … au CHU de Rennes, où elle travaille depuis 2010 »)."""
    left = max((m.end() for m in _SENTENCE_BOUNDS.finditer(text, 0, start)), default=0)
    right = _SENTENCE_BOUNDS.search(text, start)
    meetings = list(_MEETING.finditer(text, left, start))
    rest = text[meetings[-1].end() : right.start() if right else len(text)] if meetings else ""
    return bool(meetings) and not _WORKS_THERE.search(rest)


def _organisations(text: str, own: frozenset[str]) -> list[tuple[int, int]]:
    """Organisations named with their kind (ORG_NAMED, ORG_LOWER)."""
    spans: list[tuple[int, int]] = []
    for pattern in (ORG_QUOTED, ORG_NAMED, ORG_LOWER):
        for match in pattern.finditer(text):
            start, end = match.span()
            name = _trim_organisation(match.group(0))
            if pattern is ORG_QUOTED:
                start, end = match.span("org")
                name = _ORG_TAIL.sub("", match.group("org"))
                if not _title_like(name):
                    continue  # a workshop's title: « un atelier « Comprendre son premier budget » »
            if _about_a_meeting(text, start):
                continue  # « Rencontre du directeur du CFA de Quimper »: not where they work
            if pattern is not ORG_NAMED:
                org = _trim_organisation(match.group("org"))
                first = org.split()[0] if org else ""
                # « la société Onet » → « Onet »; « l'école Jacques Prévert » keeps its kind
                if pattern is ORG_LOWER:
                    name = f"{match.group('kind')} {org}" if _known_first_name(first) else org
                left = max((m.end() for m in _SENTENCE_BOUNDS.finditer(text, 0, start)), default=0)
                right = _SENTENCE_BOUNDS.search(text, end)
                sentence = text[left : right.start() if right else len(text)]
                if not (
                    _WORK_SENTENCE.search(sentence) or _TITLE_AT.search(text[left:start])
                ) or _OWN_CUE.search(sentence):
                    continue  # « une visite à l'école Jules Ferry », « j'exerce sous l'enseigne … »
            if (
                not name
                or _is_public_or_own(name, own)
                or re.search(r"(?i)^h[ôo]tel\s+de\s+ville", name)
            ):
                continue
            start += text[start:end].find(name)
            spans.append((start, start + len(name)))
    return spans


#: A job or a work context: « commercial itinérant pour Lapeyre », « consultant SAP en ESN
#: (Capgemini) », « préparateur de commandes pour Kiloutou », « assistante du directeur général
#: de Groupama Loire Bretagne ».
_JOB_CONTEXT = re.compile(
    r"(?i:\b(?:commercia|consultan|chef|responsable|direct|pr[ée]parat|magasini|cariste|chauffeu|"
    r"livreu|ing[ée]nieu|assistan|comptable|conseill|manag|charg[ée]|infirmi|d[ée]veloppeu|technici|"
    r"op[ée]rat|agent|employ|salari|vendeu|caissi|serveu|cuisini|travaill|exerc|poste|cdi|cdd|condui|"
    r"int[ée]rim|mission|carri[èe]re|pass[ée]|ann[ée]es|ans\b|esn|ssii|site\b|usine|entrep[ôo]t|"
    r"prestataire|sous-traitan|mutuelle|banque|assur)\w*)"
)
#: A job title just before the place it is held (« chef de rang à la brasserie … »).
_TITLE_AT = re.compile(
    r"(?i:\b(?:commercia|consultan|chef|responsable|pr[ée]parat|magasini|cariste|chauffeu|livreu|"
    r"ing[ée]nieu|assistan|comptable|conseill|manag|infirmi|technici|op[ée]rat|agent|vendeu|caissi|"
    r"serveu|cuisini|barman|barmaid|plongeu|r[ée]ceptionn)\w*(?:\s+[\w'’-]+){0,3}?\s+(?:à|au|chez|dans)\s*$)"
)
_WORK_ORG = rf"{_ORG_WORD}(?:\s+(?:(?:de|du|des|d['’]|et|&|sur)\s*)*{_ORG_WORD}){{0,4}}"
_ORG_IN_CONTEXT = re.compile(
    rf"(?:\bpour\s+(?P<article>(?:la|le|l['’])\s*)?|\(\s*|\b(?:direct\w+|pr[ée]sident\w*|pdg|drh|g[ée]rant\w*)(?:\s+g[ée]n[ée]ra\w+)?\s+(?:de\s+|d['’]|du\s+))"
    rf"(?P<org>{_WORK_ORG})(?=\s*[,)]|\s+(?:depuis|pendant|entre|de\s+\d|en\s+\d|à|au|aux|puis|et|où|avant|comme|sur|dans)\b|\s*[.;:]|$)"
)


def _organisations_in_work_context(
    text: str, entities: Sequence[ner.Entity], own: frozenset[str]
) -> list[tuple[int, int]]:
    """A capitalised name after « pour », in brackets, or after « directeur de », in a sentence
    about a job, that is not a town, a person, a public body nor the consultant's organisation."""
    spans: list[tuple[int, int]] = []
    for match in _ORG_IN_CONTEXT.finditer(text):
        start, end = match.span("org")
        name = _trim_organisation(match.group("org"))
        end = start + len(name)
        left = max((m.end() for m in _SENTENCE_BOUNDS.finditer(text, 0, start)), default=0)
        before = text[left:start]
        acronym = re.fullmatch(rf"[{UP}]{{3,6}}", name or "") is not None
        if (
            not name
            or re.search(r"\d", name)
            or not (
                re.search(rf"[{UP}][{LOW}]{{2}}", name)
                or (acronym and match.group("article") and name not in ACRONYMS)
            )
        ):
            continue  # an acronym or a code (« (CPF) », « (K2111) »), not « pour la RTM »
        if _about_a_meeting(text, match.start()):
            continue  # « Rencontre du directeur du CFA de Quimper »
        if not _JOB_CONTEXT.search(before) or _OWN_CUE.search(before):
            continue
        if text[match.start() : start].lstrip().startswith("(") and re.search(
            r"^[^)]{0,120}?(?:\b(?:19|20)\d{2}\b|\bet\s+[A-ZÀ-Þ])", text[start:]
        ):
            continue  # authors in brackets: « (Pelletier, Noiseux et Bujold, 1974) »
        words = name.split()
        if (
            _is_public_or_own(name, own)
            or _known_first_name(words[0])
            or fold(words[0]) in NOT_NAMES
            or any(w.rstrip(".") in _CIVILITY_WORDS for w in words)
        ):
            continue
        covering = {e.label for e in entities if e.start < end and e.end > start}
        if (
            ("PER" in covering and len(words) > 1)
            or words[0] in insee_first_names()
            or ("LOC" in covering and "ORG" not in covering and len(words) == 1)
        ):
            # a person, a town (« pour Lyon », « (Rennes) »); a longer name the small model calls
            # a place is often a firm's (« Groupama Loire Bretagne »), and a lone word it calls a
            # person after a job's « pour » is a firm's (« Lapeyre », « Kiloutou »): a person
            # there has a civility or a first name
            continue
        spans.append((start, end))
    return spans


def _organisations_after_cue(
    text: str, entities: Sequence[ner.Entity], own: frozenset[str]
) -> list[tuple[int, int]]:
    """What the model calls an organisation after « pour », « chez », « employé par »…
    (« il conduisait des chariots pour XPO Logistics »)."""
    spans: list[tuple[int, int]] = []
    for entity in entities:
        if entity.label not in ("ORG", "MISC"):
            continue
        start, end = _widen(text, entity.start, entity.end)
        name = text[start:end]
        if (
            (
                _ORG_BEFORE.search(text[max(0, start - 40) : start])
                or _in_work_sentence_after_of(text, start, name, entity.label, entities)
            )
            and not _is_public_or_own(name, own)
            and _all_capitalised(name)
            and len(name) > 2
        ):
            spans.append((start, end))
    return spans


#: « … de Michelin », « pour la RTM », « au sein d'Airbus »: what the model calls an organisation
#: after such a word, in a sentence about the bénéficiaire's work.
_OF_BEFORE = re.compile(
    r"(?i:\b(?:de|du|des|d['’]|pour\s+(?:la|le|l['’])|chez|au\s+sein\s+d(?:e|u|es|['’])|à\s+la|au))\s*$"
)
_WORK_OF = re.compile(rf"(?i:\b(?:de|du|d['’]|pour\s+(?:la|le|l['’])|à\s+la|au)\s*)[{UP}]")


def _in_work_sentence_after_of(
    text: str, start: int, name: str, label: str, entities: Sequence[ner.Entity]
) -> bool:
    """An organisation after « de », « pour la », « au » in a sentence about the bénéficiaire's
    work, not about a meeting, not a place the model also sees, not an acronym of the trade."""
    if not _OF_BEFORE.search(text[max(0, start - 30) : start]):
        return False
    left = max((m.end() for m in _SENTENCE_BOUNDS.finditer(text, 0, start)), default=0)
    right = _SENTENCE_BOUNDS.search(text, start)
    sentence = text[left : right.start() if right else len(text)]
    if not (_WORK_SENTENCE.search(sentence) or _JOB_CONTEXT.search(sentence)):
        return False
    if _about_a_meeting(text, start) or _OWN_CUE.search(sentence):
        return False
    end = start + len(name)
    words = name.split()
    return not (
        any(e.label == "LOC" and e.start < end and e.end > start for e in entities)
        or any(w in ACRONYMS or fold(w) in NOT_NAMES for w in words)
        or (re.fullmatch(rf"[{UP}]+", name) and not re.search(r"(?i:pour)\s+\S+\s*$", text[:start]))
        or _PLACE_BEFORE.search(text[max(0, start - 25) : start])
        or _known_first_name(words[0])
        or (label != "ORG" and words[0] in insee_first_names())
    )  # not a town, a school's acronym (« moniteur au CFPPA »), « place du Ralliement », a person


#: A family named by its surname: « la famille Lecoutre », « chez les Martineau », « les époux Roux ».
FAMILY_NAME = re.compile(
    rf"(?i:\b(?:la\s+famille|chez\s+les|les\s+[ée]poux|les\s+enfants\s+des?|la\s+maison\s+des))"
    rf"\s+(?P<name>{_PARTICLE}?{_NAME_TOKEN})(?![\w'’-])"
)
#: « à La Rochelle », « Le Mans »: a capitalised article before a capitalised word makes a place.
_PLACE_ARTICLE = re.compile(r"(?<![\w'’])(?:La|Le|Les|L['’])\s*$")
_AT_OR_PLACE = re.compile(
    r"(?i:\b(?:à|a|au|aux|en|vers|pr[èe]s\s+de|bas[ée]e?s?\s+à|depuis|jusqu['’]à|sur))\s+$"
)
#: Job words capitalised in a title (« Chef de Baie » is a place; « Chef de Projet » a job).
_JOB_WORDS = frozenset(
    """chef cheffe directeur directrice responsable charge chargee agent agente conseiller
    conseillere technicien technicienne assistant assistante president presidente gerant gerante
    adjoint adjointe capitaine patron patronne second maitre""".split()
)


def _place_reading(start: int, end: int, entities: Sequence[ner.Entity]) -> bool:
    """The model reads the name itself as a place, not as an organisation (« l'agence Nantes
    Centre »); a place that swallows the kind before it (« réseau Nexity ») is no such reading."""
    return any(
        e.label == "LOC" and start <= e.start < end and e.end >= end for e in entities
    ) and not any(e.label == "ORG" and e.start < end and e.end > start for e in entities)


def _has_first_name(name: str) -> bool:
    """A word of ``name`` is a first name (the short list, INSEE's, or one that is a word too)."""
    more = insee_first_names()
    return any(
        _known_first_name(w) or w in more or w in first_names_that_are_words()
        for w in re.findall(r"[\w'’-]+", name)
    )


def _inside_a_place(start: int, end: int, entities: Sequence[ner.Entity]) -> bool:
    """The model reads a longer place around the word (« Saint-Jean-de-Luz », « Port Lympia »);
    a place's name starts with a capital (« maman de Inaya » is not one)."""
    return any(
        e.label == "LOC"
        and e.start <= start
        and e.end >= end
        and (e.end - e.start) > (end - start)
        and e.text[:1].isupper()
        for e in entities
    ) and not any(e.label == "PER" and e.start <= start and e.end >= end for e in entities)


#: Around a first name that is also a word (« Ange », « Rose »): a role in apposition (« Ange,
#: son ancien directeur »), a verb of a person after it (« quand Rose m'a dit »), « avec » or a
#: verb of speech before it (« parle souvent de Ange »).
_ROLE_AFTER = re.compile(
    rf"\s*,\s*(?:son|sa|mon|ma|leur|notre|votre|un|une|l['’]|le|la)\s*(?:(?:ancien(?:ne)?|nouvel(?:le)?|"
    rf"jeune|petite?|grande?|premi[eè]re?|propre|ex-?)\s+)?(?:{_ROLE}|amie?|cadette?|a[iî]n[ée]e?|"
    rf"associ[ée]e?|employ[ée]e?|apprentie?|stagiaire|cliente?|patiente?|[ée]l[èe]ve|r[ée]sidente?|"
    rf"usag(?:er|[èe]re)|b[ée]n[ée]vole|adh[ée]rente?|jeune|camarade|partenaire)\b",
    re.IGNORECASE,
)
_PERSON_VERB_AFTER = re.compile(
    r"\s+(?:ne\s+|n['’]|m['’]|l['’]|lui\s+|leur\s+|me\s+|nous\s+|s['’]|se\s+|y\s+|en\s+)*"
    r"(?:a|avait|aura|dit|disait|explique|expliquait|raconte|racontait|pense|pensait|r[ée]p[èe]te|"
    r"r[ée]p[ée]tait|conseille|conseillait|appelle|appelait|rit|riait|souhaite|souhaitait|veut|voulait|"
    r"trouve|trouvait|insiste|insistait|sait|savait|aime|aimait|parle|parlait|est\s+(?:venue?|partie?|"
    r"n[ée]e|morte?|d[ée]c[ée]d[ée]e?|arriv[ée]e?|rest[ée]e?|devenue?|malade|enceinte|mari[ée]e?|"
    r"retrait[ée]e?)|[ée]tait\s+(?:l[àa]|malade|venue?|partie?))\b"
)
_PERSON_BEFORE = re.compile(
    r"(?i:\b(?:avec|aupr[èe]s\s+d['’]|aupr[èe]s\s+de|par(?:le|lait|lent|l[ée])\w*\s+(?:souvent\s+|beaucoup\s+|encore\s+)?(?:de|d['’])"
    r"|dit\s+à|demand\w*\s+à|appel\w*|pr[ée]nomm[ée]e?|surnomm[ée]e?|et\s+(?:de\s+)?son\s+\w+|"
    r"cit\w*|rencontr\w*|aid[ée]e?\s+par|form[ée]e?\s+par|encourag[ée]e?\s+par|soutenue?\s+par)"
    r"(?:\s+(?:volontiers|souvent|beaucoup|encore|toujours|aussi|surtout|[a-zà-ÿ]+ment))?)\s*$"
)
_DETERMINER_BEFORE = re.compile(
    r"(?i:\b(?:le|la|les|un|une|des|du|au|aux|ce|cette|son|sa|ses|mon|ma|notre|leur)\s+)$"
)


def _person_cue(text: str, match: re.Match[str], entities: Sequence[ner.Entity]) -> bool:
    """A first name that is also a French word (« Ange », « Rose », « Pierre ») is a name only
    mid-sentence, alone (no capitalised word beside it), not after a determiner (« la Rose
    des vents ») and with a person cue around it."""
    start, end = match.span()
    before = text[max(0, start - 40) : start]
    left = text[:start].rstrip()
    if not left or not (left[-1].islower() or left[-1] in ",'’") or _CAPITAL_NEXT.match(text, end):
        return False  # sentence-initial, or part of a longer proper name
    if _CAPITAL_BEFORE.search(before) or _DETERMINER_BEFORE.search(before):
        return False
    if _PLACE_BEFORE.search(text[max(0, start - 25) : start]) or _PLACE_PREPOSITION.search(before):
        return False  # « rue Pierre », « vers Saint-Pierre »
    if any(
        e.label in ("LOC", "ORG") and e.start <= start and e.end >= end for e in entities
    ) and not any(e.label == "PER" and e.start <= start and e.end >= end for e in entities):
        return False
    return bool(
        _ROLE_AFTER.match(text, end)
        or _PERSON_VERB_AFTER.match(text, end)
        or _PERSON_BEFORE.search(before)
    )


#: Web platforms and tools named after « le groupe », « le réseau », « la plateforme »: not employers.
_PLATFORMS = frozenset(
    """Facebook LinkedIn Linkedin WhatsApp Whatsapp Instagram Twitter TikTok Snapchat YouTube Youtube
    Indeed Google Teams Zoom Moodle Discord Slack Telegram Signal Skype Parcoursup Diagoriente
    Welcome Jobteaser Monster Meteojob Hellowork Viadeo Pinterest Reddit""".split()
)


@lru_cache(maxsize=1)
def _kind_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A capitalised name right after a kind of organisation (« l'armement Pêcheries Océanes »,
    « le réseau Nexity », « l'agence Orpi Port Lympia »), or in apposition after one (« une ESN,
    Sopra Steria, », « une start-up de la livraison de repas, Frichti, »)."""
    kinds = "|".join(
        re.escape(k).replace(r"\ ", r"\s+").replace("'", "['’]") for k in organisation_kinds()
    )
    # « Les Compagnons du Devoir », « Les Bâtisseurs d'Oc »
    joiner = r"(?:\s+(?:&|et|de|du|des|de\s+la)\s+|\s+d['’]|\s+)"
    name = rf"{_ORG_WORD}(?:{joiner}(?:{_ORG_WORD}|\d{{1,4}}\b)){{0,4}}"
    direct = re.compile(
        rf"(?i:\b(?:l['’]|le|la|les|au|aux|du|des|d['’]un|d['’]une|un|une|chez|à\s+l['’]|à\s+la|de\s+l['’]|"
        rf"de\s+la|dans\s+l['’]|dans\s+la|dans\s+le|cette|cet|ce|son|sa|ses|notre|leur)\s*(?P<kind>{kinds})"
        rf"(?:-[a-zà-ÿ]+)?)\s+(?P<org>{name})"
    )
    # between the kind and the comma: lower-case words, or a place after « de », « à »… (« une
    # agence d'intérim de Roubaix, Start People, », « un hôtel-club de Saint-Gilles, Le Récif »)
    place = rf"(?:de|du|d['’]|à|au|en|sur)\s*[{UP}][\w'’-]+"
    apposition = re.compile(
        rf"(?i:\b(?:une?|des|l['’]|le|la|cette|cet|ce|son|sa)\s*(?P<kind>{kinds})(?:-[a-zà-ÿ]+)?)"
        rf"(?P<between>(?:\s+(?:[a-zà-ÿ'’-]+|{place})){{0,7}}?)"
        rf"\s*(?:,|\(|–|—)\s*(?P<org>{name})\s*(?=[,).;–—]|\s+(?:jusqu|puis|où|qui|en\s|pendant|depuis|avant|après|pour|à|au|dans)\b)"
    )
    return direct, apposition


def _without_article(name: str) -> str:
    """« La Redoute » → « Redoute », « L'Oréal » → « Oréal »: the name after its article."""
    return re.sub(r"^(?:La|Le|Les)\s+|^L['’](?=[A-ZÀ-Þ])", "", name)


def _organisations_by_kind(
    text: str, entities: Sequence[ner.Entity], own: frozenset[str]
) -> list[tuple[int, int]]:
    """Organisations named after their kind or in apposition to it, not a person, a place, a
    public body, the consultant's organisation, nor one met or visited."""
    spans: list[tuple[int, int]] = []
    direct, _ = _kind_patterns()
    for pattern in _kind_patterns():
        for match in pattern.finditer(text):
            start = match.start("org")
            # « l'IME Les Hirondelles. Auparavant, … »: the name ends with its sentence
            name = _trim_organisation(re.split(r"[.!?]\s", match.group("org"))[0])
            if not name or len(name) < 3:
                continue
            end = start + len(name)
            # « La Redoute », « Le Moulin Vert », « Les Compagnons du Devoir »: the vetoes read
            # the words after the capitalised article, which is part of the name
            words = _without_article(name).split()
            if not words:
                continue
            left = max((m.end() for m in _SENTENCE_BOUNDS.finditer(text, 0, start)), default=0)
            right = _SENTENCE_BOUNDS.search(text, end)
            sentence = text[left : right.start() if right else len(text)]
            covering = {e.label for e in entities if e.start < end and e.end > start}
            if (
                _is_public_or_own(name, own)
                or words[0] in _PLATFORMS
                or re.search(r"[\d.]", words[0])
                or any(w.rstrip(".") in _CIVILITY_WORDS for w in words)
                or _known_first_name(words[0])
                or (words[0] in insee_first_names() and "ORG" not in covering)
                or (
                    len(words) == 1
                    and words[0] in first_names_that_are_words()
                    and "ORG" not in covering
                )
                or (
                    _place_reading(start, end, entities)
                    and (pattern is direct or (len(words) == 1 and words[0] == name))
                )  # in apposition to a kind, « Le Récif » the model calls a place is the hotel
                or _about_a_meeting(text, start)
                or _OWN_CUE.search(sentence)
                or re.match(r"\s*\(\s*(?:19|20)\d{2}", text[end:])
                or fold(words[0]) in NOT_NAMES
            ):
                continue
            spans.append((start, end))
    return spans


#: The structural lever (round 6): in a sentence whose subject is the bénéficiaire and that is
#: about employment, a capitalised span that nothing else explains is an employer.
STRUCTURAL_EMPLOYERS = True
_EMPLOYMENT = re.compile(
    r"(?i:\b(?:travaill\w*|embauch\w*|salari[ée]\w*|cdi|cdd|int[ée]rim\w*|postes?|recrut\w*|licenci\w*|"
    r"d[ée]mission\w*|entreprises?|employeurs?|patron(?:ne)?s?)\b)"
)
_BENEFICIARY_SUBJECT = re.compile(
    rf"(?:^|[\s,;:(])(?:[Ii]l|[Ee]lle|M\.\s*[{UP}]\.|Mme\s*[{UP}]\.|(?i:l[ea]\s+b[ée]n[ée]ficiaire))\s"
)
_CONSULTANT_SUBJECT = re.compile(r"(?i:(?:^|[\s,;:(])(?:je|j['’]|nous)\s)")
_CAPITAL_SPAN = re.compile(
    rf"(?<![\w'’.-])(?:(?:La|Le|Les|L['’])\s*)?[{UP}][\w'’&*-]*"
    rf"(?:(?:\s+(?:&|et|de|du|des|de\s+la)\s+|\s+d['’]|\s+)[{UP}][\w'’&*-]*){{0,3}}"
)
_PLACE_PREFIX = re.compile(r"^(?:Saint|Sainte|St|Ste)[-\s]")


@lru_cache(maxsize=1)
def _french_words() -> frozenset[str]:
    # folded (« connaître » and « connaitre » alike): one set, about 8 MB
    return frozenset(fold(w) for w in data_lines("mots_fr.txt"))


#: Words the lemmatizer's index leaves out (function words, irregular verbs).
_MORE_WORDS = frozenset(
    """que qui quoi quel quelle quels quelles dont ou comment pourquoi combien lequel laquelle
    faire fait faites font etre est sont etait avoir ont avait aller va vont pouvoir peut dire
    voir savoir vouloir devoir venir tout tous toute toutes chaque aucun aucune plusieurs
    certains certaines oui non merci bonjour""".split()
)
#: A tool, a test, a certification, a piece of software before the name: not an employer.
_TOOL_BEFORE = re.compile(
    r"(?i:\b(?:certifications?|logiciels?|outils?|tests?|m[ée]thodes?|formations?|dipl[ôo]mes?|titres?|"
    r"habilitations?|permis|questionnaires?|inventaires?|application|plateforme|langage|norme|label)"
    r"(?:\s+[\w'’-]+){0,2}\s*)$"
)
_JOINED_BEFORE = re.compile(
    r"(?i:\b(?:avec|rejoint|int[ée]gr[ée]e?|quitt[ée]e?|regrett\w*|intègre|rejoindre|int[ée]grer|quitter))\s*$"
)
_LINE_START = re.compile(r"(?:^|[\n:•«»\"(–—-])[\s*]*$")


def _common_word(word: str) -> bool:
    folded = re.sub(r"^[ld]['’]", "", word.lower().strip("'’*"))
    words = _french_words()
    return (
        fold(folded) in words
        or fold(folded).rstrip("sx") in words
        or fold(word) in NOT_NAMES
        or fold(folded) in _FUNCTION_WORDS
        or fold(folded) in _MORE_WORDS
        or word in ACRONYMS
        or word in _PLATFORMS
    )


def _employers_by_structure(
    text: str,
    entities: Sequence[ner.Entity],
    own: frozenset[str],
    cited: frozenset[str],
) -> list[tuple[int, int]]:
    """A capitalised span (1–4 words) in a sentence whose subject is the bénéficiaire and that
    is about employment, not sentence-initial, not common words, not a place, a person, a public
    body, the consultant's organisation, a tool or an author: an employer."""
    _french_words()  # loaded at the first call (the analysis server's warm-up, before it forks)
    spans: list[tuple[int, int]] = []
    for sentence in _MODEL_SENTENCE.finditer(text):
        body = sentence.group(0)
        offset = sentence.start()
        work = _EMPLOYMENT.search(body)
        if not work or _OWN_CUE.search(body) or _about_a_meeting(text, offset + work.start()):
            continue
        subject = _BENEFICIARY_SUBJECT.search(body)
        if not subject or _CONSULTANT_SUBJECT.search(body[: subject.start() + 1]):
            continue
        for match in _CAPITAL_SPAN.finditer(body):
            start, end = offset + match.start(), offset + match.end()
            name = _trim_organisation(match.group(0).rstrip(".,;:"))
            end = start + len(match.group(0).rstrip(".,;:"))
            if not name or len(name) < 3 or _LINE_START.search(body[: match.start()]):
                continue  # sentence- or line-initial
            core = _without_article(name).split()
            if not core:
                continue
            before = text[max(0, start - 30) : start]
            covering = {e.label for e in entities if e.start < end and e.end > start}
            if (
                all(_common_word(w) for w in core)
                or (len(core) == 1 and re.fullmatch(rf"[{UP}]+", core[0]) and "ORG" not in covering)
                or any(w.rstrip(".") in _CIVILITY_WORDS for w in core)
                or (_has_first_name(" ".join(core)) and "ORG" not in covering)
                or ("PER" in covering and "ORG" not in covering and len(core) > 1)
                or ("PER" in covering and core[0] in _surnames_seen(text))
                or _PERSON_VERB_AFTER.match(text, end)
                or (
                    "LOC" in covering
                    and "ORG" not in covering
                    and (len(core) > 1 or not _JOINED_BEFORE.search(before))
                )  # a lone word the model calls a place: a firm only after « avec », « rejoint »…
                or _PLACE_PREFIX.match(core[0])
                or (name != _without_article(name) and "ORG" not in covering and len(core) == 1)
                or _AT_OR_PLACE.search(before)
                or _PLACE_PREPOSITION.search(before)
                or re.search(
                    r"(?i:\b(?:originaire|natif|native|r[ée]gion|ville|vers)\s+(?:de|d['’])?\s*)$",
                    before,
                )
                or _PLACE_BEFORE.search(before)
                or _AUTHOR_BEFORE.search(fold(text[max(0, start - 60) : start]))
                or any(w in cited for w in core)
                or any(w in ACRONYMS for w in core)  # « Cisco CCNA », « test RIASEC »
                or _TOOL_BEFORE.search(before)
                or _is_public_or_own(name, own)
                or re.search(r"\d", name)
            ):
                continue
            spans.append((start, start + len(name)))
    return spans
