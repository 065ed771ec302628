"""Error pages in French (or English), with the right status, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

log = logging.getLogger("bilan.errors")


class UserFacingError(Exception):
    """A domain error shown to the user: a title, an explanation and what to do."""

    status = 400

    def __init__(self, message: str, *, hint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if status is not None:
            self.status = status


def _messages(code: int) -> tuple[str, str]:
    table = {
        400: (_("Requête invalide"), _("La demande reçue est incomplète ou mal formée.")),
        401: (
            _("Session expirée ou absente"),
            _("Votre session a expiré. Relancez l'activité depuis votre plateforme de formation."),
        ),
        403: (_("Accès refusé"), _("Cette page est réservée à un autre rôle ou à un autre cours.")),
        404: (_("Page introuvable"), _("La page demandée n'existe pas ou n'existe plus.")),
        405: (_("Méthode non autorisée"), _("Cette action n'est pas possible ainsi.")),
        409: (_("Conflit"), _("Cette page n'est plus à jour : rechargez-la.")),
        413: (_("Fichier trop volumineux"), _("Le fichier envoyé dépasse la taille autorisée.")),
    }
    return table.get(
        code,
        (
            _("Erreur"),
            _("Une erreur est survenue. Réessayez ; si elle persiste, prévenez votre formateur."),
        ),
    )


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(UserFacingError)
    def user_error(error: UserFacingError) -> tuple[str, int]:
        log.info("user_error status=%s message=%s", error.status, error.message)
        return (
            render_template(
                "errors/error.html", title=error.message, message=error.message, hint=error.hint
            ),
            error.status,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title, message = _messages(code)
        if code == 413 and request.mimetype != "multipart/form-data":
            # No file was sent (an LTI login or launch, a form): speak of the request.
            title = _("Requête trop volumineuse")
            message = _("La demande reçue dépasse la taille autorisée.")
        hint, home_url = "", None
        if code == 404 and g.get("launch") is not None:
            # After a launch: say where every page of the course starts from.
            home_url = url_for("home.index", lt=g.lt) if g.get("lt") else None
            hint = _(
                "Cette page dépend de l'activité ouverte dans votre plateforme. Toutes les pages "
                "du cours partent de l'accueil du cours ; pour une page d'activité (l'épreuve, une "
                "étude de cas…), ouvrez cette activité dans votre cours."
            )
        return (
            render_template(
                "errors/error.html", title=title, message=message, hint=hint, home_url=home_url
            ),
            code,
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected_error type=%s", type(error).__name__)
        from lti_tool.extensions import db

        db.session.rollback()
        title, message = _messages(500)
        return render_template("errors/error.html", title=title, message=message, hint=""), 500
