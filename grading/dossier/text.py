"""Text helpers: accent-insensitive folding that keeps offsets, heading matching, word counts."""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

_NUMBERING = re.compile(
    r"^\s*(?:(?:partie|section|chapitre|etape|annexe)\s+)?"
    r"(?:\d+(?:[.)]\d+)*[.)]?\s*[-–—:/]?|[ivxlc]+\s*[.)\-–—:/]|[a-h]\s*[.)\-–—/])\s*"
)
_ARTICLES = re.compile(r"^(?:(?:le|la|les|l|un|une|des|du)\s+)+")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "’‘`´":
        return "'"
    if char in "«»“”":
        return '"'
    if char in "‐‑‒–—":
        return "-"
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
    )
    lowered = (stripped or char).lower()
    return lowered[0] if lowered else char


class _FoldTable(dict[int, str]):
    """str.translate table filled on demand, one character for one character."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_TABLE = _FoldTable()


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case without accents, same length as the input (offsets stay valid)."""
    return text.translate(_TABLE)


@lru_cache(maxsize=4096)
def normalise_heading(text: str) -> str:
    """Fold, drop numbering (« 2. », « II - », « Partie 3 : »), punctuation and leading articles."""
    plain = fold(text).strip()
    plain = _NUMBERING.sub("", plain, count=1)
    plain = re.sub(r"[^a-z0-9œæ ]+", " ", plain)
    plain = " ".join(plain.split())
    return _ARTICLES.sub("", plain)


def heading_score(heading: str, aliases: Sequence[str], floor: float = 0.8) -> float:
    """How well a heading matches the best alias, from 0 to 1 (typos tolerated above `floor`)."""
    h = normalise_heading(heading)
    if not h:
        return 0.0
    best = 0.0
    h_words = h.split()
    for alias in aliases:
        a = normalise_heading(alias)
        if not a:
            continue
        a_words = a.split()
        if h == a:
            return 1.0
        if h.startswith(a + " ") and len(h_words) <= len(a_words) + 6:
            best = max(best, 0.95)
            continue
        if f" {a} " in f" {h} " and len(h_words) <= len(a_words) + 3:
            best = max(best, 0.9)
            continue
        if not {w[:3] for w in a_words if len(w) > 3} & {w[:3] for w in h_words}:
            continue  # a typo leaves at least one word's beginning intact
        best = max(best, _ratio(a, h, floor))
        if len(a) >= 6 and len(h_words) > len(a_words):
            best = max(best, _ratio(a, " ".join(h_words[: len(a_words)]), floor) - 0.03)
    return best


def _ratio(a: str, b: str, floor: float) -> float:
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= floor else 0.0


def word_count(text: str) -> int:
    """Number of words (apostrophes and hyphens join)."""
    return len(_WORD.findall(text))


