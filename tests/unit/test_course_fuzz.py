"""Random text and random mutations never crash the parsers: they load or report errors."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.case_studies import parse_case_study_text
from course.dossier import parse_dossier_item_text
from course.errors import ContentError, lines_of
from course.modules import parse_module_text
from course.questionnaire import parse_blueprint_text, parse_exam_case_text, parse_item_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "course"
MODULE_PATH = FIXTURES / "modules" / "valid.md"
CASE_PATH = FIXTURES / "case_studies" / "valid.md"
MODULE = MODULE_PATH.read_text(encoding="utf-8").splitlines()
CASE = CASE_PATH.read_text(encoding="utf-8").splitlines()
ITEMS = (FIXTURES / "items" / "valid.md").read_text(encoding="utf-8").splitlines()
EXAM_CASE = (FIXTURES / "exam_cases" / "valid.md").read_text(encoding="utf-8").splitlines()
BLUEPRINT = (FIXTURES / "blueprints" / "valid.yaml").read_text(encoding="utf-8").splitlines()

# Characters that matter to the formats, mixed with anything else.
SYNTAX = list("-[]()#{}<>!:=+*`~>|\n\t ") + ["<!--", "-->", "- [x]", "- [ ]", "{#", "##", "---"]
noise = st.lists(
    st.one_of(
        st.sampled_from(SYNTAX), st.text(st.characters(exclude_categories=("Cs",)), max_size=5)
    ),
    max_size=8,
).map("".join)
operations = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000), noise), max_size=12)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mutate(lines: list[str], ops: list[tuple[int, int, str]]) -> str:
    """Delete, duplicate, swap lines; overwrite or insert random characters."""
    result = list(lines)
    for op, index, text in ops:
        if not result:
            result.append(text)
            continue
        i = index % len(result)
        if op == 0:
            del result[i]
        elif op == 1:
            result.insert(i, result[i])
        elif op == 2:
            j = (index // 7) % len(result)
            result[i], result[j] = result[j], result[i]
        elif op == 3:
            cut = index % (len(result[i]) + 1)
            result[i] = result[i][:cut] + text + result[i][cut:]
        elif op == 4:
            result.insert(i, text)
        else:
            result[i] = text
    return "\n".join(result)


def assert_reported(text: str, errors: list[ContentError]) -> None:
    last = len(lines_of(text)) + 1
    assert all(1 <= e.line <= last and e.message for e in errors), [str(e) for e in errors]


@SETTINGS
@given(operations)
def test_mutated_module_loads_or_reports(ops):
    text = mutate(MODULE, ops)
    module, errors = parse_module_text(text, MODULE_PATH)
    assert (module is None) == bool(errors)
    assert_reported(text, errors)
    if module is not None:
        for question in module.questions:
            assert 2 <= len(question.propositions) <= 6 and question.correct_keys


@SETTINGS
@given(operations)
def test_mutated_case_study_loads_or_reports(ops):
    text = mutate(CASE, ops)
    case, errors = parse_case_study_text(text, CASE_PATH)
    assert (case is None) == bool(errors)
    assert_reported(text, errors)
    if case is not None:
        # What loads is coherent: the best path runs from the start to an ending and its
        # points are the ones announced; no competency can beat its maximum on that path.
        assert case.best_path[0] == case.start and case.step(case.best_path[-1]).is_ending
        earned = case.path_points(case.best_path)
        assert sum(earned.values()) == case.best_total > 0
        assert all(earned.get(c, 0) <= case.max_points[c] for c in case.competencies)


@SETTINGS
@given(operations)
def test_mutated_bank_files_load_or_report(ops):
    items_text = mutate(ITEMS, ops)
    items, errors = parse_item_text(items_text, FIXTURES / "items" / "x.md")
    assert_reported(items_text, errors)
    assert all(3 <= len(q.propositions) <= 4 and q.competency and q.difficulty for q in items)
    case_text = mutate(EXAM_CASE, ops)
    case, errors = parse_exam_case_text(case_text, FIXTURES / "exam_cases" / "x.md")
    assert (case is None) == bool(errors)
    assert_reported(case_text, errors)
    blueprint_text = mutate(BLUEPRINT, ops)
    blueprint, errors = parse_blueprint_text(blueprint_text, "blueprint.yaml")
    assert (blueprint is None) == bool(errors)
    assert_reported(blueprint_text, errors)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_random_text_never_crashes_any_parser(text):
    for parse in (
        parse_module_text,
        parse_case_study_text,
        parse_exam_case_text,
        parse_dossier_item_text,
    ):
        result, errors = parse(text, FIXTURES / "modules" / "x.md")
        assert (result is None) == bool(errors)
        assert_reported(text, errors)
    parse_item_text(text, "x.md")
    parse_blueprint_text(text, "blueprint.yaml")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SYNTAX), max_size=60).map("".join))
def test_syntax_soup_never_crashes(text):
    for body in (text, "---\nid: x\n---\n" + text):
        parse_module_text(body, MODULE_PATH)
        parse_case_study_text(body, CASE_PATH)
        parse_blueprint_text(body, "blueprint.yaml")


def test_very_long_lines_do_not_make_the_parser_backtrack():
    # Each of these lines made an earlier regular expression run for minutes.
    lines = [
        "<!-- question: " + " " * 20_000 + "x",
        "## " + "{#" * 10_000,
        "### a" + " " * 20_000 + "b",
        "[" * 20_000,
        "![" * 10_000,
        "- [" + "]" * 20_000 + "(#",
    ]
    started = time.perf_counter()
    for line in lines:
        parse_case_study_text("---\nid: x\n---\n## A {#a}\n" + line, CASE_PATH)
        parse_module_text("---\nid: x\n---\n" + line, MODULE_PATH)
    assert time.perf_counter() - started < 5
