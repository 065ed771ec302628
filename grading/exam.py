"""The certification paper: drawing it from the bank, then scoring it.

The draw is seeded and reproducible; the paper is plain data (stored as JSON by the web layer),
so a candidate's paper never changes when the bank is edited later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from course.blueprint import CaseShape, Strata, strata_for


@dataclass(frozen=True)
class BankItem:
    """An item of the bank as the draw needs it."""

    id: str
    competency: str
    proposition_keys: tuple[str, ...]
    correct_keys: frozenset[str]
    multiple: bool = False
    case_id: str | None = None


@dataclass(frozen=True)
class BankCase:
    """An exam case study: a vignette and its items, drawn together."""

    id: str
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class DrawRules:
    """What the blueprint asks for."""

    items_per_competency: Mapping[str, int]
    case_studies: int
    shuffle_propositions: bool = True
    #: Items taken from each drawn case study (seeded, in the case's order), so that every
    #: paper has the same length; ``None`` takes every item of each case.
    items_per_case: int | None = None
    #: The strata: items the drawn cases give per competency (every paper the same). With them
    #: each case gives a number of items among ``case_sizes`` (default: ``items_per_case``).
    case_items_per_competency: Mapping[str, int] | None = None
    case_sizes: tuple[int, ...] | None = None

    @property
    def sizes(self) -> tuple[int, ...] | None:
        """How many items a drawn case may give (``None``: all of them)."""
        if self.case_sizes is not None:
            return self.case_sizes
        return None if self.items_per_case is None else (self.items_per_case,)

    @property
    def paper_length(self) -> int | None:
        """Items on every paper when that is fixed (strata, or a fixed count per case)."""
        standalone = sum(self.items_per_competency.values())
        if self.case_items_per_competency is not None:
            return standalone + sum(self.case_items_per_competency.values())
        if self.items_per_case is not None:
            return standalone + self.items_per_case * self.case_studies
        return None if self.case_studies else standalone


@dataclass(frozen=True)
class PaperItem:
    """One item of a candidate's paper, propositions in the order shown to this candidate."""

    item_id: str
    competency: str
    proposition_keys: tuple[str, ...]
    correct_keys: frozenset[str]
    multiple: bool = False
    case_id: str | None = None

    def to_json(self) -> dict[str, object]:
        """Plain data for storage."""
        return {
            "item_id": self.item_id,
            "competency": self.competency,
            "proposition_keys": list(self.proposition_keys),
            "correct_keys": sorted(self.correct_keys),
            "multiple": self.multiple,
            "case_id": self.case_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PaperItem:
        """Inverse of :meth:`to_json`."""
        keys = data["proposition_keys"]
        correct = data["correct_keys"]
        assert isinstance(keys, list) and isinstance(correct, list)
        case_id = data.get("case_id")
        return cls(
            item_id=str(data["item_id"]),
            competency=str(data["competency"]),
            proposition_keys=tuple(str(k) for k in keys),
            correct_keys=frozenset(str(k) for k in correct),
            multiple=bool(data.get("multiple", False)),
            case_id=str(case_id) if case_id else None,
        )


class BankTooSmall(ValueError):
    """The bank cannot fill the blueprint."""


def bank_shortfalls(
    items: Sequence[BankItem], cases: Sequence[BankCase], rules: DrawRules
) -> list[str]:
    """Return what the bank lacks to fill the blueprint (empty when it can)."""
    problems: list[str] = []
    standalone: dict[str, int] = defaultdict(int)
    for item in items:
        if item.case_id is None:
            standalone[item.competency] += 1
    for competency, wanted in sorted(rules.items_per_competency.items()):
        if standalone[competency] < wanted:
            problems.append(
                f"{competency} : {wanted} items demandés, {standalone[competency]} disponibles"
            )
    eligible = _eligible_cases(cases, rules)
    if rules.case_items_per_competency is not None and len(eligible) >= rules.case_studies:
        if not _strata(cases, items, rules).sets:
            problems.append(
                "aucun jeu de "
                f"{rules.case_studies} études de cas ne donne les items de cas demandés par "
                "compétence (case_items_per_competency)"
            )
    if len(eligible) < rules.case_studies:
        if rules.items_per_case is None:
            problems.append(
                f"{rules.case_studies} études de cas demandées, {len(cases)} disponibles"
            )
        else:
            problems.append(
                f"{rules.case_studies} études de cas d'au moins {rules.items_per_case} items "
                f"demandées, {len(eligible)} disponibles"
            )
    return problems


def _eligible_cases(cases: Sequence[BankCase], rules: DrawRules) -> list[BankCase]:
    """The cases that can give the blueprint its items per case, by id."""
    wanted = min(rules.sizes) if rules.sizes else 0
    return sorted((c for c in cases if len(c.item_ids) >= wanted), key=lambda c: c.id)


def draw_paper(
    items: Sequence[BankItem], cases: Sequence[BankCase], rules: DrawRules, seed: str
) -> list[PaperItem]:
    """Draw a paper: standalone items per competency, then case studies, seeded.

    With strata (``case_items_per_competency``) every paper has the same number of items per
    competency: a set of cases drawn uniformly among those that can give the strata, then a
    choice of their items uniformly among those that give them (``course.blueprint``). Without
    strata but with ``items_per_case`` every paper has the same length only.
    """
    problems = bank_shortfalls(items, cases, rules)
    if problems:
        raise BankTooSmall("; ".join(problems))
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())  # noqa: S311 - not security
    by_id = {item.id: item for item in items}
    chosen: list[BankItem] = []
    for competency in sorted(rules.items_per_competency):
        pool = sorted(
            (i for i in items if i.case_id is None and i.competency == competency),
            key=lambda i: i.id,
        )
        chosen.extend(rng.sample(pool, rules.items_per_competency[competency]))
    rng.shuffle(chosen)
    if rules.case_items_per_competency is not None:
        drawn = list(_strata(cases, items, rules).draw(rng))
        rng.shuffle(drawn)
        cases_by_id = {c.id: c for c in cases}
        for case_id, kept_indexes in drawn:
            chosen.extend(by_id[cases_by_id[case_id].item_ids[i]] for i in kept_indexes)
        return _paper(chosen, rules, rng)
    for case in rng.sample(_eligible_cases(cases, rules), rules.case_studies):
        kept: list[int] = list(range(len(case.item_ids)))
        if rules.items_per_case is not None:
            kept = sorted(rng.sample(kept, rules.items_per_case))
        chosen.extend(by_id[case.item_ids[index]] for index in kept)
    return _paper(chosen, rules, rng)


