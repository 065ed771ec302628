"""Warnings on the exam bank that a test-wise candidate could exploit (pure: no Flask).

Two checks, both warnings (the author decides, the check command still succeeds):

- **near-clones**: an exam item too similar to a module knowledge check. A trainee who did the
  modules would have seen the exam. The similarity is the Jaccard index of the character 4-grams
  of the normalised stem and propositions (accents, case, punctuation and French function words
  removed): robust to a reworded sentence, a swapped proposition order or a changed name.
  Measured on the real content (``course/`` at commit 15704ce: 119 exam items × 59 knowledge
  checks = 7,021 pairs): median 0.07, 90th percentile 0.11, 99th percentile 0.17. The five pairs
  the expert review named as near-clones scored 0.297 to 0.486, and the 15 items at 0.28 or more
  were each the same situation as a module question (same rule, same distractors); the next
  ones (0.27 and below) share a rule in a different situation, which is what a module should
  teach. Hence ``CLONE_THRESHOLD = 0.28``, just under the lowest named clone.
- **absolute words**: « toujours », « jamais », « tous », « aucun »… in a wrong proposition when
  the keyed one has none: a candidate eliminates such propositions without knowing the rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from course.errors import ContentError
from course.questions import Question

#: Similarity from which an exam item is reported as a near-clone of a module question.
CLONE_THRESHOLD = 0.28
NGRAM = 4

#: Words that make a proposition absolute; a wrong proposition that has one, beside a keyed
#: proposition that has none, is eliminated without knowledge.
ABSOLUTE_WORDS = (
    "toujours",
    "jamais",
    "tous",
    "toutes",
    "aucun",
    "aucune",
    "rien",
    "seulement",
    "uniquement",
    "systématiquement",
    "obligatoirement",
    "forcément",
    "en aucun cas",
    "dans tous les cas",
    "quel que soit",
    "quelle que soit",
)
_ABSOLUTE = re.compile(
    r"(?<![\w’'-])(" + "|".join(re.escape(w) for w in ABSOLUTE_WORDS) + r")(?![\w-])",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    "le la les l un une des de du d et ou a au aux en dans pour par sur avec sans ce cette ces "
    "qui que qu quoi il elle ils elles vous nous on se s son sa ses leur leurs lui y est sont "
    "ne pas n plus vos votre".split()
)


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, no function words, single spaces."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in STOPWORDS)


def _ngrams(text: str) -> frozenset[str]:
    padded = f" {text} "
    return frozenset(padded[i : i + NGRAM] for i in range(max(len(padded) - NGRAM + 1, 1)))


def question_text(question: Question) -> str:
    """What a candidate recognises: the situation and every proposition."""
    propositions = " ".join(p.text for p in question.propositions)
    return normalise(f"{question.stem} {propositions}")


def similarity(a: Question, b: Question) -> float:
    """Jaccard index of the character 4-grams of two questions' normalised texts (0 to 1)."""
    left, right = _ngrams(question_text(a)), _ngrams(question_text(b))
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class Clone:
    """An exam item and the module question it nearly repeats."""

    item: Question
    check: Question
    score: float


def clones(
    items: Iterable[Question], checks: Iterable[Question], threshold: float = CLONE_THRESHOLD
) -> list[Clone]:
    """Each exam item whose closest module question reaches ``threshold``."""
    prepared = [(c, _ngrams(question_text(c))) for c in checks]
    found = []
    for item in items:
        grams = _ngrams(question_text(item))
        best: tuple[float, Question | None] = (0.0, None)
        for check, other in prepared:
            score = len(grams & other) / len(grams | other) if grams | other else 0.0
            if score > best[0]:
                best = (score, check)
        if best[1] is not None and best[0] >= threshold:
            found.append(Clone(item, best[1], best[0]))
    return found


def absolute_words(text: str) -> list[str]:
    """The absolute words of a text, lower case, in order."""
    return [m.group(1).casefold() for m in _ABSOLUTE.finditer(text)]


def absolute_word_cues(question: Question) -> list[tuple[int, str]]:
    """(line, word) of each wrong proposition with an absolute word when no keyed one has one."""
    if any(absolute_words(p.text) for p in question.propositions if p.correct):
        return []
    return [
        (p.line, absolute_words(p.text)[0])
        for p in question.propositions
        if not p.correct and absolute_words(p.text)
    ]


def _decimal(score: float) -> str:
    return f"{score:.2f}".replace(".", ",")


def bank_warnings(items: Iterable[Question], checks: Iterable[Question]) -> list[ContentError]:
    """Every warning on the exam items, as ``fichier:ligne: attention : …``."""
    items = list(items)
    warnings = []
    for clone in clones(items, checks):
        warnings.append(
            ContentError(
                clone.item.path,
                clone.item.line,
                f"attention : question « {clone.item.id} » trop proche de la question "
                f"« {clone.check.id} » d'un module ({clone.check.path}:{clone.check.line}, "
                f"similarité {_decimal(clone.score)}, seuil {_decimal(CLONE_THRESHOLD)}) : "
                "un stagiaire qui a suivi les modules aurait déjà vu l'examen",
            )
        )
    for item in items:
        for line, word in absolute_word_cues(item):
            warnings.append(
                ContentError(
                    item.path or "",
                    line,
                    f"attention : question « {item.id} » : « {word} » dans une mauvaise réponse "
                    "alors que la bonne n'a aucun mot absolu (indice pour un candidat qui "
                    "élimine sans savoir)",
                )
            )
    return sorted(warnings)


__all__ = [
    "ABSOLUTE_WORDS",
    "CLONE_THRESHOLD",
    "absolute_word_cues",
    "absolute_words",
    "bank_warnings",
    "clones",
    "normalise",
    "similarity",
]
