"""Certification sessions: certifier role, rules, candidates, jury appointment and composition.

Services flush, never commit; the views commit once. The time is always passed in. Every
change is recorded in the session's hash-chained log (lti_tool.certification.audit).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from lti_tool.certification import audit
from lti_tool.certification.models import (
    OPEN,
    CertCandidate,
    CertifierGrant,
    CertJuryMember,
    CertSession,
)
from lti_tool.certification.referentiel import COMPETENCIES, EPREUVE_1, EPREUVE_2
from lti_tool.extensions import db
from lti_tool.models.core import (
    ROLE_TRAINEE,
    ROLE_TRAINER,
    Context,
    Enrollment,
    LaunchSession,
    User,
)

#: The certifier's rules, set per session (CERTIFICATION.md: practice [S], so configurable).
DEFAULT_RULES: dict[str, Any] = {
    # Épreuve 1: share of the items of a competency to answer right for it to count as met.
    "thresholds": {c: 0.6 for c in EPREUVE_1},
    # Competencies each épreuve assesses (the référentiel's table).
    "epreuve_1": list(EPREUVE_1),
    "epreuve_2": list(EPREUVE_2),
    # Retakes: how many, and how long acquired competencies are kept for them.
    "retake": {"max_retakes": 1, "keep_acquired_months": 12},
    # Jury composition, checked before any deliberation.
    "jury": {"quorum": 2, "min_external_ratio": 0.5},
    # The oral of épreuve 2, in minutes (tiers temps applied on top).
    "oral": {"min_minutes": 20, "max_minutes": 30},
    # Appeals (recours): days after the PV is signed.
    "appeal_days": 30,
    # Gradebook: one certification column; one per competency only when asked.
    "gradebook_per_competency": False,
}


class CertificationError(ValueError):
    """A refused action, with a message for the person who tried it.

    The message is a lazy string (Flask-Babel's ``lazy_gettext``): it is translated into the
    person's language when the view reads ``message``, not when the service raises it.
    """

    def __init__(self, message: Any, status: int = 400) -> None:
        super().__init__(message)
        self._message = message
        self.status = status

    @property
    def message(self) -> str:
        """The message in the current request's language."""
        return str(self._message)

    def __str__(self) -> str:
        return self.message


# --- The certifier's role ---------------------------------------------------------------


def is_certifier(user_id: int) -> bool:
    """True when the person holds the certifier's role in the tool (never from an LMS role)."""
    grant = db.session.scalar(select(CertifierGrant).where(CertifierGrant.user_id == user_id))
    return grant is not None and grant.revoked_at is None


def grant_certifier(
    user: User, *, via: str, now: datetime, granted_by_id: int | None = None
) -> CertifierGrant:
    """Grant the certifier's role (idempotent; a revoked grant is renewed), logged."""
    grant: CertifierGrant | None = db.session.scalar(
        select(CertifierGrant).where(CertifierGrant.user_id == user.id)
    )
    before = None
    if grant is None:
        grant = CertifierGrant(
            user_id=user.id, via=via, granted_by_id=granted_by_id, granted_at=now
        )
        db.session.add(grant)
    elif grant.revoked_at is None:
        return grant
    else:
        before = {"revoked_at": grant.revoked_at.isoformat()}
        grant.via, grant.granted_by_id, grant.granted_at, grant.revoked_at = (
            via,
            granted_by_id,
            now,
            None,
        )
    db.session.flush()
    audit.record(
        None,
        actor_id=granted_by_id,
        action="certifier_granted",
        now=now,
        subject={"user_id": user.id, "issuer": user.issuer, "sub": user.sub},
        before=before,
        after={"via": via},
    )
    return grant


def revoke_certifier(user: User, *, now: datetime, by_id: int | None = None) -> bool:
    """Withdraw the role (logged); False when the person did not hold it."""
    grant = db.session.scalar(select(CertifierGrant).where(CertifierGrant.user_id == user.id))
    if grant is None or grant.revoked_at is not None:
        return False
    grant.revoked_at = now
    audit.record(
        None,
        actor_id=by_id,
        action="certifier_revoked",
        now=now,
        subject={"user_id": user.id, "issuer": user.issuer, "sub": user.sub},
        before={"via": grant.via},
        after={"revoked_at": now.isoformat()},
    )
    return True


# --- Sessions and rules ------------------------------------------------------------------


def parse_rules(form: dict[str, str]) -> dict[str, Any]:
    """The rules from the certifier's form, checked; French error on any impossible value."""
    rules = copy.deepcopy(DEFAULT_RULES)

    def number(name: str, low: float, high: float, *, integer: bool = False) -> float:
        raw = (form.get(name) or "").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            raise CertificationError(
                _l("Valeur manquante ou invalide : %(name)s.", name=name)
            ) from None
        if not low <= value <= high or (integer and value != int(value)):
            raise CertificationError(
                _l(
                    "Valeur hors limites pour %(name)s (%(low)s à %(high)s).",
                    name=name,
                    low=f"{low:g}",
                    high=f"{high:g}",
                )
            )
        return value

    for competency in EPREUVE_1:
        rules["thresholds"][competency] = number(f"threshold_{competency}", 0, 100) / 100
    rules["retake"]["max_retakes"] = int(number("max_retakes", 0, 5, integer=True))
    rules["retake"]["keep_acquired_months"] = int(
        number("keep_acquired_months", 0, 60, integer=True)
    )
    rules["jury"]["quorum"] = int(number("quorum", 2, 12, integer=True))
    rules["jury"]["min_external_ratio"] = number("min_external_percent", 0, 100) / 100
    low = int(number("oral_min", 20, 30, integer=True))
    high = int(number("oral_max", 20, 30, integer=True))
    if low > high:
        raise CertificationError(_l("La durée minimale de l'oral dépasse la durée maximale."))
    rules["oral"] = {"min_minutes": low, "max_minutes": high}
    rules["appeal_days"] = int(number("appeal_days", 1, 365, integer=True))
    rules["gradebook_per_competency"] = form.get("gradebook_per_competency") == "1"
    return rules


def create_session(
    *,
    context: Context,
    title: str,
    starts_at: datetime,
    place: str,
    rules: dict[str, Any],
    by: User,
    now: datetime,
) -> CertSession:
    """Open a certification session for a course (certifiers only, checked by the caller)."""
    title = title.strip()
    if not title:
        raise CertificationError(_l("Donnez un intitulé à la session."))
    session = CertSession(
        context_id=context.id,
        title=title[:255],
        starts_at=starts_at,
        place=place.strip()[:512],
        rules=rules,
        status=OPEN,
        created_by_id=by.id,
        created_at=now,
    )
    audit.add_recorded(
        session,
        session,
        actor_id=by.id,
        action="session_opened",
        now=now,
        subject={"context_id": context.id},
        after={
            "title": session.title,
            "starts_at": starts_at.isoformat(),
            "place": session.place,
            "rules": rules,
        },
    )
    return session


def sessions_of_context(context_id: int) -> list[CertSession]:
    """The sessions of a course, newest first."""
    return list(
        db.session.scalars(
            select(CertSession)
            .where(CertSession.context_id == context_id)
            .order_by(CertSession.starts_at.desc(), CertSession.id.desc())
        )
    )


def ensure_open(session: CertSession) -> None:
    """Refuse any change to a closed session (its PV is the record)."""
    if session.status != OPEN:
        raise CertificationError(
            _l("La session est close : rien ne peut plus y être modifié."), 409
        )


# --- Candidates --------------------------------------------------------------------------


def trainees_of_course(context_id: int) -> list[User]:
    """The course's trainees (who may be convened)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.context_id == context_id, Enrollment.role == ROLE_TRAINEE)
            .order_by(User.name, User.id)
        )
    )


def candidates(session_id: int) -> list[CertCandidate]:
    """The session's candidates, in order of convocation."""
    return list(
        db.session.scalars(
            select(CertCandidate)
            .where(CertCandidate.session_id == session_id)
            .order_by(CertCandidate.convened_at, CertCandidate.id)
        )
    )


def convene(
    session: CertSession,
    user: User,
    *,
    by: User,
    now: datetime,
    convened_at: datetime | None = None,
    accommodations: str = "",
) -> CertCandidate:
    """Convene a trainee of the course; the tiers temps comes from their enrolment."""
    ensure_open(session)
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.context_id == session.context_id, Enrollment.user_id == user.id
        )
    )
    if enrollment is None or enrollment.role != ROLE_TRAINEE:
        raise CertificationError(_l("Seuls les stagiaires du cours peuvent être convoqués."))
    if any(m.user_id == user.id for m in jury(session.id)):
        raise CertificationError(
            _l("Un membre du jury ne peut pas être candidat de la même session.")
        )
    existing: CertCandidate | None = db.session.scalar(
        select(CertCandidate).where(
            CertCandidate.session_id == session.id, CertCandidate.user_id == user.id
        )
    )
    if existing is not None:
        return existing
    candidate = CertCandidate(
        session_id=session.id,
        user_id=user.id,
        convened_at=convened_at or session.starts_at,
        extra_time_percent=enrollment.extra_time_percent,
        accommodations=accommodations.strip(),
    )
    audit.add_recorded(
        candidate,
        session,
        actor_id=by.id,
        action="candidate_convened",
        now=now,
        subject=lambda: {"candidate_id": candidate.id, "user_id": user.id},
        after={
            "convened_at": candidate.convened_at.isoformat(),
            "place": session.place,
            "extra_time_percent": candidate.extra_time_percent,
            "accommodations": candidate.accommodations,
        },
    )
    return candidate


