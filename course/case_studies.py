"""Branching case studies: ``##`` steps, choices as links to step anchors, endings with a debrief."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import ContentError, ErrorList
from course.frontmatter import COMPETENCIES, Meta, split

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
}
STEP = re.compile(r"^##\s+(?P<title>.+?)\s*(?:\{\s*#(?P<id>[^}\s]+)\s*\})?\s*$")
SUBHEADING = re.compile(r"^###\s+(?P<title>.+?)\s*$")
CHOICE = re.compile(
    r"^\s{0,3}[-*+]\s+\[(?P<label>[^\]]+)\]\(#(?P<target>[^)\s]+)\)\s*(?P<rest>.*)$"
)
POINTS = re.compile(r"^\{(?P<body>[^}]*)\}\s*$")
POINT = re.compile(r"^(?P<comp>[A-Za-z]\d+)\s*(?P<value>[+-]?\s*\d+)$")
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
    """A decision offered at a step."""

    label: str
    target: str
    points: tuple[tuple[str, int], ...]
    feedback: str
    line: int

    @property
    def total(self) -> int:
        """Sum of the choice's points over all competencies."""
        return sum(v for _, v in self.points)


@dataclass(frozen=True)
class Step:
    """A step: narrative, then choices, or an ending with its debrief."""

    id: str
    title: str
    line: int
    narrative: str
    choices: tuple[Choice, ...]
    debrief: str | None

    @property
    def is_ending(self) -> bool:
        """True for an ending step."""
        return self.debrief is not None


@dataclass(frozen=True)
class CaseStudy:
    """A branching scenario."""

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
    max_points: dict[str, int] = field(default_factory=dict)
    best_path: tuple[str, ...] = ()
    best_total: int = 0

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when unknown)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def _parse_points(
    text: str, line: int, label: str, errors: ErrorList
) -> tuple[tuple[str, int], ...]:
    text = text.strip()
    if not text:
        return ()
    match = POINTS.match(text)
    if not match:
        errors.add(
            line,
            f"choix « {label} » : texte inattendu après le lien ; les points s'écrivent {{C2 +2, C4 -1}}",
        )
        return ()
    result: dict[str, int] = {}
    for token in filter(None, (t.strip() for t in match.group("body").split(","))):
        point = POINT.match(token)
        if not point:
            errors.add(line, f"choix « {label} » : points « {token} » illisibles (ex. C2 +2)")
            continue
        comp = point.group("comp").upper()
        if comp not in COMPETENCIES:
            errors.add(line, f"choix « {label} » : compétence inconnue « {comp} » (C1 à C7)")
            continue
        result[comp] = result.get(comp, 0) + int(point.group("value").replace(" ", ""))
    return tuple(sorted(result.items()))


