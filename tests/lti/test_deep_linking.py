"""Deep linking: a graded item creates its gradebook column; a trainee never sees the picker."""

from __future__ import annotations

import re

import jwt
import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.registry import DEEP_LINK_PROVIDERS, DeepLinkItem
from lti_tool.models import Deployment, Registration
from tests.lti.test_demo_and_registration import demo_jwks, demo_links, follow_demo  # noqa: F401

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture()
def graded_provider():
    def provider():
        return [DeepLinkItem("quiz", "q-1", "Quiz noté", "Un quiz", 20.0, "Tests")]

    DEEP_LINK_PROVIDERS.append(provider)
    yield
    DEEP_LINK_PROVIDERS.remove(provider)


def test_graded_item_creates_a_line_item(client, demo_jwks, graded_provider):  # noqa: F811
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    picker_url = follow_demo(client, dl).headers["Location"]
    page = client.get(picker_url).get_data(as_text=True)
    assert "Quiz noté" in page and 'type="checkbox"' in page
    returned = client.post(picker_url, data={"item": ["quiz:q-1", "competency:C2"]})
    html = returned.get_data(as_text=True)
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    header = jwt.get_unverified_header(token)
    keys = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
    registration = db.session.scalar(select(Registration))
    claims = jwt.decode(
        token,
        jwt.algorithms.RSAAlgorithm.from_jwk(keys[header["kid"]]),
        algorithms=["RS256"],
        audience=registration.issuer,
        issuer=registration.client_id,
        options={"verify_exp": False, "verify_iat": False},  # the app runs on a fake clock
    )
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == db.session.scalar(select(Deployment.deployment_id))
    items = {i["custom"]["target"]: i for i in claims[DL + "content_items"]}
    assert items["quiz:q-1"]["type"] == "ltiResourceLink"
    assert items["quiz:q-1"]["lineItem"] == {
        "scoreMaximum": 20.0,
        "label": "Quiz noté",
        "resourceId": "quiz:q-1",
        "tag": "quiz",
        # LTI Submission Review (issue 15, point 6): a grade opens the learner's work.
        "submissionReview": {
            "reviewableStatus": ["Submitted", "Completed"],
            "label": "Voir le travail dans l'outil",
        },
    }
    assert "lineItem" not in items["competency:C2"]


def test_trainee_cannot_open_the_picker(client, demo_jwks):  # noqa: F811
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    picker_url = follow_demo(client, dl).headers["Location"]
    trainee = next(h for h in demo_links(client) if "trainee" in h)
    trainee_home = follow_demo(client, trainee).headers["Location"]
    trainee_token = trainee_home.split("/")[2]
    foreign = re.sub(r"/s/[^/]+/", f"/s/{trainee_token}/", picker_url)
    assert client.get(foreign).status_code in (400, 403)


def _response_items(client, picker_url, data):
    html = client.post(picker_url, data=data).get_data(as_text=True)
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    claims = jwt.decode(token, options={"verify_signature": False})
    return {i["custom"]["target"]: i for i in claims[DL + "content_items"]}


def test_exam_competency_columns_are_chosen_at_selection_default_off(client, demo_jwks):  # noqa: F811
    """Issue 15, point 3: épreuve 1 publishes C1..C7 only when the trainer ticks it; its own
    line item always travels in the response (the column exists before the first grade)."""
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    picker_url = follow_demo(client, dl).headers["Location"]
    page = client.get(picker_url).get_data(as_text=True)
    assert 'name="competency_columns" value="exam:certification"' in page
    assert "pondération à 0" in page
    default = _response_items(client, picker_url, {"item": ["exam:certification"]})
    exam = default["exam:certification"]
    assert exam["custom"] == {"target": "exam:certification"}
    assert exam["lineItem"]["scoreMaximum"] == 100.0
    assert exam["lineItem"]["resourceId"] == "exam:certification"
    picker_url = follow_demo(client, dl).headers["Location"]
    chosen = _response_items(
        client,
        picker_url,
        {"item": ["exam:certification"], "competency_columns": ["exam:certification"]},
    )
    assert chosen["exam:certification"]["custom"]["competency_columns"] == "1"


def test_return_page_says_what_is_being_created_and_not_to_leave(client, demo_jwks):  # noqa: F811
    """Issue 15, point 2: Moodle creates several selected activities one by one afterwards."""
    dl = next(h for h in demo_links(client) if "deeplink" in h)
    picker_url = follow_demo(client, dl).headers["Location"]
    html = client.post(
        picker_url, data={"item": ["exam:certification", "competency:C2", "competency:C3"]}
    ).get_data(as_text=True)
    status = html[html.index('id="dl-creating"') :].split("</div>")[0]
    assert "crée maintenant 3 activités, une par une" in status
    assert "Épreuve 1 : questionnaire de certification" in status
    assert "Ne quittez pas la page" in status
    picker_url = follow_demo(client, dl).headers["Location"]
    single = client.post(picker_url, data={"item": ["competency:C2"]}).get_data(as_text=True)
    assert "crée maintenant 1 activité :" in single and "Ne quittez pas" not in single