def convocations_of(user_id: int) -> list[CertCandidate]:
    """A candidate's convocations, newest first."""
    return list(
        db.session.scalars(
            select(CertCandidate)
            .where(CertCandidate.user_id == user_id)
            .order_by(CertCandidate.convened_at.desc())
        )
    )


# --- Jury --------------------------------------------------------------------------------


def jury(session_id: int) -> list[CertJuryMember]:
    """The session's jury members."""
    return list(
        db.session.scalars(
            select(CertJuryMember)
            .where(CertJuryMember.session_id == session_id)
            .order_by(CertJuryMember.id)
        )
    )


def is_jury_member(session_id: int, user_id: int) -> bool:
    """True when the person sits on the session's jury."""
    return (
        db.session.scalar(
            select(CertJuryMember.id).where(
                CertJuryMember.session_id == session_id, CertJuryMember.user_id == user_id
            )
        )
        is not None
    )


def sessions_judged_by(user_id: int) -> list[CertSession]:
    """The sessions a person sits on as a jury member."""
    return list(
        db.session.scalars(
            select(CertSession)
            .join(CertJuryMember, CertJuryMember.session_id == CertSession.id)
            .where(CertJuryMember.user_id == user_id)
            .order_by(CertSession.starts_at.desc())
        )
    )


