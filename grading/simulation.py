"""Simulated papers: what the blueprint gives in practice (composition, exposure, cut scores).

``simulate`` draws papers exactly as candidates get them (``draw_paper`` with seeds of its own),
then counts. Pure: no Flask, no clock.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from course.questionnaire import ItemBank
from grading.exam import BankCase, BankItem, DrawRules, PaperItem, draw_paper
from grading.standard import CutScore, cut_score


def bank_for_draw(bank: ItemBank) -> tuple[list[BankItem], list[BankCase], DrawRules]:
    """The bank and blueprint of ``course`` as the draw needs them."""
    blueprint = bank.blueprint
    assert blueprint is not None
    items = [
        BankItem(
            q.id,
            q.competency or "C1",
            tuple(p.key for p in q.propositions),
            q.correct_keys,
            q.multiple,
            None,
        )
        for q in bank.items
    ]
    for case in bank.cases:
        items += [
            BankItem(
                q.id,
                q.competency or "C1",
                tuple(p.key for p in q.propositions),
                q.correct_keys,
                q.multiple,
                case.id,
            )
            for q in case.items
        ]
    cases = [BankCase(c.id, tuple(q.id for q in c.items)) for c in bank.cases]
    rules = DrawRules(
        dict(blueprint.items_per_competency),
        blueprint.case_studies,
        blueprint.shuffle_propositions,
        blueprint.items_per_case,
        blueprint.case_items_per_competency,
        blueprint.case_sizes,
    )
    return items, cases, rules


@dataclass(frozen=True)
class Simulation:
    """What ``papers`` simulated papers contained."""

    papers: int
    #: Per-competency composition (sorted (competency, count) pairs) -> how many papers had it.
    compositions: Mapping[tuple[tuple[str, int], ...], int]
    #: Item id -> papers that contained it.
    exposure: Mapping[str, int]
    #: Case id -> papers that contained it.
    case_exposure: Mapping[str, int]
    #: Each simulated paper's cut score (empty without ratings to derive it from).
    cut_scores: Sequence[CutScore] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """Whether every paper had the same number of items per competency."""
        return len(self.compositions) == 1

    def cut_summary(self) -> tuple[float, float, float, float] | None:
        """(mean, sd, min, max) of the papers' cut scores in points."""
        if not self.cut_scores:
            return None
        values = [c.points for c in self.cut_scores]
        mean = sum(values) / len(values)
        sd = (
            math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            if len(values) > 1
            else 0.0
        )
        return mean, sd, min(values), max(values)


def simulate(
    items: Sequence[BankItem],
    cases: Sequence[BankCase],
    rules: DrawRules,
    papers: int = 1000,
    standard: Callable[[Sequence[PaperItem]], CutScore] | None = None,
) -> Simulation:
    """Draw ``papers`` papers (seeds ``simulation-0``…) and count what they contain."""
    compositions: Counter[tuple[tuple[str, int], ...]] = Counter()
    exposure: Counter[str] = Counter({item.id: 0 for item in items})
    case_exposure: Counter[str] = Counter({case.id: 0 for case in cases})
    cuts: list[CutScore] = []
    for number in range(papers):
        paper = draw_paper(items, cases, rules, f"simulation-{number}")
        compositions[tuple(sorted(Counter(p.competency for p in paper).items()))] += 1
        exposure.update(p.item_id for p in paper)
        case_exposure.update({p.case_id for p in paper if p.case_id})
        if standard is not None:
            cuts.append(standard(paper))
    return Simulation(papers, dict(compositions), dict(exposure), dict(case_exposure), cuts)


def angoff_standard(bank: ItemBank) -> Callable[[Sequence[PaperItem]], CutScore]:
    """The cut score of a paper from this bank's ratings (pass mark for unrated items)."""
    blueprint = bank.blueprint
    assert blueprint is not None
    ratings = bank.angoff

    def standard(paper: Sequence[PaperItem]) -> CutScore:
        return cut_score(
            [(p.item_id, p.competency) for p in paper],
            ratings.ratings if ratings else {},
            judges=len(ratings.judges) if ratings else 0,
            fallback=blueprint.pass_mark,
            decisive=blueprint.decisive_competencies,
            provisional=ratings.provisional if ratings else True,
        )

    return standard


__all__ = ["Simulation", "angoff_standard", "bank_for_draw", "simulate"]