class Spans:
    """Non-overlapping character ranges already claimed by a detector."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def claim(self, start: int, end: int) -> bool:
        """Take the range unless it overlaps one already taken."""
        index = bisect_left(self._starts, start)
        if index > 0 and self._ends[index - 1] > start:
            return False
        if index < len(self._starts) and self._starts[index] < end:
            return False
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        return True


#: Words that name the same part of a dossier (folded, singular): a heading is recognised by
#: meaning when its words are those of an alias or their synonyms (« Contexte et cadre »,
#: « Comprendre la demande », « Pièces jointes »).
SYNONYMS: dict[str, frozenset[str]] = {
    key: frozenset(values.split())
    for key, values in {
        "cadre": "contexte modalite",
        "contexte": "cadre",
        "analyse": "comprendre comprehension lecture",
        "demande": "besoin attente",
        "besoin": "demande attente",
        "deroulement": "organisation etape calendrier deroule seance journal",
        "exploration": "investigation explore",
        "investigation": "exploration",
        "outil": "methode support instrument",
        "plan": "conclusion",
        "conclusion": "plan synthese",
        "synthese": "conclusion",
        "annexe": "piece jointe justificatif",
        "piece": "annexe jointe",
        "jointe": "annexe piece",
        "joint": "annexe piece jointe",
        "deroule": "deroulement",
        "explore": "exploration",
        "projet": "plan action",
        "seance": "deroulement",
        "journal": "deroulement seance",
        # What comes next (« Et maintenant ? », « Et après ? », « Prochaines étapes »).
        "suite": "plan action conclusion",
        # Leads are what the exploration found (« Compétences et pistes »).
        "piste": "exploration",
    }.items()
}
#: Forms of a heading's words that mean one of the words above: verbs of a question heading
#: (« Que demandait Mme F. ? », « Comment avons-nous avancé ? », « Ce qu'il venait
#: chercher »), what comes next, and the English words of franglais headings (« Toolbox »,
#: « Next steps », « Mon mindset de consultant »). Folded, after the plural's « s » is cut.
_CANONICAL: dict[str, str] = {
    **dict.fromkeys(
        "demandait demandaient demandai demander voulait voulaient veut souhaitait "
        "souhaite cherchait chercher cherche want need".split(),
        "demande",
    ),
    **dict.fromkeys("avance avancer progresse progression cheminement proces processu".split(),
                    "deroulement"),
    **dict.fromkeys("maintenant apre ensuite prochaine prochain next demain".split(), "suite"),
    # How consultants title each part in their own words (singular, folded): a lexicon per
    # part rather than one word at a time.
    # The frame: « Situation initiale », « Conditions de réalisation », « Dispositif ».
    **dict.fromkeys(
        "situation condition dispositif financement convention generalite modalite "
        "informations information".split(),
        "cadre",
    ),
    # The request: « Problématique », « Motif de la démarche », « Enjeux », « Point de départ ».
    **dict.fromkeys(
        "problematique question motif motivation commande enjeu depart attendu".split(),
        "demande",
    ),
    "premier": "preliminaire",
    "premiere": "preliminaire",
    # The course of the bilan: « Méthodologie », « Démarche », « Chronologie », « Planning ».
    **dict.fromkeys(
        "methodologie methodo demarche chronologie planning programme itineraire architecture "
        "conduite sequence sequencement".split(),
        "deroulement",
    ),
    # The posture: « Retour réflexif », « Éthique et déontologie », « Positionnement ».
    **dict.fromkeys(
        "reflexif reflexive reflexivite pratique ethique deontologie deontologique "
        "positionnement attitude alliance recul dilemme questionnement".split(),
        "posture",
    ),
    # The exploration: « Résultats », « Découvertes », « Ressources et atouts », « Profil ».
    **dict.fromkeys(
        "resultat decouverte ressource atout profil hypothese connaissance".split(),
        "exploration",
    ),
    # The tools: « Tests et questionnaires », « Inventaires », « Boîte à outils », « Exercices ».
    **dict.fromkeys(
        "test questionnaire inventaire materiel exercice grille boite".split(), "outil"
    ),
    # What comes next: « Perspectives », « Préconisations », « Feuille de route », « Avenir ».
    **dict.fromkeys(
        "perspective avenir preconisation recommandation route echeancier "
        "strategie debouche".split(),
        "suite",
    ),
    **dict.fromkeys("cloture restitution final finale".split(), "conclusion"),
    # The appendices: « Attestations », « Feuilles d'émargement », « Justificatifs ».
    **dict.fromkeys("attestation emargement presence".split(), "annexe"),
    "background": "contexte",
    "context": "contexte",
    "skill": "competence",
    "mindset": "posture",
    "toolbox": "outil",
    "toolbo": "outil",
    "tool": "outil",
    "step": "etape",
    "appendix": "annexe",
    "appendice": "annexe",
}
#: Words that say nothing of which part it is.
_GENERIC = frozenset(
    "bilan beneficiaire accompagnement de du des la le les l d et a au aux en sur pour mon ma mes "
    "notre nos son sa ses un une phase partie comment ce que qu j ai nous avons est s ete on il elle "
    "presentation propose proposee choisi choisis par bord venait venu venue retenu mobilise "
    "utilise".split()
)


def _content_words(text: str) -> frozenset[str]:
    words = normalise_heading(text).split()
    singular = (w[:-1] if w.endswith(("s", "x")) and len(w) > 3 else w for w in words)
    return frozenset(_CANONICAL.get(w, w) for w in singular) - _GENERIC


def _expand(words: frozenset[str]) -> frozenset[str]:
    return words.union(*(SYNONYMS.get(w, frozenset()) for w in words))


def meaning_score(heading: str, aliases: Sequence[str]) -> int:
    """2: the heading's words are an alias's (through synonyms); 1: one holds the other; 0: no."""
    h = _content_words(heading)
    if not h or len(h) > 6:
        return 0
    best = 0
    for alias in aliases:
        a = _content_words(alias)
        if not a:
            continue
        if _expand(a) & h == h and _expand(h) & a == a:
            return 2
        if a <= _expand(h) or h <= _expand(a):
            best = 1
    return best


def meaning_match(heading: str, aliases: Sequence[str]) -> bool:
    """The heading says the same as one alias, word for word or through synonyms."""
    return meaning_score(heading, aliases) > 0