def trained_in(user_id: int, context_id: int) -> bool:
    """True when the person was Instructor (a trainer) in the training course, at any launch.

    The enrolment keeps the last launch's role; the launch sessions keep every earlier one,
    so someone who taught the course and later launched it as something else is still found.
    """
    enrollment_role = db.session.scalar(
        select(Enrollment.role).where(
            Enrollment.context_id == context_id, Enrollment.user_id == user_id
        )
    )
    if enrollment_role == ROLE_TRAINER:
        return True
    return (
        db.session.scalar(
            select(LaunchSession.id)
            .where(
                LaunchSession.context_id == context_id,
                LaunchSession.user_id == user_id,
                LaunchSession.role == ROLE_TRAINER,
            )
            .limit(1)
        )
        is not None
    )


def appointable_people(session: CertSession) -> list[User]:
    """People of the same platform who may be proposed (not candidates, not yet members)."""
    issuer = session.context.registration.issuer
    taken = {c.user_id for c in candidates(session.id)} | {m.user_id for m in jury(session.id)}
    people = db.session.scalars(select(User).where(User.issuer == issuer).order_by(User.name))
    return [p for p in people if p.id not in taken]


def appoint(
    session: CertSession, user: User, *, external: bool, by: User, now: datetime
) -> CertJuryMember:
    """Seat a jury member; a trainer of the candidates' course is refused (and the refusal logged)."""
    ensure_open(session)
    if user.issuer != session.context.registration.issuer:
        raise CertificationError(
            _l("Cette personne n'appartient pas à la plateforme de la session.")
        )
    if user.id == by.id:
        raise CertificationError(
            _l(
                "Le certificateur ne siège pas dans le jury qu'il nomme : nommez une autre personne."
            )
        )
    if any(c.user_id == user.id for c in candidates(session.id)):
        raise CertificationError(_l("Un candidat de la session ne peut pas siéger dans son jury."))
    if trained_in(user.id, session.context_id):
        audit.record(
            session,
            actor_id=by.id,
            action="jury_refused",
            now=now,
            subject={"user_id": user.id},
            after={"reason": "trainer_of_candidates", "context_id": session.context_id},
        )
        db.session.flush()
        raise CertificationError(
            _l(
                "%(name)s a été formateur dans le cours des candidats : "
                "il ne peut pas siéger dans leur jury.",
                name=user.display_name,
            ),
            409,
        )
    member: CertJuryMember | None = db.session.scalar(
        select(CertJuryMember).where(
            CertJuryMember.session_id == session.id, CertJuryMember.user_id == user.id
        )
    )
    if member is not None:
        return member
    member = CertJuryMember(
        session_id=session.id,
        user_id=user.id,
        external=external,
        appointed_by_id=by.id,
        appointed_at=now,
    )
    audit.add_recorded(
        member,
        session,
        actor_id=by.id,
        action="jury_appointed",
        now=now,
        subject={"user_id": user.id},
        after={"external": external, "name": user.display_name},
    )
    return member


