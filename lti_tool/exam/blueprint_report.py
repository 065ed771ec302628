"""The blueprint report: 1,000 simulated papers, item exposure, and the Angoff cut score.

Shown to trainers and the jury (``/examen/plan``) and printed by ``flask exam blueprint-report``.
Built once per content version (the simulation takes about a second).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from course.angoff import AngoffRatings
from course.questionnaire import ItemBank
from grading.item_analysis import ItemStats
from grading.simulation import Simulation, angoff_standard, bank_for_draw, simulate
from grading.standard import item_mean

PAPERS = 1000


@dataclass(frozen=True)
class CompetencyRow:
    """One competency of the blueprint: what a paper draws and what the bank holds."""

    competency: str
    standalone: int
    in_cases: int
    total: int
    bank_standalone: int
    bank_in_cases: int
    decisive: bool
    #: Mean over the simulated papers of the competency's threshold (points), and its items.
    threshold: float | None

    @property
    def short(self) -> bool:
        """Fewer than twice what a paper draws, in either stratum."""
        return self.bank_standalone < 2 * self.standalone or self.bank_in_cases < 2 * self.in_cases


@dataclass(frozen=True)
class ItemRow:
    """One item: where it comes from, how often papers take it, its ratings and statistics."""

    item_id: str
    competency: str
    case_id: str | None
    drawn: int
    ratings: tuple[float | None, ...]
    mean_rating: float | None
    stats: ItemStats | None


@dataclass(frozen=True)
class BlueprintReport:
    """Everything the page and the command show."""

    papers: int
    simulation: Simulation
    competencies: list[CompetencyRow]
    items: list[ItemRow]
    cases: list[tuple[str, int]]
    angoff: AngoffRatings | None
    pass_mark: float
    paper_length: int | None
    warnings: list[str]
    decisive: tuple[str, ...] = ()
    #: Submitted papers behind the facility and discrimination (0: no data yet).
    candidates: int = 0
    judges: tuple[str, ...] = field(default_factory=tuple)

    @property
    def composition(self) -> dict[str, int] | None:
        """The per-competency counts when every paper had the same (None otherwise)."""
        if not self.simulation.identical:
            return None
        (only,) = self.simulation.compositions
        return dict(only)

    @property
    def max_drawn(self) -> int:
        """The highest exposure (for the chart's scale)."""
        return max((row.drawn for row in self.items), default=0)


def build_report(
    bank: ItemBank,
    papers: int = PAPERS,
    stats: Mapping[str, ItemStats] | None = None,
    candidates: int = 0,
) -> BlueprintReport:
    """Simulate ``papers`` papers from the bank and gather the report."""
    blueprint = bank.blueprint
    assert blueprint is not None
    items, cases, rules = bank_for_draw(bank)
    simulation = simulate(items, cases, rules, papers, standard=angoff_standard(bank))
    ratings = bank.angoff.ratings if bank.angoff else {}
    strata = blueprint.case_items_per_competency or {}
    competencies = sorted(set(blueprint.items_per_competency) | set(strata))
    thresholds: dict[str, list[float]] = {}
    for cut in simulation.cut_scores:
        for competency, (points, _n) in cut.per_competency.items():
            thresholds.setdefault(competency, []).append(points)
    rows = [
        CompetencyRow(
            competency=c,
            standalone=blueprint.items_per_competency.get(c, 0),
            in_cases=strata.get(c, 0),
            total=blueprint.items_per_competency.get(c, 0) + strata.get(c, 0),
            bank_standalone=sum(1 for q in bank.items if q.competency == c),
            bank_in_cases=sum(1 for k in bank.cases for q in k.items if q.competency == c),
            decisive=c in blueprint.decisive_competencies,
            threshold=(sum(thresholds[c]) / len(thresholds[c]) if thresholds.get(c) else None),
        )
        for c in competencies
    ]
    item_rows = [
        ItemRow(
            item_id=item.id,
            competency=item.competency,
            case_id=item.case_id,
            drawn=simulation.exposure.get(item.id, 0),
            ratings=tuple(ratings.get(item.id, ())),
            mean_rating=item_mean(tuple(ratings.get(item.id, ()))),
            stats=(stats or {}).get(item.id),
        )
        for item in items
    ]
    return BlueprintReport(
        papers=papers,
        simulation=simulation,
        competencies=rows,
        items=item_rows,
        cases=sorted(simulation.case_exposure.items()),
        angoff=bank.angoff,
        pass_mark=blueprint.pass_mark,
        paper_length=rules.paper_length,
        warnings=[w.message for w in bank.warnings],
        decisive=tuple(blueprint.decisive_competencies),
        candidates=candidates,
        judges=tuple(j.id for j in bank.angoff.judges) if bank.angoff else (),
    )


def report_text(report: BlueprintReport) -> str:
    """The report as text, for ``flask exam blueprint-report``."""
    out: list[str] = []
    composition = report.composition
    out.append(f"Plan de l'épreuve 1 : {report.papers} copies simulées.")
    if composition is not None:
        counts = ", ".join(f"{c} {n}" for c, n in sorted(composition.items()))
        out.append(
            f"Composition identique dans les {report.papers} copies : {counts} "
            f"({sum(composition.values())} items)."
        )
    else:
        out.append(
            f"ATTENTION : {len(report.simulation.compositions)} compositions différentes — "
            "les copies ne sont pas équivalentes."
        )
        for shape, count in sorted(report.simulation.compositions.items(), key=lambda x: -x[1]):
            out.append(f"  {count} copies : " + ", ".join(f"{c} {n}" for c, n in shape))
    out.append("")
    out.append("Compétence | isolés | cas | total | banque isolés | banque cas | seuil moyen")
    for row in report.competencies:
        threshold = f"{row.threshold:.1f}" if row.threshold is not None else "—"
        flags = (" décisive" if row.decisive else "") + (" (banque < 2×)" if row.short else "")
        out.append(
            f"{row.competency} | {row.standalone} | {row.in_cases} | {row.total} | "
            f"{row.bank_standalone} | {row.bank_in_cases} | {threshold}{flags}"
        )
    out.append("")
    out.extend(cut_lines(report))
    out.append("")
    out.append("Exposition des études de cas (copies qui la contiennent) :")
    for case_id, drawn in report.cases:
        out.append(f"  {case_id} : {drawn} ({100 * drawn / report.papers:.0f} %)")
    out.append("")
    out.append("Exposition des items (copies qui le contiennent) et note d'Angoff moyenne :")
    for item in sorted(report.items, key=lambda r: (-r.drawn, r.item_id)):
        rating = f"{item.mean_rating:.2f}" if item.mean_rating is not None else "sans note"
        where = item.case_id or "isolé"
        out.append(
            f"  {item.item_id} ({item.competency}, {where}) : {item.drawn} "
            f"({100 * item.drawn / report.papers:.1f} %) ; Angoff {rating}"
        )
    if report.warnings:
        out.append("")
        out.append("Avertissements de « python -m course check » :")
        out.extend(f"  {w}" for w in report.warnings)
    return "\n".join(out)


def cut_lines(report: BlueprintReport) -> list[str]:
    """The cut score and its derivation, in words."""
    summary = report.simulation.cut_summary()
    lines = ["Seuil de réussite (méthode d'Angoff modifiée) :"]
    if summary is None:
        return [*lines, "  aucun seuil calculé"]
    mean, sd, low, high = summary
    angoff = report.angoff
    if angoff is None:
        lines.append(
            f"  aucune note d'Angoff (angoff.yaml absent) : chaque item compte pour "
            f"{report.pass_mark:g} (pass_mark)."
        )
    else:
        status = "PROVISOIRES (équipe de rédaction, à remplacer par une séance de jury)"
        lines.append(
            f"  notes du {angoff.date}, {len(angoff.judges)} juge(s), "
            f"{status if angoff.provisional else 'validées par le jury'}."
        )
    unrated = sum(1 for i in report.items if i.mean_rating is None)
    lines.append(
        "  seuil d'une copie = somme, sur ses items, de la note moyenne des juges (un item sans "
        f"note compte pour {report.pass_mark:g}) ; {unrated} item(s) sans note."
    )
    length = report.paper_length or 0
    lines.append(
        f"  sur {report.papers} copies : moyenne {mean:.2f} points"
        + (f" sur {length} ({100 * mean / length:.1f} %)" if length else "")
        + f", écart type {sd:.2f}, de {low:.2f} à {high:.2f} ; le candidat doit atteindre "
        "le nombre entier de points supérieur ou égal."
    )
    errors = [c.standard_error for c in report.simulation.cut_scores]
    known = [e for e in errors if e is not None]
    if known:
        lines.append(
            f"  erreur type entre juges (écart type des seuils des juges / √juges) : "
            f"{sum(known) / len(known):.2f} point en moyenne."
        )
    else:
        lines.append("  erreur type entre juges : non calculable avec un seul juge.")
    if report.decisive:
        lines.append(
            "  compétences décidées par l'épreuve 1, chacune avec son seuil : "
            + ", ".join(report.decisive)
            + "."
        )
    return lines


__all__ = ["PAPERS", "BlueprintReport", "build_report", "cut_lines", "report_text"]


#: Content version -> report (the simulation is not redone on every page load).
_cache: dict[str, BlueprintReport] = {}


def cached_report(version: str, bank: ItemBank) -> BlueprintReport:
    """The report of this content version, built once."""
    report = _cache.get(version)
    if report is None:
        _cache.clear()
        report = _cache[version] = build_report(bank)
    return report
