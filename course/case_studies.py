"""Branching case studies: ``##`` steps, choices as links to step anchors, endings with a debrief.

The graph is checked as a whole: every target exists, every step is reachable from the start,
every path can reach an ending, and no loop carries positive points, so that the maximum score
and the best path are well defined (longest paths, computed by Bellman-Ford on the step graph).

The scoring is checked too, so that a case study measures what it claims: no ending below zero,
no competency decided by a single choice (maximum of at least 3 points unless the author states
why in ``narrow_maxima``), veille (C7) scored somewhere, the interview modes (C3) exercised, a
competency named in a feedback scored by that choice, and critical errors (``critique``) never
rewarded nor on the best path, each citing the rule it breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import ContentError, ErrorList, lines_of, read_text
from course.frontmatter import COMPETENCIES, ID_PATTERN, Meta, split
from course.links import check_links

CASE_KEYS = {
    "id",
    "title",
    "profile",
    "competencies",
    "duration_minutes",
    "mode",
    "start",
    "review",
    "review_notes",
    "critical_cap",
    "narrow_maxima",
}
#: Share of the best path a run with a critical error can reach at most, unless the file says.
DEFAULT_CRITICAL_CAP = 40
#: A competency whose maximum is this or less can be swung from 0 to 100 % by one choice.
NARROW_MAXIMUM = 2
VEILLE = "C7"
#: The interview modes of C3 (directive, semi-directive, non-directive), in a C3 feedback.
INTERVIEW_MODE = re.compile(r"\b(?:semi-|non-)?directi(?:f|ve|fs|ves|vité)\b", re.IGNORECASE)
#: A critical error cites the rule it breaks: the Code du travail or the deontology.
CRITICAL_RULE = re.compile(r"L\.\s?6313-4|d[ée]ontolog", re.IGNORECASE)
COMPETENCY_CITED = re.compile(r"\b(C[1-7])\b")
CRITICAL_MARK = "critique"
REQUIRED_KEYS = {"id", "title", "competencies"}
MODES = ("practice", "graded")
STEP = re.compile(r"^##\s+(?P<title>.*)$")
ANCHOR = re.compile(r"\{\s*#(?P<id>[^}\s]*)\s*\}")
SUBHEADING = re.compile(r"^###\s+(?P<title>.+)$")
CHOICE = re.compile(
    r"^\s{0,3}[-*+]\s+\[(?P<label>[^\]]+)\]\(\s*#(?P<target>[^)\s]*)\s*\)\s*(?P<rest>.*)$"
)
POINTS = re.compile(r"^\{(?P<body>[^}]*)\}\s*$")
POINT = re.compile(r"^(?P<comp>[A-Za-z]\d+)\s*(?P<value>[+-]?\s*\d{1,6})$")
CHOICE_ID = re.compile(r"^#(?P<id>\S*)$")
FEEDBACK = re.compile(r"^\s+>\s?(?P<text>.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")


def slugify(text: str) -> str:
    """GitHub-style heading anchor (accents kept as letters, spaces to dashes)."""
    value = unicodedata.normalize("NFC", text).strip().lower()
    value = re.sub(r"[^\w\- ]", "", value)
    return value.replace(" ", "-")


def _plain(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    ).lower()


@dataclass(frozen=True)
class Choice:
    """A decision offered at a step: label, target step, points per competency, feedback.

    ``id`` is stable when the file is reordered (the target step, or ``#id`` in the braces when
    two choices of a step lead to the same step): runs record it, never a position.
    """

    label: str
    target: str
    points: tuple[tuple[str, int], ...]
    feedback: str
    line: int
    path: str = ""
    id: str = ""
    #: A breach of L.6313-4 or of the deontology: caps the run's score (``critique``).
    critical: bool = False

    @property
    def total(self) -> int:
        """Sum of the choice's points over all competencies."""
        return sum(v for _, v in self.points)

    def points_for(self, competency: str) -> int:
        """The choice's points for one competency (0 when absent)."""
        return sum(v for c, v in self.points if c == competency)


