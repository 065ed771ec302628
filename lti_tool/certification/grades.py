"""The certification's results to the course's LMS gradebook, through the score outbox.

One column for the certification (acquired competencies out of seven, the result in the
comment); one column per competency only when the certifier's rules ask for it. Queued when
a PV is signed (a corrective PV queues the corrected results; identical scores are not sent
twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lti_tool.certification import deliberation, services
from lti_tool.certification.models import CERTIFIED, PARTIAL, CertSession
from lti_tool.certification.referentiel import COMPETENCIES
from lti_tool.grades.service import COMPLETED, publish_scores

RESULT_COMMENTS = {
    CERTIFIED: "Certifié : toutes les compétences sont acquises.",
    PARTIAL: "Certification partielle : compétences acquises {acquired} ; à repasser {missing}.",
    "not_certified": "Non certifié : aucune compétence acquise.",
}


def queue_grades(session: CertSession, *, now: datetime) -> int:
    """Queue every candidate's scores; return how many were queued or already there."""
    resource_id = f"certification-session-{session.id}"
    scores: list[dict[str, Any]] = []
    for candidate in services.candidates(session.id):
        if candidate.result is None:
            continue
        decisions = deliberation.decisions_of(candidate.id)
        acquired = [c for c in COMPETENCIES if decisions.get(c) and decisions[c].acquired]
        missing = [c for c in COMPETENCIES if c not in acquired]
        common = dict(
            user_id=candidate.user_id,
            context_id=session.context_id,
            resource_id=resource_id,
            activity_progress=COMPLETED,
            submitted_at=candidate.decided_at,
        )
        scores.append(
            dict(
                common,
                score_given=len(acquired),
                score_maximum=len(COMPETENCIES),
                comment=RESULT_COMMENTS[candidate.result].format(
                    acquired=", ".join(acquired) or "aucune", missing=", ".join(missing)
                ),
                label=f"Certification — {session.title}",
            )
        )
        if session.rules.get("gradebook_per_competency"):
            for competency in COMPETENCIES:
                scores.append(
                    dict(
                        common,
                        score_given=1 if competency in acquired else 0,
                        score_maximum=1,
                        comment=f"{competency} : {'acquise' if competency in acquired else 'non acquise'}",
                        tag=competency,
                        label=f"Certification — {competency}",
                    )
                )
    if scores:
        publish_scores(scores, now=now)
    return len(scores)
