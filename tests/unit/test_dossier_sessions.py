"""Sessions read from lines of text: a table flattened by a PDF export, its rows wrapped.

Each case is the text a PDF gives for a table of sessions; the hours must be those of the
table, and a session whose duration cannot be read must be reported, never silently dropped.
"""

from __future__ import annotations

import pytest

from grading.dossier import Block, Location
from grading.dossier.sessions import find_sessions


def lines(*texts: str) -> list[Block]:
    return [Block("paragraph", t, Location(paragraph=n)) for n, t in enumerate(texts, 1)]


@pytest.mark.parametrize(
    ("name", "texts", "hours", "unreadable"),
    [
        (
            "one line per row",
            ("05/01/2026 préliminaire 2 h", "12/01/2026 investigation 1h30", "19/01/2026 1 h"),
            4.5,
            [],
        ),
        (
            "a date cell wrapped: the date under the rest of its row",
            (
                "Date Phase Durée",
                "Lundi Préliminaire : accueil 2 h",
                "05/01/2026 et présentation",
                "Lundi Investigation : tests 1h30",
                "12/01/2026 d'intérêts",
                "Lundi Conclusion : synthèse 1 h",
                "26/01/2026 et plan d'action",
            ),
            4.5,
            [],
        ),
        (
            "the date alone, the duration lines below",
            (
                "05/01/2026",
                "Préliminaire : accueil",
                "2 h",
                "Investigation : tests",
                "12/01/2026",
                "d'intérêts",
                "1h30",
                "19/01/2026 investigation 2 h",
            ),
            5.5,
            [],
        ),
        (
            "a page footer and a page number between rows",
            (
                "05/01/2026 préliminaire 2 h",
                "12/01/2026 investigation 1h30",
                "Dossier de bilan – version du 03/03/2026",
                "Page 1/4",
                "19/01/2026 investigation 2 h",
            ),
            5.5,
            [],
        ),
        (
            "a month inside a wrapped cell does not start a row",
            (
                "05/01/2026 préliminaire 2 h",
                "12/01/2026 Investigation : enquête métier",
                "à réaliser avant février 2026,",
                "restitution 1h30",
                "19/01/2026 investigation 2 h",
            ),
            5.5,
            [],
        ),
        (
            "a session without a duration, then the total: reported, the total not taken",
            (
                "05/01/2026 préliminaire 2 h",
                "12/01/2026 investigation 1h30",
                "26/01/2026 conclusion (à venir)",
                "Total : 3 h 30",
                "Les entretiens ont duré 2 h en moyenne",
            ),
            3.5,
            ["26/01/2026 conclusion (à venir)"],
        ),
        (
            "a subtotal is no session's duration",
            (
                "05/01/2026 préliminaire 2 h",
                "12/01/2026 investigation (reportée)",
                "Sous-total investigation : 3 h 30",
                "19/01/2026 investigation 2 h",
                "26/01/2026 conclusion 1 h",
            ),
            5.0,
            ["12/01/2026 investigation (reportée)"],
        ),
        (
            "the first session unreadable is reported too",
            (
                "05/01/2026 préliminaire, durée non précisée",
                "12/01/2026 investigation 1h30",
                "19/01/2026 investigation 2 h",
            ),
            3.5,
            ["05/01/2026 préliminaire, durée non précisée"],
        ),
        (
            "a career list after the sessions adds nothing",
            (
                "05/01/2026 préliminaire 2 h",
                "12/01/2026 investigation 1h30",
                "Parcours :",
                "Mars 2015 : CAP petite enfance",
                "Emploi d'ATSEM, 6 h par jour",
                "Septembre 2018 : auxiliaire de vie",
                "Interventions de 2 h chez des particuliers",
            ),
            3.5,
            [],
        ),
    ],
)
def test_sessions_in_lines(name, texts, hours, unreadable):
    found = find_sessions(lines(*texts))
    assert found is not None, name
    assert found.total == hours, name
    assert [text for _, text in found.unreadable] == unreadable, name


def test_a_declared_total_under_the_lines_is_compared():
    found = find_sessions(
        lines("05/01/2026 préliminaire 2 h", "12/01/2026 investigation 1h30", "Total : 4 h")
    )
    assert found is not None and found.total == 3.5 and found.declared_total == 4.0


def test_a_single_dated_line_is_not_a_table():
    assert find_sessions(lines("Entretien du 05/01/2026 : 2 h.", "Rien d'autre.")) is None
