"""CSV downloads that a spreadsheet opens as data, never as formulas.

Every CSV the tool offers goes through ``csv_response``. A text cell that starts with one of
``= + - @``, a tab or a carriage return is what Excel, LibreOffice and Google Sheets read as a
formula (``=HYPERLINK(…)``, ``@SUM(…)``, DDE): such a cell gets a leading apostrophe, as OWASP
recommends (« CSV Injection »), and the spreadsheet shows the text as it was typed.

Only text is neutralised. Numbers the tool writes (points, counts) stay ``int``/``float`` and
reach the file unchanged, so that the trainer can still sum and sort them; a number cannot carry
a formula. Text built by the tool that happens to start with ``-`` (a negative ``-1/3`` ratio) is
text anyway and is shown as typed too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from numbers import Number

from flask import Response

#: First characters a spreadsheet takes as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write in a cell: text that a spreadsheet would evaluate gets a ``'`` prefix."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, Number):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    """``safe_cell`` applied to every cell of a row."""
    return [safe_cell(value) for value in row]


def render(header: Sequence[object], rows: Iterable[Iterable[object]]) -> str:
    """The CSV text (``;`` separated, as French spreadsheets expect), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def csv_response(
    filename: str, header: Sequence[object], rows: Iterable[Iterable[object]]
) -> Response:
    """A CSV download (UTF-8 with BOM so that spreadsheets read accents), cells neutralised."""
    return Response(
        "\ufeff" + render(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