def _parse_steps(body: str, first_line: int, errors: ErrorList) -> tuple[str, list[Step]]:
    intro: list[str] = []
    raw: list[tuple[str, str, int, list[tuple[int, str]]]] = []
    in_fence = False
    for offset, line in enumerate(body.splitlines()):
        number = first_line + offset
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else STEP.match(line)
        if match:
            title = match.group("title").strip()
            raw.append((match.group("id") or slugify(title), title, number, []))
        elif raw:
            raw[-1][3].append((number, line))
        else:
            intro.append(line)
    steps = []
    for ident, title, number, lines in raw:
        narrative: list[str] = []
        debrief: list[str] | None = None
        choices: list[Choice] = []
        pending: tuple[str, str, tuple[tuple[str, int], ...], int, list[str]] | None = None

        def close() -> None:
            nonlocal pending
            if pending is not None:
                label, target, points, where, feedback = pending
                choices.append(Choice(label, target, points, "\n".join(feedback).strip(), where))  # noqa: B023
                pending = None

        for where, line in lines:
            sub = SUBHEADING.match(line)
            if sub and _plain(sub.group("title")).startswith("debrief"):
                close()
                debrief = []
                continue
            if debrief is not None:
                debrief.append(line)
                continue
            choice = CHOICE.match(line)
            if choice:
                close()
                label = choice.group("label").strip()
                pending = (
                    label,
                    choice.group("target"),
                    _parse_points(choice.group("rest"), where, label, errors),
                    where,
                    [],
                )
                continue
            feedback = FEEDBACK.match(line)
            if pending is not None and feedback:
                pending[4].append(feedback.group("text"))
                continue
            if pending is not None and not line.strip():
                continue
            close()
            narrative.append(line)
        close()
        steps.append(
            Step(
                ident,
                title,
                number,
                "\n".join(narrative).strip(),
                tuple(choices),
                "\n".join(debrief).strip() if debrief is not None else None,
            )
        )
    return "\n".join(intro).strip(), steps


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> dict[str, int]:
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
                f"étape « {step.id} » : ni choix ni « ### Débriefing » ; ajoutez des choix ou faites-en une fin",
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
                        f"choix « {choice.label} » : des points en {comp}, compétence absente de l'en-tête",
                    )
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
    todo = [s.id for s in steps if s.is_ending]
    while todo:
        node = todo.pop()
        if node not in can_end:
            can_end.add(node)
            todo.extend(reverse[node])
    for step in steps:
        if step.id in reachable and step.id not in can_end and not step.is_ending and step.choices:
            errors.add(
                step.line,
                f"étape « {step.id} » : boucle sans issue, aucun chemin ne mène à une fin",
            )
    if errors:
        return {}, (), 0
    component = _strongly_connected(list(reachable), edges)
    for step in steps:
        for choice in step.choices:
            if (
                step.id in reachable
                and component.get(step.id) == component.get(choice.target)
                and any(v > 0 for _, v in choice.points)
            ):
                errors.add(
                    choice.line,
                    f"choix « {choice.label} » : points positifs dans une boucle, le score maximal ne peut pas être calculé",
                )
    if errors:
        return {}, (), 0
    # Longest paths on the condensation (edges inside a loop carry no positive points).
    memo: dict[str, tuple[int, tuple[str, ...], dict[str, int]]] = {}

    def best(node: str, visiting: frozenset[str]) -> tuple[int, tuple[str, ...], dict[str, int]]:
        if node in memo:
            return memo[node]
        step = by_id[node]
        result: tuple[int, tuple[str, ...], dict[str, int]] = (0, (node,), {})
        if not step.is_ending:
            options = []
            for choice in step.choices:
                if choice.target in visiting:
                    continue
                total, path, per = best(choice.target, visiting | {choice.target})
                merged = dict(per)
                for comp, value in choice.points:
                    merged[comp] = merged.get(comp, 0) + value
                options.append((total + choice.total, (node, *path), merged))
            if options:
                result = max(options, key=lambda o: o[0])
        memo[node] = result
        return result

    def max_per(node: str, comp: str, visiting: frozenset[str]) -> int:
        step = by_id[node]
        values = [
            dict(c.points).get(comp, 0) + max_per(c.target, comp, visiting | {c.target})
            for c in step.choices
            if c.target not in visiting
        ]
        return max(values, default=0)

    total, path, _ = best(start, frozenset({start}))
    maxima = {comp: max(0, max_per(start, comp, frozenset({start}))) for comp in competencies}
    return maxima, path, total


def parse_case_study_text(
    text: str, path: Path | str
) -> tuple[CaseStudy | None, list[ContentError]]:
    """Parse a case study from its text; never raises on malformed input."""
    errors = ErrorList(path)
    parts = split(text, errors)
    meta = Meta(parts, errors)
    meta.check_keys(CASE_KEYS, {"id", "title", "competencies"})
    ident = meta.ident()
    competencies = meta.competencies()
    mode = meta.text("mode", "practice")
    if mode not in ("practice", "graded"):
        errors.add(meta.line("mode"), f"mode « {mode} » inconnu (practice ou graded)")
    intro, steps = _parse_steps(parts.body, parts.body_line, errors)
    if not steps:
        errors.add(parts.body_line, "aucune étape : chaque étape commence par un titre « ## »")
        return None, list(errors)
    seen: dict[str, int] = {}
    for step in steps:
        if step.id in seen:
            errors.add(step.line, f"étape « {step.id} » en double (déjà ligne {seen[step.id]})")
        seen.setdefault(step.id, step.line)
    start = meta.text("start") or steps[0].id
    if start not in seen:
        errors.add(meta.line("start"), f"étape de départ « {start} » introuvable")
        return None, list(errors)
    maxima, best_path, best_total = analyse(steps, start, competencies, errors)
    if not errors and best_total <= 0:
        errors.add(
            parts.body_line, "aucun chemin ne rapporte de points : le score maximal serait nul"
        )
    if errors or not ident:
        return None, list(errors)
    return (
        CaseStudy(
            id=ident,
            title=meta.text("title"),
            profile=meta.text("profile"),
            competencies=competencies,
            duration_minutes=meta.integer("duration_minutes", 30, minimum=1),
            mode=mode,
            review=meta.flag("review"),
            path=str(path),
            introduction=intro,
            steps=tuple(steps),
            start=start,
            max_points=maxima,
            best_path=best_path,
            best_total=best_total,
        ),
        [],
    )


def parse_case_study(path: Path) -> tuple[CaseStudy | None, list[ContentError]]:
    """Parse one case study file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [
            ContentError(
                str(path),
                1,
                f"fichier illisible ({type(error).__name__}) : enregistrez-le en UTF-8",
            )
        ]
    return parse_case_study_text(text, path)