@dataclass(frozen=True)
class Step:
    """A step: narrative then choices (a decision point), or an ending with its debrief."""

    id: str
    title: str
    line: int
    narrative: str
    choices: tuple[Choice, ...]
    debrief: str | None
    path: str = ""

    @property
    def is_ending(self) -> bool:
        """True for an ending step (it has a ``### Débriefing``)."""
        return self.debrief is not None

    def choice(self, target: str) -> Choice | None:
        """The first choice of this step leading to ``target``."""
        return next((c for c in self.choices if c.target == target), None)

    def choice_by_id(self, choice_id: str) -> Choice | None:
        """The choice with this id, or None."""
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class CaseStudy:
    """A branching scenario with its precomputed maximum score and best path."""

    id: str
    title: str
    profile: str
    competencies: tuple[str, ...]
    duration_minutes: int
    mode: str
    review: bool
    path: str
    introduction: str
    steps: tuple[Step, ...]
    start: str
    #: Highest total reachable per competency, each competency on its own best path.
    max_points: dict[str, int] = field(default_factory=dict, hash=False)
    #: Step ids from the start to an ending along the path with the highest total.
    best_path: tuple[str, ...] = ()
    #: The ids of the choices made along the best path.
    best_choices: tuple[str, ...] = ()
    #: Total points of the best path (the denominator of a run's score).
    best_total: int = 0
    review_notes: str = ""
    line: int = 1
    #: Highest share (percent) of the best path reachable by a run with a critical error.
    critical_cap: int = DEFAULT_CRITICAL_CAP
    #: Points per competency along the best path (what the check reports).
    best_path_points: dict[str, int] = field(default_factory=dict, hash=False)
    #: Competencies allowed a maximum of 2 points or less, with the author's reason.
    narrow_maxima: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def critical_choices(self) -> tuple[Choice, ...]:
        """The choices marked as critical errors, in file order."""
        return tuple(c for s in self.steps for c in s.choices if c.critical)

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when unknown)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def start_step(self) -> Step:
        """The first step shown."""
        return self.step(self.start)

    @property
    def endings(self) -> tuple[Step, ...]:
        """The ending steps, in file order."""
        return tuple(s for s in self.steps if s.is_ending)

    @property
    def graded(self) -> bool:
        """True when only one run counts (``mode: graded``)."""
        return self.mode == "graded"

    def path_points(self, path: tuple[str, ...] | list[str]) -> dict[str, int]:
        """Points per competency earned along a path of step ids (the best choice of each edge)."""
        result: dict[str, int] = {}
        for here, there in zip(path, path[1:], strict=False):
            choice = best_choice(self.step(here), there)
            if choice is None:
                raise KeyError(f"{here} -> {there}")
            for comp, value in choice.points:
                result[comp] = result.get(comp, 0) + value
        return result


@dataclass(frozen=True)
class _Attributes:
    points: tuple[tuple[str, int], ...] = ()
    critical: bool = False
    ident: str = ""


def _parse_points(text: str, line: int, label: str, errors: ErrorList) -> _Attributes:
    """The braces after a choice: points, ``critique`` and an explicit ``#id``."""
    text = text.strip()
    if not text:
        return _Attributes()
    match = POINTS.match(text)
    if not match:
        errors.add(
            line,
            f"choix « {label} » : texte inattendu après le lien ; les points s'écrivent "
            "{C2 +2, C4 -1}",
        )
        return _Attributes()
    result: dict[str, int] = {}
    critical = False
    ident = ""
    for token in filter(None, (t.strip() for t in match.group("body").split(","))):
        if token.lower() == CRITICAL_MARK:
            critical = True
            continue
        explicit = CHOICE_ID.match(token)
        if explicit:
            ident = explicit.group("id")
            if not ID_PATTERN.match(ident):
                errors.add(
                    line,
                    f"choix « {label} » : identifiant « #{ident} » invalide "
                    "(minuscules, chiffres, tirets)",
                )
            continue
        point = POINT.match(token)
        if not point:
            errors.add(line, f"choix « {label} » : points « {token} » illisibles (ex. C2 +2)")
            continue
        comp = point.group("comp").upper()
        if comp not in COMPETENCIES:
            errors.add(line, f"choix « {label} » : compétence inconnue « {comp} » (C1 à C7)")
            continue
        result[comp] = result.get(comp, 0) + int(point.group("value").replace(" ", ""))
    return _Attributes(tuple(sorted(result.items())), critical, ident)


@dataclass
class _Pending:
    label: str
    target: str
    attributes: _Attributes
    line: int
    feedback: list[str] = field(default_factory=list)