def remove_member(session: CertSession, member: CertJuryMember, *, by: User, now: datetime) -> None:
    """Withdraw a member who has marked nobody yet (logged)."""
    from lti_tool.certification.models import CertMarkSheet

    ensure_open(session)
    if db.session.scalar(select(CertMarkSheet.id).where(CertMarkSheet.member_id == member.user_id)):
        raise CertificationError(_l("Ce membre a déjà noté un candidat : il reste au jury."), 409)
    audit.record(
        session,
        actor_id=by.id,
        action="jury_removed",
        now=now,
        subject={"user_id": member.user_id},
        before={"external": member.external},
    )
    db.session.delete(member)
    db.session.flush()


@dataclass(frozen=True)
class Composition:
    """The jury against the certifier's rules."""

    members: int
    external: int
    quorum: int
    min_external_ratio: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the jury may deliberate."""
        return not self.problems


def composition(session: CertSession) -> Composition:
    """Check the jury's composition rules (quorum, share of external members)."""
    members = jury(session.id)
    rules = session.rules.get("jury", DEFAULT_RULES["jury"])
    quorum = int(rules.get("quorum", 2))
    ratio = float(rules.get("min_external_ratio", 0.5))
    external = sum(1 for m in members if m.external)
    problems = []
    if len(members) < quorum:
        problems.append(
            ngettext(
                "Quorum non atteint : %(num)s membre sur %(quorum)s requis.",
                "Quorum non atteint : %(num)s membres sur %(quorum)s requis.",
                len(members),
                quorum=quorum,
            )
        )
    if members and external < ratio * len(members) - 1e-9:
        problems.append(
            _(
                "Membres extérieurs insuffisants : %(num)s sur %(members)s, au moins %(ratio)s requis.",
                num=external,
                members=len(members),
                ratio=f"{ratio:.0%}",
            )
        )
    return Composition(len(members), external, quorum, ratio, tuple(problems))


__all__ = ["COMPETENCIES", "CertificationError", "DEFAULT_RULES"]
