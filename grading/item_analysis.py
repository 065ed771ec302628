"""Classical item analysis for right/wrong items: facility, discrimination, KR-20, SEM."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Below this many candidates the indices are shown with a warning.
SMALL_COHORT = 30


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one item over a cohort."""

    item_id: str
    answered: int
    facility: float | None
    discrimination: float | None
    choice_shares: Mapping[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reliability:
    """KR-20 and the standard error of measurement of a set of items."""

    items: int
    candidates: int
    kr20: float | None
    sem: float | None
    mean: float
    sd: float


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def item_stats(
    item_id: str,
    scores: Mapping[str, Mapping[str, int]],
    choices: Mapping[str, str | None] | None = None,
) -> ItemStats:
    """Facility (share correct), item-rest correlation and share of each proposition.

    ``scores`` maps candidate -> item -> 0/1 for the items each candidate was given;
    ``choices`` maps candidate -> the proposition chosen for this item (None = no answer).
    """
    takers = [c for c, row in scores.items() if item_id in row]
    if not takers:
        return ItemStats(item_id, 0, None, None, {}, ("non passée",))
    item = [float(scores[c][item_id]) for c in takers]
    rest = [float(sum(v for k, v in scores[c].items() if k != item_id)) for c in takers]
    facility = sum(item) / len(item)
    discrimination = _pearson(item, rest)
    shares: dict[str, float] = {}
    if choices is not None:
        counts = Counter(choices.get(c) or "(sans réponse)" for c in takers)
        shares = {k: v / len(takers) for k, v in sorted(counts.items())}
    flags: list[str] = []
    if discrimination is not None and discrimination < 0:
        flags.append("discrimination négative : clé erronée ?")
    elif discrimination is not None and discrimination < 0.15:
        flags.append("discrimine peu")
    if facility >= 0.95:
        flags.append("trop facile")
    if facility <= 0.2:
        flags.append("très difficile : vérifier la clé")
    return ItemStats(item_id, len(takers), facility, discrimination, shares, tuple(flags))


def reliability(scores: Mapping[str, Mapping[str, int]], item_ids: Sequence[str]) -> Reliability:
    """KR-20 (Cronbach's alpha for 0/1 items) over candidates who sat every listed item."""
    rows = [row for row in scores.values() if all(i in row for i in item_ids)]
    k = len(item_ids)
    n = len(rows)
    totals = [float(sum(row[i] for i in item_ids)) for row in rows]
    mean = sum(totals) / n if n else 0.0
    variance = sum((t - mean) ** 2 for t in totals) / (n - 1) if n > 1 else 0.0
    sd = math.sqrt(variance)
    if k < 2 or n < 2 or variance == 0:
        return Reliability(k, n, None, None, mean, sd)
    pq = 0.0
    for i in item_ids:
        p = sum(row[i] for row in rows) / n
        pq += p * (1 - p)
    kr20 = (k / (k - 1)) * (1 - pq / variance)
    sem = sd * math.sqrt(max(0.0, 1 - kr20))
    return Reliability(k, n, kr20, sem, mean, sd)


def cohort_warning(candidates: int) -> str | None:
    """A French warning when the cohort is too small for the indices to mean much."""
    if candidates < SMALL_COHORT:
        return (
            f"Cohorte de {candidates} candidat(s) : en dessous de {SMALL_COHORT}, ces indices "
            "sont très instables ; interprétez-les avec prudence."
        )
    return None


def kr21(totals: Sequence[float], items: int) -> Reliability:
    """KR-21 from total scores alone: for papers of equal length drawn from a bank.

    It needs no common items and is a lower bound of KR-20 when difficulties vary.
    """
    n = len(totals)
    mean = sum(totals) / n if n else 0.0
    variance = sum((t - mean) ** 2 for t in totals) / (n - 1) if n > 1 else 0.0
    sd = math.sqrt(variance)
    if items < 2 or n < 2 or variance == 0:
        return Reliability(items, n, None, None, mean, sd)
    value = (items / (items - 1)) * (1 - mean * (items - mean) / (items * variance))
    return Reliability(items, n, value, sd * math.sqrt(max(0.0, 1 - value)), mean, sd)
