"""The demo platform's real OIDC flow, deep linking, and dynamic registration."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti import outbound, validation
from lti_tool.models import Deployment, Registration
from tests.lti.fake_registration import CONFIG_URL, FakePlatform, resolve


@pytest.fixture()
def demo_jwks(client, monkeypatch):
    def fetch(url):
        path = urlsplit(url).path
        return client.get(path).get_json()

    monkeypatch.setattr(validation, "FETCH_JWKS", [fetch])


def follow_demo(client, href):
    login = client.get(href.replace("http://localhost", ""))
    assert login.status_code == 302, login.get_data(as_text=True)
    auth = client.get(login.headers["Location"].replace("http://localhost", ""))
    html = auth.get_data(as_text=True)
    token = re.search(r'name="id_token" value="([^"]+)"', html).group(1)
    state = re.search(r'name="state" value="([^"]+)"', html).group(1)
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def demo_links(client):
    page = client.get("/demo/").get_data(as_text=True)
    return re.findall(r'href="(http://localhost/lti/login\?[^"]+)"', page.replace("&amp;", "&"))


def test_demo_launch_as_trainee_and_trainer(client, demo_jwks):
    links = demo_links(client)
    trainee_hub = next(h for h in links if "trainee%7Chub" in h)
    response = follow_demo(client, trainee_hub)
    assert response.status_code == 303
    assert "Camille Stagiaire" in client.get(response.headers["Location"]).get_data(as_text=True)
    trainer_exam = next(h for h in links if "trainer%7Cexam" in h)
    response = follow_demo(client, trainer_exam)
    assert response.headers["Location"].endswith("/examen/")


def test_demo_deep_linking_returns_a_signed_response(client, demo_jwks):
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    response = follow_demo(client, dl)
    assert response.headers["Location"].endswith("/selection")
    picker = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Compétence C1" in picker
    returned = client.post(response.headers["Location"], data={"item": ["competency:C3"]})
    token = re.search(r'name="JWT" value="([^"]+)"', returned.get_data(as_text=True)).group(1)
    public = client.get("/lti/jwks").get_json()["keys"][0]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(public)
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False},
        audience=[r.issuer for r in db.session.scalars(select(Registration))][0],
    )
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["custom"] == {"target": "competency:C3"}
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "demo"


def test_demo_disabled_by_configuration(client, app):
    app.config["DEMO_PLATFORM"] = False
    assert client.get("/demo/").status_code == 404


@pytest.fixture()
def platform_http(monkeypatch):
    """Install a fake platform at the transport level, with public addresses for its hosts."""

    def install(fake):
        monkeypatch.setattr(outbound, "TRANSPORT", [fake])
        monkeypatch.setattr(outbound, "RESOLVE", [resolve])
        return fake

    return install


def invite_token(runner):
    url = runner.invoke(args=["lti", "registration-url"]).output.strip()
    return parse_qs(urlsplit(url).query)["invite"][0]


def test_dynamic_registration_stores_client_and_deployment(client, runner, platform_http):
    fake = platform_http(FakePlatform())
    token = invite_token(runner)
    page = client.get(
        "/lti/register",
        query_string={
            "invite": token,
            "openid_configuration": CONFIG_URL,
            "registration_token": "reg-tok",
        },
    )
    assert page.status_code == 200 and "org.imsglobal.lti.close" in client.get(
        "/static/register_close.js"
    ).get_data(as_text=True)
    assert "En attente" in page.get_data(as_text=True)
    reg = db.session.scalar(select(Registration).where(Registration.client_id == "moodle-client-7"))
    assert reg.platform_profile == "moodle" and reg.key_set_url.endswith("certs.php")
    assert (
        db.session.scalar(
            select(Deployment.deployment_id).where(Deployment.registration_id == reg.id)
        )
        == "3"
    )
    assert fake.headers == {"Authorization": "Bearer reg-tok"}
    config = fake.posted
    assert (
        config["response_types"] == ["id_token"]
        and config["token_endpoint_auth_method"] == "private_key_jwt"
    )
    tool = config["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert (
        tool["domain"] == "localhost" and tool["target_link_uri"] == "http://localhost/lti/launch"
    )
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scope"]
    assert {m["type"] for m in tool["messages"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
        "LtiSubmissionReviewRequest",
    }
    # The same URL cannot be used twice.
    again = client.get(
        "/lti/register",
        query_string={"invite": token, "openid_configuration": "https://moodle.example.org/x"},
    )
    assert again.status_code == 410 and "déjà servi" in again.get_data(as_text=True)


def test_dynamic_registration_refuses_issuer_mismatch_and_expired_url(
    client, runner, platform_http, clock, caplog
):
    platform_http(FakePlatform(issuer="https://evil.example.org"))
    token = invite_token(runner)
    page = client.get(
        "/lti/register",
        query_string={"invite": token, "openid_configuration": CONFIG_URL},
    )
    assert page.status_code == 502 and "pas abouti" in page.get_data(as_text=True)
    assert "evil.example.org" not in page.get_data(as_text=True)
    assert "émetteur annoncé 'https://evil.example.org'" in caplog.text  # the detail: log only
    assert db.session.scalar(select(Registration)) is None
    token = invite_token(runner)  # the first invite reached the platform: it is spent
    clock.advance(hours=25)
    expired = client.get(
        "/lti/register",
        query_string={"invite": token, "openid_configuration": "https://moodle.example.org/conf"},
    )
    assert expired.status_code == 410 and "expiré" in expired.get_data(as_text=True)


def test_cli_add_list_deactivate(runner, client):
    out = runner.invoke(
        args=[
            "lti",
            "add-platform",
            "--issuer",
            "https://canvas.example",
            "--client-id",
            "c1",
            "--auth-login-url",
            "https://canvas.example/a",
            "--auth-token-url",
            "https://canvas.example/t",
            "--key-set-url",
            "https://canvas.example/k",
            "--deployment-id",
            "d1",
            "--deployment-id",
            "d2",
            "--profile",
            "canvas",
        ]
    ).output
    assert "Plateforme enregistrée" in out
    listing = runner.invoke(args=["lti", "list"]).output
    assert "d1, d2" in listing and "canvas" in listing
    reg_id = db.session.scalar(
        select(Registration.id).where(Registration.issuer == "https://canvas.example")
    )
    assert "désactivée" in runner.invoke(args=["lti", "deactivate", str(reg_id)]).output
    assert db.session.get(Registration, reg_id).active is False


def test_cli_deactivate_by_issuer_and_client_id_refuses_launches(runner, lms):
    from tests.lti.platform import CLIENT_ID, ISSUER

    out = runner.invoke(
        args=["lti", "deactivate", "--issuer", ISSUER, "--client-id", CLIENT_ID]
    ).output
    assert "désactivée" in out
    response = lms.client.get(
        "/lti/login", query_string={"iss": ISSUER, "login_hint": "u", "client_id": CLIENT_ID}
    )
    assert response.status_code == 403 and "Plateforme inconnue" in response.get_data(as_text=True)
    assert runner.invoke(args=["lti", "deactivate"]).exit_code != 0
