"""Numbers as the page's language writes them: « 2,17 » in French, "2.17" in English.

``number`` is a Jinja filter (``{{ score|number }}``, ``{{ pct|number(1) }}``); ``decimal_comma``
is the same for Python code that builds messages. Exports (CSV, JSON) never use these: they keep
the decimal point, for spreadsheets and programs.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal


def number(value: float | int | None, digits: int = 2) -> str:
    """``value`` rounded to at most ``digits`` decimals, in the current locale (no trailing 0)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return str(format_decimal(round(float(value), digits), format=pattern))


def decimal_comma(value: float | int | None, digits: int = 2) -> str:
    """Alias of :func:`number` for messages built in Python."""
    return number(value, digits)


def init_app(app: Flask) -> None:
    app.add_template_filter(number, "number")
