"""The templates a trainer starts from pass the checker as they are."""

from __future__ import annotations

from course.case_studies import check_scoring, parse_case_study_text
from course.modules import parse_module_text
from course.templates import CASE_TEMPLATE, MODULE_TEMPLATE


def test_module_template_is_valid():
    module, errors = parse_module_text(MODULE_TEMPLATE, "modules/nouveau-module/index.md")
    assert errors == [] and module is not None and module.questions


def test_case_template_is_valid_and_scored():
    case, errors = parse_case_study_text(CASE_TEMPLATE, "case_studies/nouvelle-etude-de-cas.md")
    assert errors == [] and case is not None
    assert check_scoring(case) == []
    assert case.critical_choices and len(case.endings) >= 2
