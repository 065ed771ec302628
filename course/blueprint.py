"""Equivalent papers: the case studies' items drawn by competency strata.

A paper takes ``case_studies`` exam cases and, from each, between ``sizes`` items (kept in the
case's order). With strata (``case_items_per_competency``) the items kept must give exactly the
blueprint's count for every competency, so every paper has the same number of items per
competency, standalone and case items together.

The draw is in two stages, so that no case is favoured because it happens to offer more ways of
choosing its items: first a *set of cases* uniformly among the sets that can meet the strata,
then one *choice of items* uniformly among those that meet them for that set. The number of
choices of a set is counted with a small dynamic programme over its cases (no enumeration of
the products). The check (``python -m course check``) and the draw (``grading``) rely on this
same arithmetic. Pure Python: no Flask, no clock; the random source is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations
from random import Random


@dataclass(frozen=True)
class CaseShape:
    """An exam case as the strata need it: its id and the competency of each item, in order."""

    id: str
    competencies: tuple[str, ...]


#: One choice of items for one case: the indexes kept and the competency counts they give.
Option = tuple[tuple[int, ...], tuple[int, ...]]
#: One configuration: (case id, indexes of the items kept) for each drawn case.
Configuration = tuple[tuple[str, tuple[int, ...]], ...]


class Strata:
    """The ways a bank's cases can meet the strata of a blueprint: count them, draw one."""

    def __init__(
        self,
        cases: Sequence[CaseShape],
        case_studies: int,
        sizes: tuple[int, ...] | None,
        targets: Mapping[str, int],
    ) -> None:
        self.cases = tuple(sorted(cases, key=lambda c: c.id))
        self.case_studies = case_studies
        self.order = tuple(sorted(c for c in targets if targets[c] > 0))
        self.target = tuple(targets[c] for c in self.order)
        self.options: tuple[tuple[Option, ...], ...] = tuple(
            tuple(self._options(case, sizes)) for case in self.cases
        )
        #: Every set of case indexes that can meet the strata, with its number of item choices.
        self.sets: tuple[tuple[tuple[int, ...], int], ...] = tuple(
            (chosen, count)
            for chosen in combinations(range(len(self.cases)), case_studies)
            if (count := self._choices([self.options[i] for i in chosen])) > 0
        )

    def _options(self, case: CaseShape, sizes: tuple[int, ...] | None) -> Iterable[Option]:
        wanted = (len(case.competencies),) if sizes is None else sizes
        for size in wanted:
            if size > len(case.competencies):
                continue
            for kept in combinations(range(len(case.competencies)), size):
                vector = self._vector(case.competencies[i] for i in kept)
                if vector is not None:
                    yield kept, vector

    def _vector(self, competencies: Iterable[str]) -> tuple[int, ...] | None:
        counts = dict.fromkeys(self.order, 0)
        for competency in competencies:
            if competency not in counts:
                return None  # an item of a competency the strata do not take from cases
            counts[competency] += 1
        return tuple(counts[c] for c in self.order)

    def _choices(self, options: Sequence[Sequence[Option]]) -> int:
        """How many choices of items, one option per case, give exactly the strata."""
        return _counter(tuple(tuple(o) for o in options))(0, self.target)

    @property
    def configurations(self) -> int:
        """How many different case draws meet the strata (0: the blueprint cannot be met)."""
        return sum(count for _, count in self.sets)

    def case_share(self) -> dict[str, float]:
        """For each case, the share of papers that take it (exact, from the two-stage draw)."""
        shares = {case.id: 0.0 for case in self.cases}
        for chosen, _ in self.sets:
            for index in chosen:
                shares[self.cases[index].id] += 1 / len(self.sets)
        return shares

    def never_drawn(self) -> list[tuple[str, int | None]]:
        """(case id, None) for a case no paper can take; (case id, index) for an item of a
        usable case that no paper can keep. Such content is dead weight for the draw."""
        found: list[tuple[str, int | None]] = []
        for index, case in enumerate(self.cases):
            sets = [chosen for chosen, _ in self.sets if index in chosen]
            if not sets:
                found.append((case.id, None))
                continue
            for item in range(len(case.competencies)):
                if not any(self._keeps(chosen, index, item) for chosen in sets):
                    found.append((case.id, item))
        return found

    def _keeps(self, chosen: tuple[int, ...], index: int, item: int) -> bool:
        options = [
            [o for o in self.options[i] if item in o[0]] if i == index else self.options[i]
            for i in chosen
        ]
        return self._choices(options) > 0

    def draw(self, rng: Random) -> Configuration:
        """A set of cases uniformly among the possible sets, then a choice of items uniformly."""
        if not self.sets:
            raise ValueError("aucune combinaison d'études de cas ne respecte le plan")
        chosen, _ = self.sets[rng.randrange(len(self.sets))]
        count = _counter(tuple(self.options[i] for i in chosen))
        result: list[tuple[str, tuple[int, ...]]] = []
        remaining = self.target
        for position, index in enumerate(chosen):
            weighted = []
            for kept, vector in self.options[index]:
                rest = tuple(r - v for r, v in zip(remaining, vector, strict=True))
                if min(rest, default=0) >= 0 and (weight := count(position + 1, rest)):
                    weighted.append((kept, rest, weight))
            pick = rng.randrange(sum(w for _, _, w in weighted))
            for kept, rest, weight in weighted:
                if pick < weight:
                    result.append((self.cases[index].id, kept))
                    remaining = rest
                    break
                pick -= weight
        return tuple(result)


