"""Dynamic registration fetches the platform's documents with no transaction open (issue 13,
point 13): the invite is not locked during the calls, and is checked again afterwards."""

from __future__ import annotations

from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.lti import registration as registration_module
from lti_tool.models import Registration
from lti_tool.models.lti import RegistrationInvite
from tests.lti.test_demo_and_registration import FakePlatform, invite_token


class WatchedPlatform(FakePlatform):
    def __init__(self, during_post=None):
        super().__init__()
        self.in_transaction: list[bool] = []
        self.during_post = during_post

    def get(self, url, headers=None, timeout=None):
        self.in_transaction.append(db.session().in_transaction())
        return super().get(url, headers=headers, timeout=timeout)

    def post(self, url, json=None, headers=None, timeout=None):
        self.in_transaction.append(db.session().in_transaction())
        if self.during_post:
            self.during_post()
        return super().post(url, json=json, headers=headers, timeout=timeout)


def _register(client, token):
    return client.get(
        "/lti/register",
        query_string={
            "invite": token,
            "openid_configuration": "https://moodle.example.org/mod/lti/openid-configuration.php",
        },
    )


def test_registration_documents_are_fetched_outside_a_transaction(client, runner, monkeypatch):
    fake = WatchedPlatform()
    monkeypatch.setattr(registration_module, "HTTP", [fake])
    response = _register(client, invite_token(runner))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert fake.in_transaction == [False, False]
    assert db.session.scalar(select(Registration.client_id)) == "moodle-client-7"


def test_an_invite_used_meanwhile_is_not_used_twice(client, runner, monkeypatch):
    def another_attempt_finishes():
        with db.engine.begin() as other:
            other.execute(update(RegistrationInvite).values(used_at=db.func.current_timestamp()))

    monkeypatch.setattr(
        registration_module, "HTTP", [WatchedPlatform(during_post=another_attempt_finishes)]
    )
    response = _register(client, invite_token(runner))
    assert response.status_code == 410
    assert "déjà servi" in response.get_data(as_text=True)
    assert db.session.scalar(select(Registration)) is None
