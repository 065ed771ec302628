"""Numbers as the page's language writes them: « 2,17 » in French, "2.17" in English.

``number`` is a Jinja filter (``{{ score|number }}``, ``{{ pct|number(1) }}``); ``decimal_comma``
is the same for Python code that builds messages. Exports (CSV, JSON) never use these: they keep
the decimal point, for spreadsheets and programs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from babel.dates import format_datetime
from flask import Flask
from flask_babel import format_decimal, get_locale, lazy_gettext
from markupsafe import Markup, escape


def number(value: float | int | None, digits: int = 2, fixed: bool = False) -> str:
    """``value`` rounded to at most ``digits`` decimals in the current locale; ``fixed`` keeps
    the trailing zeros (« 0,50 », for a column of coefficients)."""
    if value is None:
        return "—"
    decimals = ("0" if fixed else "#") * digits
    pattern = "#,##0" + ("." + decimals if digits > 0 else "")
    return str(format_decimal(round(float(value), digits), format=pattern))


def decimal_comma(value: float | int | None, digits: int = 2) -> str:
    """Alias of :func:`number` for messages built in Python."""
    return number(value, digits)


_TABLE_OPEN = re.compile(r"<table\b")


def scroll_tables(html: str, label: str) -> str:
    """Each table of sanitised content HTML in its own horizontally scrolling box.

    At 320 px a case-study table (527 px) made the whole exam page scroll sideways: the box
    scrolls instead, focusable so a keyboard user can scroll it too (named ``label``).
    """
    if "<table" not in html:
        return html
    opening = f'<div class="table-scroll" tabindex="0" role="group" aria-label="{escape(label)}"><table'
    return _TABLE_OPEN.sub(opening, html).replace("</table>", "</table></div>")


def localtime(moment: datetime | None, style: str = "medium") -> Markup:
    """A ``<time>`` element: ISO 8601 UTC in ``datetime``, UTC text with « UTC » named.

    ``static/localtime.js`` rewrites the text in the browser's time zone, naming the zone
    (« 7 déc. 2026, 14:35 (Europe/Paris) »); without script the UTC text stays, still correct.
    """
    if moment is None:
        return Markup("")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    pattern = "short" if style == "short" else "medium"
    text = format_datetime(moment, format=pattern, tzinfo=UTC, locale=get_locale() or "fr")
    return Markup('<time datetime="{}" data-local="{}">{} UTC</time>').format(iso, pattern, text)


#: The audit log's action codes in words (the code stays in the database and the exports).
AUDIT_LABELS = {
    "exam.accommodation": lazy_gettext("Temps supplémentaire modifié"),
    "exam.reset": lazy_gettext("Nouvelle tentative accordée"),
    "exam.release_review": lazy_gettext("Correction publiée, session close"),
    "exam.end_attempt": lazy_gettext("Copie remise par le formateur"),
    "exam.reopen": lazy_gettext("Session rouverte pour un candidat"),
    "exam.late_save": lazy_gettext("Réponse reçue pendant la grâce"),
    "exam.incident": lazy_gettext("Incident pendant l'épreuve"),
    "exam.incident_compensated": lazy_gettext("Temps perdu accordé après un incident"),
    "authoring.create": lazy_gettext("Contenu créé"),
    "authoring.publish": lazy_gettext("Contenu publié"),
    "authoring.share": lazy_gettext("Portée d'un contenu modifiée"),
    "authoring.delete": lazy_gettext("Contenu supprimé"),
}


def audit_label(action: str) -> str:
    """An audit action in the page's language; an unknown code is shown as it is."""
    label = AUDIT_LABELS.get(action)
    return str(label) if label is not None else action


def init_app(app: Flask) -> None:
    app.add_template_filter(number, "number")
    app.add_template_filter(audit_label, "audit_label")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(_scroll_tables_filter, "scroll_tables")


def _scroll_tables_filter(html: str) -> Markup:
    """``{{ sanitised_html|scroll_tables }}``: like ``|safe``, tables in their scrolling box."""
    # Safe: the content's own sanitised HTML (course.render), as ``|safe`` showed it before.
    return Markup(scroll_tables(str(html), str(lazy_gettext("Tableau"))))  # noqa: S704