def _strata(cases: Sequence[BankCase], items: Sequence[BankItem], rules: DrawRules) -> Strata:
    """The strata of these cases for these rules (cached per bank: built once, drawn often)."""
    competency = {item.id: item.competency for item in items}
    shapes = tuple(
        CaseShape(c.id, tuple(competency.get(i, "") for i in c.item_ids))
        for c in sorted(cases, key=lambda c: c.id)
    )
    targets = tuple(sorted((rules.case_items_per_competency or {}).items()))
    return strata_for(shapes, rules.case_studies, rules.sizes, targets)


def _paper(chosen: Sequence[BankItem], rules: DrawRules, rng: random.Random) -> list[PaperItem]:
    """The paper of the chosen items, propositions shuffled when the rules say so."""
    paper: list[PaperItem] = []
    for item in chosen:
        keys = list(item.proposition_keys)
        if rules.shuffle_propositions:
            rng.shuffle(keys)
        paper.append(
            PaperItem(
                item.id,
                item.competency,
                tuple(keys),
                item.correct_keys,
                item.multiple,
                item.case_id,
            )
        )
    return paper


def choice_id(secret: str, item_id: str, key: str) -> str:
    """The opaque id under which one candidate's paper shows a proposition.

    Derived from the attempt's secret seed, so two candidates never share the ids of a same
    proposition and cannot pass answers by id; 72 bits, not guessable from one's own paper.
    Answers are stored under the proposition's key: scoring and analysis never see these ids.
    """
    digest = hmac.new(
        secret.encode(), f"choice\x1f{item_id}\x1f{key}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode()


def choice_ids(secret: str, item_id: str, keys: Sequence[str]) -> dict[str, str]:
    """Opaque id -> proposition key, for one item of one candidate's paper."""
    return {choice_id(secret, item_id, key): key for key in keys}


@dataclass(frozen=True)
class PaperScore:
    """Result of a paper: points overall and per competency (one point per item)."""

    points: float
    maximum: int
    per_competency: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    item_points: Mapping[str, int] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Share of the maximum, 0..1."""
        return self.points / self.maximum if self.maximum else 0.0

    def passed(self, pass_mark: float) -> bool:
        """True when the ratio reaches the pass mark."""
        return self.ratio + 1e-9 >= pass_mark


def score_paper(paper: Sequence[PaperItem], answers: Mapping[str, frozenset[str]]) -> PaperScore:
    """Score a paper: an item scores 1 when the chosen set equals the correct set, else 0."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    item_points: dict[str, int] = {}
    for item in paper:
        chosen = answers.get(item.item_id, frozenset())
        point = 1 if chosen and chosen == item.correct_keys else 0
        item_points[item.item_id] = point
        per[item.competency][0] += point
        per[item.competency][1] += 1
    total = sum(item_points.values())
    return PaperScore(
        points=float(total),
        maximum=len(paper),
        per_competency={c: (float(v[0]), v[1]) for c, v in sorted(per.items())},
        item_points=item_points,
    )
