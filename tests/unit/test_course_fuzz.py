"""Random text and random mutations never crash the parsers: they load or report errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.case_studies import parse_case_study_text
from course.errors import ErrorList
from course.questions import parse_segments
from tests.unit.test_course_parser import CASE, MODULE

LINES_CASE = CASE.splitlines()
LINES_MODULE = MODULE.splitlines()
noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def mutate(lines: list[str], ops: list[tuple[int, int, str]]) -> str:
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
            j = (i * 7 + 3) % len(result)
            result[i], result[j] = result[j], result[i]
        elif op == 3:
            result[i] = result[i][: len(text)] + text
        else:
            result.insert(i, text)
    return "\n".join(result)


operations = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10_000), noise), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_mutated_case_study_loads_or_reports(ops):
    case, errors = parse_case_study_text(mutate(LINES_CASE, ops), "cas.md")
    assert (case is None) == bool(errors)
    assert all(e.line >= 1 and e.message for e in errors)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_mutated_module_body_parses_or_reports(ops):
    errors = ErrorList("m.md")
    parse_segments(mutate(LINES_MODULE, ops), 1, errors)
    assert all(e.line >= 1 for e in errors)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_random_text_never_crashes(text):
    case, errors = parse_case_study_text(text, "x.md")
    assert case is None or not errors
