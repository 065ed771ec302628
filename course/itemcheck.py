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
- **the key is the longest option by a clear margin** (module knowledge checks and exam items):
  the keyed proposition is longer than every wrong one by ``LENGTH_MARGIN`` (20 %) of its visible
  characters or more (for a multiple-answer question: the shortest keyed proposition against the
  longest wrong one, i.e. « tick the long ones » would be enough). Measured on ``course/`` at
  commit 3872dc8: in the exam bank, already rewritten against cues, the key is the longest
  option in 38 of 142 items — 37.7 expected by chance (Σ keys/options) — and the ratio « shortest
  key / longest wrong option » has median 0.91, 90th percentile 1.08 and maximum 1.16: a sound
  bank varies up to about 15 % without cueing anybody. In the module knowledge checks the key
  was the longest in 55 of 70 questions (44 of the 57 single-answer ones), 23.9 expected, and
  30 questions reached 1.20 or more (up to 1.49): those were the ones a test-wise trainee could
  answer by length. Hence ``LENGTH_MARGIN = 0.20``, just above the largest ratio of the sound
  bank, so that the warning names items a reviewer can see, not ordinary variation. After the
  module questions were rewritten: key longest in 23 of 70 (23.9 expected), largest ratio 1.16.
- **share of keys that are the longest** (one line per set, printed by the check command): each
  item may pass and the set still cue (key longest 8 times in 10 when chance says 3). The count
  is compared with the chance expectation Σ (keys / options) of the set; the line is a warning
  when a count at least that high has a probability under ``SHARE_ALPHA`` (1 %) by chance
  (exact Poisson-binomial tail; 55 of 70 modules questions: far below 10⁻⁹; 38 of 142 exam
  items: 0.5).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from course.errors import ContentError
from course.questions import Question

#: A keyed proposition longer than every wrong one by this share of characters is a cue.
LENGTH_MARGIN = 0.20
#: A set whose key is the longest more often than chance would make with this probability is cueing.
SHARE_ALPHA = 0.01
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

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


def visible_length(text: str) -> int:
    """Characters a candidate sees: links reduced to their text, no emphasis marks, one space."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[*_`]", "", text)
    return len(re.sub(r"\s+", " ", text).strip())


def _lengths(question: Question) -> tuple[list[int], list[int]]:
    keyed = [visible_length(p.text) for p in question.propositions if p.correct]
    wrong = [visible_length(p.text) for p in question.propositions if not p.correct]
    return keyed, wrong


def key_is_longest(question: Question) -> bool:
    """True when the longest proposition is keyed and strictly longer than every wrong one."""
    keyed, wrong = _lengths(question)
    return bool(keyed and wrong) and max(keyed) > max(wrong)


def length_margin(question: Question) -> float | None:
    """How much longer the shortest key is than the longest wrong proposition (0.25 = 25 %).

    None when a wrong proposition is as long as a key or longer (no cue), or there is none.
    """
    keyed, wrong = _lengths(question)
    if not keyed or not wrong or max(wrong) == 0 or min(keyed) <= max(wrong):
        return None
    return min(keyed) / max(wrong) - 1


def length_cue(question: Question, margin: float = LENGTH_MARGIN) -> float | None:
    """The margin when the keys stand out by length by ``margin`` or more, else None."""
    found = length_margin(question)
    # A small tolerance: 120 characters against 100 is a margin of 20 % exactly.
    return found if found is not None and found >= margin - 1e-9 else None


@dataclass(frozen=True)
class LengthShare:
    """How often a set's key is its longest proposition, against chance."""

    questions: int
    key_longest: int
    #: Σ (keys / propositions): how many a set with no length cue would have on average.
    expected: float
    #: Probability, by chance alone, of a count at least ``key_longest``.
    p_value: float

    @property
    def cueing(self) -> bool:
        """True when chance alone would make such a count less than ``SHARE_ALPHA`` of the time."""
        return self.questions > 0 and self.p_value < SHARE_ALPHA


def length_share(questions: Iterable[Question]) -> LengthShare:
    """The share of questions whose key is the longest, with its chance expectation and tail."""
    chances: list[float] = []
    count = 0
    for question in questions:
        keyed, wrong = _lengths(question)
        if not keyed or not wrong:
            continue
        chances.append(len(keyed) / (len(keyed) + len(wrong)))
        count += key_is_longest(question)
    # Poisson-binomial distribution of the count under chance, by dynamic programming.
    distribution = [1.0]
    for p in chances:
        distribution = [
            (distribution[k] if k < len(distribution) else 0.0) * (1 - p)
            + (distribution[k - 1] * p if k > 0 else 0.0)
            for k in range(len(distribution) + 1)
        ]
    return LengthShare(len(chances), count, sum(chances), min(1.0, sum(distribution[count:])))


def _percent(part: float, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "0 %"


def share_line(label: str, share: LengthShare) -> str:
    """One line of the check command: the share of keys that are the longest, and the verdict."""
    expected = f"{share.expected:.1f}".replace(".", ",")
    line = (
        f"{label} : la bonne réponse est la plus longue proposition dans {share.key_longest} "
        f"sur {share.questions} ({_percent(share.key_longest, share.questions)}) ; "
        f"attendu au hasard : {expected} "
        f"({_percent(share.expected, share.questions)})"
    )
    if share.cueing:
        return (
            f"attention : {line} — bien plus souvent que le hasard (probabilité inférieure à "
            f"{round(100 * SHARE_ALPHA)} %) : un candidat qui choisit la plus longue est avantagé."
        )
    return line + "."


def length_warnings(questions: Iterable[Question]) -> list[ContentError]:
    """A warning on each question whose key is the longest proposition by a clear margin."""
    warnings = []
    for question in questions:
        found = length_cue(question)
        if found is None:
            continue
        which = (
            "les bonnes réponses sont chacune plus longues que toute mauvaise réponse"
            if len(question.correct_keys) > 1
            else "la bonne réponse est plus longue que toute mauvaise réponse"
        )
        pronoun = "les" if len(question.correct_keys) > 1 else "la"
        warnings.append(
            ContentError(
                question.path or "",
                question.line,
                f"attention : question « {question.id} » : {which} de {round(100 * found)} % "
                f"(seuil {round(100 * LENGTH_MARGIN)} %) : un candidat {pronoun} choisit sans savoir ; "
                "allongez une mauvaise réponse (une erreur plausible) ou resserrez la bonne",
            )
        )
    return sorted(warnings)


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
    "LENGTH_MARGIN",
    "SHARE_ALPHA",
    "LengthShare",
    "absolute_word_cues",
    "absolute_words",
    "bank_warnings",
    "clones",
    "key_is_longest",
    "length_cue",
    "length_margin",
    "length_share",
    "length_warnings",
    "normalise",
    "share_line",
    "similarity",
    "visible_length",
]