@lru_cache(maxsize=4096)
def _counter(options: tuple[tuple[Option, ...], ...]) -> Callable[[int, tuple[int, ...]], int]:
    """count(i, remaining): choices of items for cases i.. (one option each) that give exactly
    ``remaining``; memoised, and kept per set of cases so that every draw reuses it."""

    @cache
    def count(index: int, remaining: tuple[int, ...]) -> int:
        if index == len(options):
            return 0 if any(remaining) else 1
        total = 0
        for _kept, vector in options[index]:
            rest = tuple(r - v for r, v in zip(remaining, vector, strict=True))
            if min(rest, default=0) >= 0:
                total += count(index + 1, rest)
        return total

    return count


@lru_cache(maxsize=16)
def strata_for(
    cases: tuple[CaseShape, ...],
    case_studies: int,
    sizes: tuple[int, ...] | None,
    targets: tuple[tuple[str, int], ...],
) -> Strata:
    """The strata of a bank, built once per bank and blueprint (the draw calls this per paper)."""
    return Strata(cases, case_studies, sizes, dict(targets))


def compositions(
    cases: Sequence[CaseShape], case_studies: int, sizes: tuple[int, ...] | None
) -> set[tuple[tuple[str, int], ...]]:
    """Every per-competency composition the case part of a paper can have.

    Without strata, one composition means every paper is equivalent and more than one means
    some are not; with strata, each composition is a ``case_items_per_competency`` the bank
    could meet. Built case by case as a set of count vectors (never the products).
    """
    reachable: list[set[tuple[tuple[str, int], ...]]] = [set() for _ in range(case_studies + 1)]
    reachable[0].add(())
    for case in sorted(cases, key=lambda c: c.id):
        wanted = (len(case.competencies),) if sizes is None else sizes
        shapes = {
            _merge((), [case.competencies[i] for i in kept])
            for size in wanted
            if size <= len(case.competencies)
            for kept in combinations(range(len(case.competencies)), size)
        }
        for k in range(case_studies, 0, -1):
            for before in list(reachable[k - 1]):
                for shape in shapes:
                    reachable[k].add(_merge(before, [c for c, n in shape for _ in range(n)]))
    return reachable[case_studies]


def _merge(base: tuple[tuple[str, int], ...], more: Sequence[str]) -> tuple[tuple[str, int], ...]:
    counts = dict(base)
    for competency in more:
        counts[competency] = counts.get(competency, 0) + 1
    return tuple(sorted(counts.items()))


__all__ = [
    "CaseShape",
    "Configuration",
    "Strata",
    "compositions",
    "strata_for",
]
