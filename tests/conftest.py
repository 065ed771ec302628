"""Shared fixtures: ``app``, ``client``, ``runner``, a fake clock and launched users.

Set ``BILAN_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://localhost/test``) to run the
suite against PostgreSQL; SQLite in a temporary folder otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.clock import FakeClock
from lti_tool.extensions import db
from lti_tool.launch_session import create_launch_session
from lti_tool.models import Context, Deployment, Enrollment, Registration, ResourceLink, User

TEST_DATABASE_URL = os.environ.get("BILAN_TEST_DATABASE_URL")


def _reset_database() -> None:
    db.drop_all()
    db.create_all()


@pytest.fixture()
def clock() -> FakeClock:
    """A clock that only moves when the test says so."""
    return FakeClock()


@pytest.fixture()
def app(tmp_path: Path, clock: FakeClock) -> Iterator[Flask]:
    """A fresh application with an empty database."""
    uri = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": uri,
            "CLOCK": clock,
            "WTF_CSRF_ENABLED": False,
            "DEMO_PLATFORM": True,
            "UPLOAD_ROOT": str(tmp_path / "uploads"),
            "TOOL_BASE_URL": "http://localhost",
            "GRADES_SEND_AFTER_COMMIT": False,
            # Not the checkout's instance/listening.json, which a running `make run` writes.
            "LISTENING_RECORD_DIR": str(tmp_path / "instance"),
        }
    )
    with application.app_context():
        _reset_database()
        yield application
        db.session.remove()
        if TEST_DATABASE_URL:
            db.drop_all()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner."""
    return app.test_cli_runner()


@dataclass
class Launched:
    """A user launched into a course: ``url('/path')`` gives ``/s/<token>/path``."""

    token: str
    user: User
    context: Context
    resource_link: ResourceLink | None
    role: str

    def url(self, path: str = "/") -> str:
        """The path under this launch's token."""
        return f"/s/{self.token}/{path.lstrip('/')}"


@pytest.fixture()
def platform(app: Flask, clock: FakeClock) -> Deployment:
    """A registered platform with one deployment."""
    registration = Registration(
        issuer="https://lms.example.org",
        client_id="client-1",
        name="LMS de test",
        auth_login_url="https://lms.example.org/auth",
        auth_token_url="https://lms.example.org/token",
        key_set_url="https://lms.example.org/jwks",
        platform_profile="moodle",
        active=True,
        created_at=clock(),
    )
    deployment = Deployment(
        registration=registration, deployment_id="1", active=True, created_at=clock()
    )
    db.session.add_all([registration, deployment])
    db.session.commit()
    return deployment


@pytest.fixture()
def launch(app: Flask, platform: Deployment, clock: FakeClock) -> Any:
    """Factory: ``launch(role='trainee', sub='u1', context='course-1', target=None)``."""

    def make(
        role: str = "trainee",
        *,
        sub: str | None = None,
        context: str = "course-1",
        target: str | None = None,
        name: str | None = None,
        resource_link: str | None = None,
        lineitem_url: str | None = None,
    ) -> Launched:
        sub = sub or f"{role}-user"
        user = db.session.scalar(select(User).where(User.sub == sub))
        if user is None:
            user = User(
                issuer=platform.registration.issuer,
                sub=sub,
                name=name or f"{role.title()} {sub}",
                created_at=clock(),
            )
            db.session.add(user)
        ctx = db.session.scalar(select(Context).where(Context.lti_context_id == context))
        if ctx is None:
            ctx = Context(
                registration_id=platform.registration_id,
                deployment_id=platform.id,
                lti_context_id=context,
                title=f"Cours {context}",
                created_at=clock(),
            )
            db.session.add(ctx)
        db.session.flush()
        link = None
        if target or resource_link:
            rl_id = resource_link or f"rl-{target}"
            link = db.session.scalar(
                select(ResourceLink).where(
                    ResourceLink.context_id == ctx.id, ResourceLink.lti_resource_link_id == rl_id
                )
            )
            if link is None:
                link = ResourceLink(
                    context_id=ctx.id,
                    lti_resource_link_id=rl_id,
                    title=target or rl_id,
                    target=target,
                    lineitem_url=lineitem_url,
                    created_at=clock(),
                )
                db.session.add(link)
                db.session.flush()
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.context_id == ctx.id)
        )
        if enrollment is None:
            db.session.add(
                Enrollment(user_id=user.id, context_id=ctx.id, role=role, last_launch_at=clock())
            )
        token = create_launch_session(
            user_id=user.id,
            context_id=ctx.id,
            role=role,
            resource_link_id=link.id if link else None,
        )
        db.session.commit()
        return Launched(token=token, user=user, context=ctx, resource_link=link, role=role)

    return make


@pytest.fixture()
def later(clock: FakeClock) -> Any:
    """Advance the fake clock: ``later(minutes=5)``."""

    def advance(**kwargs: float) -> None:
        clock.advance(**kwargs)

    return advance


__all__ = ["Launched", "timedelta"]
