"""A training course with three trainees and their trainer, a certifier, two jury members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lti_tool.certification import services
from lti_tool.extensions import db
from tests.conftest import Launched
from tests.integration.conftest import dossier_guide  # noqa: F401  (re-exported fixture)

SESSION_FORM = {
    "title": "Session de décembre",
    "starts_at": "2026-12-10T09:00",
    "place": "Salle 2, Lyon",
    "threshold_C1": "60",
    "threshold_C2": "50",
    "max_retakes": "1",
    "keep_acquired_months": "12",
    "quorum": "2",
    "min_external_percent": "50",
    "oral_min": "20",
    "oral_max": "30",
    "appeal_days": "30",
}


@dataclass
class World:
    certifier: Launched
    trainer: Launched
    trainees: list[Launched]
    jury: list[Launched]
    outsider: Launched


@pytest.fixture()
def world(launch: Any, clock: Any) -> World:
    trainer = launch("trainer", sub="formateur", name="Dominique Formateur")
    trainees = [launch("trainee", sub=f"cand-{n}", name=f"Candidat {n}") for n in ("A", "B", "C")]
    certifier = launch("admin", sub="certif", name="Claude Certificateur")
    services.grant_certifier(certifier.user, via="cli", now=clock())
    jury = [
        launch("trainer", sub=f"jury-{n}", name=f"Juré {n}", context="jury-course") for n in (1, 2)
    ]
    outsider = launch("trainer", sub="jury-3", name="Juré 3", context="jury-course")
    db.session.commit()
    return World(certifier, trainer, trainees, jury, outsider)


def open_session(client: Any, world: World, **overrides: str) -> int:
    """Open a session through the certifier's form; return its id."""
    response = client.post(
        world.certifier.url("/certification/sessions"), data={**SESSION_FORM, **overrides}
    )
    assert response.status_code == 302, response.data
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def staff_session(client: Any, world: World) -> int:
    """A session with the three trainees convened and two jury members (one external each)."""
    session_id = open_session(client, world)
    url = world.certifier.url(f"/certification/sessions/{session_id}")
    client.post(url + "/candidates", data={"user_id": [str(t.user.id) for t in world.trainees]})
    for member in world.jury:
        client.post(url + "/jury", data={"user_id": str(member.user.id), "external": "1"})
    return session_id


def grid_form(session_id: int, default: str = "acquis", **overrides: str) -> dict[str, str]:
    """A complete grid: every line at ``default``, some lines overridden (``C3_2='non_acquis'``),
    with a comment on every line not acquired."""
    from lti_tool.certification.models import CertSession
    from lti_tool.certification.oral import grid

    form: dict[str, str] = {}
    for line in grid(db.session.get(CertSession, session_id)):
        level = overrides.get(line.id.replace(".", "_"), default)
        form[f"level_{line.id}"] = level
        if level != "acquis":
            form[f"comment_{line.id}"] = f"Observation sur {line.id}."
    return form


def sat_exam(launch: Any, clock: Any, sub: str, per_competency: dict[str, list[float]]) -> Any:
    """A submitted épreuve 1 attempt with this per-competency result ([points, items])."""
    from lti_tool.models.exam import ExamAttempt

    who = launch("trainee", sub=sub, target="exam:certification")
    points = sum(p for p, _ in per_competency.values())
    items = sum(int(m) for _, m in per_competency.values())
    attempt = ExamAttempt(
        context_id=who.context.id,
        resource_link_id=who.resource_link.id,
        user_id=who.user.id,
        attempt_no=1,
        status="submitted",
        seed="s",
        content_version="v",
        paper=[],
        duration_minutes=60,
        started_at=clock(),
        deadline_at=clock(),
        finished_at=clock(),
        score_points=points,
        score_maximum=items,
        per_competency=per_competency,
        passed=True,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


ALL_ACQUIRED = {f"decision_C{n}": "acquise" for n in range(1, 8)}


def candidate_of(session_id: int, who: Launched) -> Any:
    from sqlalchemy import select

    from lti_tool.certification.models import CertCandidate

    return db.session.scalar(
        select(CertCandidate).where(
            CertCandidate.session_id == session_id, CertCandidate.user_id == who.user.id
        )
    )


def deliberated_session(client: Any, world: World, launch: Any, clock: Any) -> int:
    """A session deliberated: A certified, B partial (C6 missing), C not certified."""
    sat_exam(launch, clock, "cand-A", {"C1": [9, 10], "C2": [8, 10]})
    sat_exam(launch, clock, "cand-B", {"C1": [7, 10], "C2": [7, 10]})
    sat_exam(launch, clock, "cand-C", {"C1": [2, 10], "C2": [1, 10]})
    session_id = staff_session(client, world)
    nothing = {f"C{c}_{n}": "non_acquis" for c in range(2, 8) for n in range(1, 7)}
    plans = {
        "cand-A": ({}, ALL_ACQUIRED),
        "cand-B": ({"C6_1": "non_acquis"}, {**ALL_ACQUIRED, "decision_C6": "non_acquise"}),
        "cand-C": (nothing, {k: "non_acquise" for k in ALL_ACQUIRED}),
    }
    for trainee in world.trainees:
        cand = candidate_of(session_id, trainee)
        overrides, decision = plans[trainee.user.sub]
        for member in world.jury:
            response = client.post(
                member.url(f"/certification/jury/candidat/{cand.id}/grille"),
                data=grid_form(session_id, **overrides),
            )
            assert response.status_code == 302
        response = client.post(
            world.jury[0].url(f"/certification/jury/candidat/{cand.id}/deliberation"),
            data=decision,
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return session_id
