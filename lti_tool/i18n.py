"""French first, English available; the launch's ``launch_presentation.locale`` decides."""

from __future__ import annotations

from flask import Flask, g, request

from lti_tool.extensions import babel

SUPPORTED = ("fr", "en")


def normalise_locale(value: str | None) -> str:
    """Map a platform locale such as ``en-US`` or ``fr_CA`` to a supported language."""
    if not value:
        return "fr"
    language = value.replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED else "fr"


def select_locale() -> str:
    """Locale of the current launch, else ``?lang=``, else French."""
    launch = g.get("launch")
    if launch is not None:
        return normalise_locale(launch.locale)
    forced = g.get("forced_locale")
    if forced:
        return str(forced)
    if request and request.args.get("lang") in SUPPORTED:
        return str(request.args["lang"])
    return "fr"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our selector."""
    from lti_tool import formatting

    babel.init_app(app, locale_selector=select_locale)
    formatting.init_app(app)

    @app.context_processor
    def inject_lang() -> dict[str, str]:
        return {"page_lang": select_locale()}