def _parse_step(
    ident: str, title: str, number: int, lines: list[tuple[int, str]], errors: ErrorList
) -> Step:
    narrative: list[str] = []
    debrief: list[str] | None = None
    choices: list[Choice] = []
    pending: _Pending | None = None
    in_fence = False

    def close(item: _Pending | None) -> None:
        if item is not None:
            feedback = "\n".join(item.feedback).strip()
            attributes = item.attributes
            choices.append(
                Choice(
                    item.label,
                    item.target,
                    attributes.points,
                    feedback,
                    item.line,
                    errors.path,
                    attributes.ident or item.target,
                    attributes.critical,
                )
            )

    for where, line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        sub = None if in_fence else SUBHEADING.match(line)
        if sub and _plain(sub.group("title")).startswith("debrief"):
            close(pending)
            pending = None
            debrief = []
            continue
        if debrief is not None:
            debrief.append(line)
            continue
        choice = None if in_fence else CHOICE.match(line)
        if choice:
            close(pending)
            label = choice.group("label").strip()
            pending = _Pending(
                label,
                choice.group("target"),
                _parse_points(choice.group("rest"), where, label, errors),
                where,
            )
            continue
        feedback = FEEDBACK.match(line)
        if pending is not None and feedback:
            pending.feedback.append(feedback.group("text"))
            continue
        if pending is not None and not line.strip():
            continue
        close(pending)
        pending = None
        narrative.append(line)
    close(pending)
    return Step(
        ident,
        title,
        number,
        "\n".join(narrative).strip(),
        tuple(choices),
        "\n".join(debrief).strip() if debrief is not None else None,
        errors.path,
    )


def _heading(text: str) -> tuple[str, str | None]:
    """A step heading's title and its explicit ``{#id}`` when it ends with one."""
    text = text.strip()
    start = text.rfind("{")
    anchor = ANCHOR.fullmatch(text[start:]) if text.endswith("}") and start >= 0 else None
    if anchor is None:
        return text, None
    return text[:start].strip(), anchor.group("id")


def _parse_steps(body: str, first_line: int, errors: ErrorList) -> tuple[str, list[Step]]:
    intro: list[str] = []
    raw: list[tuple[str, str, int, list[tuple[int, str]]]] = []
    in_fence = False
    for offset, line in enumerate(lines_of(body)):
        number = first_line + offset
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else STEP.match(line)
        if match:
            title, explicit = _heading(match.group("title"))
            if explicit is not None and not ID_PATTERN.match(explicit):
                errors.add(
                    number,
                    f"identifiant d'étape « {explicit} » invalide (minuscules, chiffres, tirets)",
                )
            ident = explicit or slugify(title)
            if not ident:
                errors.add(number, "étape sans titre ni identifiant : écrivez « ## Titre {#id} »")
            raw.append((ident, title, number, []))
        elif raw:
            raw[-1][3].append((number, line))
        else:
            intro.append(line)
    steps = [
        _parse_step(ident, title, number, lines, errors) for ident, title, number, lines in raw
    ]
    return "\n".join(intro).strip(), steps


def strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> dict[str, int]:
    """Tarjan's strongly connected components (iterative): node -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component: dict[str, int] = {}
    counter = [0, 0]

    def visit(root: str) -> None:
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter[0]
                counter[0] += 1
                stack.append(node)
                on_stack.add(node)
            successors = edges.get(node, [])
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = counter[1]
                    if member == node:
                        break
                counter[1] += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])

    for node in nodes:
        if node not in index:
            visit(node)
    return component


def longest_paths(
    steps: list[Step] | tuple[Step, ...], start: str, weight: Callable[[Choice], int]
) -> tuple[dict[str, int], dict[str, str]]:
    """Highest weight from ``start`` to every reachable step, and the predecessor on that path.

    Bellman-Ford on the step graph; correct when no cycle has a positive weight (checked before).
    """
    by_id = {s.id: s for s in steps}
    dist: dict[str, int] = {start: 0}
    pred: dict[str, str] = {}
    for _ in range(len(steps)):
        changed = False
        for step in steps:
            if step.id not in dist:
                continue
            for choice in step.choices:
                if choice.target not in by_id:
                    continue
                candidate = dist[step.id] + weight(choice)
                if choice.target not in dist or candidate > dist[choice.target]:
                    dist[choice.target] = candidate
                    pred[choice.target] = step.id
                    changed = True
        if not changed:
            break
    return dist, pred


def best_choice(step: Step, target: str) -> Choice | None:
    """Among the choices of ``step`` leading to ``target``, the one with the highest total."""
    leading = [c for c in step.choices if c.target == target]
    return max(leading, key=lambda c: c.total) if leading else None


def lowest_paths(steps: list[Step] | tuple[Step, ...], start: str) -> tuple[dict[str, int], bool]:
    """Lowest total from ``start`` to every reachable step; False when a loop loses points.

    A loop whose points add up below zero has no lowest total: it is reported, not computed.
    """
    by_id = {s.id: s for s in steps}
    negated, _ = longest_paths(steps, start, lambda c: -c.total)
    for step in steps:
        for choice in step.choices:
            if step.id in negated and choice.target in by_id:
                if negated[step.id] - choice.total > negated.get(choice.target, -(10**9)):
                    return {k: -v for k, v in negated.items()}, False
    return {k: -v for k, v in negated.items()}, True


def _trace(pred: dict[str, str], start: str, end: str) -> tuple[str, ...]:
    path = [end]
    while path[-1] != start and path[-1] in pred and len(path) <= len(pred) + 1:
        path.append(pred[path[-1]])
    return tuple(reversed(path))


def _points_in(competency: str) -> Callable[[Choice], int]:
    return lambda choice: choice.points_for(competency)


def analyse(
    steps: list[Step], start: str, competencies: tuple[str, ...], errors: ErrorList
) -> tuple[dict[str, int], tuple[str, ...], int]:
    """Check the graph; return the maximum points per competency, the best path and its total."""
    by_id = {s.id: s for s in steps}
    for step in steps:
        if step.choices and step.is_ending:
            errors.add(
                step.line,
                f"étape « {step.id} » : une fin (Débriefing) ne peut pas proposer de choix",
            )
        if not step.choices and not step.is_ending:
            errors.add(
                step.line,
                f"étape « {step.id} » : ni choix ni « ### Débriefing » ; ajoutez des choix "
                "ou faites-en une fin",
            )
        for choice in step.choices:
            if choice.target not in by_id:
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : l'étape cible « #{choice.target} » n'existe pas",
                )
            for comp, _ in choice.points:
                if competencies and comp not in competencies:
                    errors.add(
                        choice.line,
                        f"choix « {choice.label} » : des points en {comp}, compétence absente "
                        "de l'en-tête (competencies)",
                    )
    check_choices(steps, errors)
    edges = {s.id: [c.target for c in s.choices if c.target in by_id] for s in steps}
    reachable: set[str] = set()
    todo = [start] if start in by_id else []
    while todo:
        node = todo.pop()
        if node not in reachable:
            reachable.add(node)
            todo.extend(edges[node])
    for step in steps:
        if step.id not in reachable:
            errors.add(step.line, f"étape « {step.id} » inatteignable depuis le début")
    reverse: dict[str, list[str]] = {s.id: [] for s in steps}
    for src, targets in edges.items():
        for dst in targets:
            reverse[dst].append(src)
    can_end: set[str] = set()
    # A step with a broken target may lead to an ending once fixed: only the target is reported.
    todo = [s.id for s in steps if s.is_ending or any(c.target not in by_id for c in s.choices)]
    while todo:
        node = todo.pop()
        if node not in can_end:
            can_end.add(node)
            todo.extend(reverse[node])
    for step in steps:
        if step.id in reachable and step.id not in can_end and step.choices:
            errors.add(
                step.line,
                f"étape « {step.id} » : boucle sans issue, aucun chemin ne mène à une fin",
            )
    if errors:
        return {}, (), 0
    order = [s.id for s in steps if s.id in reachable]
    component = strongly_connected(order, edges)
    for step in steps:
        for choice in step.choices:
            if (
                step.id in reachable
                and component.get(step.id) == component.get(choice.target)
                and any(v > 0 for _, v in choice.points)
            ):
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : points positifs dans une boucle (on pourrait "
                    "y gagner des points sans fin) ; le score maximal ne peut pas être calculé",
                )
    if errors:
        return {}, (), 0
    live = [s for s in steps if s.id in reachable]
    endings = [s.id for s in live if s.is_ending]
    dist, pred = longest_paths(live, start, lambda c: c.total)
    best_end = max(endings, key=lambda e: (dist[e], -endings.index(e)))
    maxima: dict[str, int] = {}
    for comp in competencies:
        per, _ = longest_paths(live, start, _points_in(comp))
        maxima[comp] = max(0, max(per[e] for e in endings))
    return maxima, _trace(pred, start, best_end), dist[best_end]


def check_choices(steps: list[Step], errors: ErrorList) -> None:
    """Choice ids unique per step; critical errors unrewarded and explained; feedback and points agree."""
    for step in steps:
        seen: dict[str, Choice] = {}
        for choice in step.choices:
            if choice.id in seen:
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : même identifiant « {choice.id} » qu'un autre choix "
                    f"de l'étape (ligne {seen[choice.id].line}) ; quand deux choix mènent à la même "
                    "étape, donnez-leur un identifiant : {#mon-choix, C2 +1}",
                )
            seen.setdefault(choice.id, choice)
            if choice.critical and any(v > 0 for _, v in choice.points):
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : une erreur critique ne peut pas rapporter de points",
                )
            if choice.critical and not CRITICAL_RULE.search(choice.feedback):
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : le retour d'une erreur critique doit citer la "
                    "règle enfreinte (L.6313-4 du Code du travail ou la déontologie)",
                )
            if not choice.critical and "erreur critique" in choice.feedback.lower():
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : le retour parle d'erreur critique mais le choix "
                    "n'est pas marqué {critique}",
                )
            scored = {c for c, v in choice.points if v}
            for cited in sorted(set(COMPETENCY_CITED.findall(choice.feedback)) - scored):
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : le retour parle de {cited} mais le choix ne "
                    f"donne aucun point en {cited} ; les points doivent suivre l'explication",
                )


def _narrow_maxima(meta: Meta, competencies: tuple[str, ...], errors: ErrorList) -> dict[str, str]:
    """``narrow_maxima: {C5: raison}``: competencies allowed a maximum of 2 points or less."""
    raw = meta.data.get("narrow_maxima")
    if raw is None:
        return {}
    line = meta.line("narrow_maxima")
    if not isinstance(raw, dict):
        errors.add(line, "« narrow_maxima » s'écrit {C5: raison de ce maximum réduit}")
        return {}
    result: dict[str, str] = {}
    for key, reason in raw.items():
        comp = str(key).upper()
        if comp not in competencies:
            errors.add(
                line, f"« narrow_maxima » : {key} n'est pas une compétence de l'étude de cas"
            )
        elif not isinstance(reason, str) or len(reason.split()) < 3:
            errors.add(
                line,
                f"« narrow_maxima » : dites pourquoi le maximum de {comp} peut rester faible "
                "(une phrase)",
            )
        else:
            result[comp] = reason.strip()
    return result


def check_scoring(case: CaseStudy) -> list[ContentError]:
    """The course's rules for a score that measures (run by the course check on a parsed case).

    No ending below 0, no competency decided by one choice (unless ``narrow_maxima`` says why),
    veille (C7) scored somewhere, the interview modes exercised where C3 is scored.
    """
    errors = ErrorList(Path(case.path))
    steps, start, competencies = list(case.steps), case.start, case.competencies
    maxima, narrow, body_line = case.max_points, case.narrow_maxima, case.line
    lowest, bounded = lowest_paths(steps, start)
    if not bounded:
        errors.add(
            body_line,
            "une boucle fait perdre des points sans fin : aucune fin ne doit "
            "donner un total négatif",
        )
    else:
        for step in steps:
            if step.is_ending and lowest.get(step.id, 0) < 0:
                errors.add(
                    step.line,
                    f"fin « {step.id} » : un parcours y mène avec {lowest[step.id]} points ; "
                    "aucune fin ne doit donner un total négatif (mettez 0 aux mauvais choix "
                    "ou compensez plus haut)",
                )
    choices = [c for s in steps for c in s.choices]
    for comp in competencies:
        if comp in narrow:
            continue
        most = maxima.get(comp, 0)
        single = max((c.points_for(comp) for c in choices), default=0)
        if most <= NARROW_MAXIMUM:
            errors.add(
                body_line,
                f"{comp} : {most} point(s) au plus ; un seul choix ferait passer la compétence "
                f"de 0 à 100 %. Notez-la à plusieurs étapes (au moins {NARROW_MAXIMUM + 1} points) "
                "ou justifiez-le : narrow_maxima: {" + comp + ": raison}",
            )
        elif single >= most:
            errors.add(
                body_line,
                f"{comp} : un seul choix donne tout le maximum ({most} points) ; notez-la à "
                "plusieurs étapes ou justifiez-le : narrow_maxima: {" + comp + ": raison}",
            )
    if not any(c.points_for(VEILLE) > 0 for c in choices):
        errors.add(
            body_line,
            "aucun choix ne note la veille (C7) : vérifier une règle qui a changé, consulter "
            "une source officielle…",
        )
    if "C3" in competencies and not any(
        c.points_for("C3") > 0 and INTERVIEW_MODE.search(f"{c.label} {c.feedback}") for c in choices
    ):
        errors.add(
            body_line,
            "aucun choix noté en C3 ne travaille les modes d'entretien (directif, "
            "semi-directif, non directif) : nommez le mode dans le retour",
        )
    return list(errors)


def parse_case_study_text(
    text: str, path: Path | str
) -> tuple[CaseStudy | None, list[ContentError]]:
    """Parse a case study from its text; never raises on malformed input."""
    path = Path(path)
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(CASE_KEYS, REQUIRED_KEYS)
    ident = meta.ident()
    title = meta.text("title")
    profile = meta.text("profile")
    competencies = meta.competencies()
    duration = meta.integer("duration_minutes", 30, minimum=1)
    review, notes = meta.review()
    mode = meta.text("mode", "practice")
    if mode not in MODES:
        errors.add(meta.line("mode"), f"mode « {mode} » inconnu (practice ou graded)")
    check_links(parts.body, parts.body_line, path.parent, errors)
    intro, steps = _parse_steps(parts.body, parts.body_line, errors)
    if not steps:
        errors.add(parts.body_line, "aucune étape : chaque étape commence par un titre « ## »")
        return None, list(errors)
    seen: dict[str, int] = {}
    for step in steps:
        if step.id in seen:
            errors.add(step.line, f"étape « {step.id} » en double (déjà ligne {seen[step.id]})")
        seen.setdefault(step.id, step.line)
    if len(seen) != len(steps):
        return None, list(errors)  # the graph cannot be read while two steps share an id
    start = meta.text("start") or steps[0].id
    if start not in seen:
        errors.add(meta.line("start"), f"étape de départ « {start} » introuvable")
        return None, list(errors)
    cap = meta.integer("critical_cap", DEFAULT_CRITICAL_CAP, minimum=0)
    if cap > 100:
        errors.add(meta.line("critical_cap"), "« critical_cap » est un pourcentage (0 à 100)")
    narrow = _narrow_maxima(meta, competencies, errors)
    maxima, best_path, best_total = analyse(steps, start, competencies, errors)
    if not errors and best_total <= 0:
        errors.add(
            parts.body_line, "aucun chemin ne rapporte de points : le score maximal serait nul"
        )
    by_id = {s.id: s for s in steps}
    best_choices = tuple(
        choice
        for here, there in zip(best_path, best_path[1:], strict=False)
        if (choice := best_choice(by_id[here], there)) is not None
    )
    for choice in best_choices:
        if choice.critical:
            errors.add(
                choice.line,
                f"choix « {choice.label} » : une erreur critique sur le meilleur parcours",
            )
    if errors or not ident:
        return None, list(errors)
    case = CaseStudy(
        id=ident,
        title=title,
        profile=profile,
        competencies=competencies,
        duration_minutes=duration,
        mode=mode,
        review=review,
        path=str(path),
        introduction=intro,
        steps=tuple(steps),
        start=start,
        max_points=maxima,
        best_path=best_path,
        best_choices=tuple(c.id for c in best_choices),
        best_total=best_total,
        review_notes=notes,
        line=meta.line("id"),
        critical_cap=cap,
        best_path_points={c: sum(ch.points_for(c) for ch in best_choices) for c in competencies},
        narrow_maxima=narrow,
    )
    return case, []


def parse_case_study(path: Path) -> tuple[CaseStudy | None, list[ContentError]]:
    """Parse one case study file."""
    errors = ErrorList(path)
    text = read_text(path, errors)
    if text is None:
        return None, list(errors)
    return parse_case_study_text(text, path)
