"""The id_token is parsed once (issue 16, point 1), as strictly as PyJWT parses it.

The launch used to parse it twice with PyJWT (unverified, then verified), whose base64url check
runs character by character in Python; validation.py now parses it once and verifies the RS256
signature with PyJWT's algorithm. These tests hold the two parsers to the same verdicts, and the
launch to the same refusals.
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from lti_tool.lti.validation import LaunchRefused, _unverified
from tests.lti.platform import _PEM
from tests.lti.test_launch import refused


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: object, claims: object, signature: bytes = b"sig") -> str:
    return ".".join(
        (_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature))
    )


GOOD = jwt.encode({"iss": "x", "sub": "y"}, _PEM, algorithm="RS256", headers={"kid": "k"})
HEAD, BODY, SIG = GOOD.split(".")

CASES = [
    GOOD,
    f"{HEAD}.{BODY}.{SIG}",
    f"{HEAD}.{BODY}",  # two segments
    f"{HEAD}",
    "",
    f"{HEAD}!.{BODY}.{SIG}",  # junk in a segment (GHSA-hxm8-2xgr-2p9m)
    f"{HEAD}.{BODY[:-1]}*.{SIG}",
    f"{HEAD}.{BODY}.{SIG}===",  # too much padding
    f"{HEAD}.{BODY}x.{SIG}",  # length 4n+1
    f"{HEAD}.{BODY}.{SIG[:-1]}{'B' if SIG[-1] == 'A' else 'A'}",  # non-canonical last char?
    _token({"alg": "RS256", "kid": 12}, {"iss": "x"}),  # kid not a string
    _token({"alg": "RS256", "crit": ["exp"], "exp": 1}, {"iss": "x"}),  # unknown crit
    _token({"alg": "RS256", "b64": False, "crit": ["b64"]}, {"iss": "x"}),
    _token(["not", "an", "object"], {"iss": "x"}),
    _token({"alg": "RS256"}, ["not", "an", "object"]),
    _token({"alg": "RS256"}, "text"),
    f"{_b64(b'{not json')}.{BODY}.{SIG}",
    f"{HEAD}.{_b64(bytes([0xFF, 0xFE]))}.{SIG}",  # not UTF-8
]


def _pyjwt_accepts(token: str) -> bool:
    try:
        complete = jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return isinstance(complete["payload"], dict)


@pytest.mark.parametrize("token", CASES)
def test_the_single_parse_refuses_what_pyjwt_refuses(token):
    try:
        parsed = _unverified(token)
    except LaunchRefused as error:
        assert error.reason == "malformed"
        assert not _pyjwt_accepts(token), token
    else:
        assert _pyjwt_accepts(token), token
        complete = jwt.decode_complete(token, options={"verify_signature": False})
        assert parsed.header == complete["header"]
        assert parsed.claims == complete["payload"]
        assert parsed.signature == complete["signature"]


def test_padding_accepted_as_pyjwt_accepts_it():
    padded = f"{HEAD}.{BODY}.{SIG}" + "=" * (-len(SIG) % 4)
    assert _pyjwt_accepts(padded) == (len(SIG) % 4 != 1)
    if _pyjwt_accepts(padded):
        assert _unverified(padded).claims == {"iss": "x", "sub": "y"}


def test_a_signed_token_with_a_non_string_subject_or_jti_is_refused(lms):
    state, nonce = lms.login()
    refused(lms.launch(lms.sign(lms.claims(nonce, sub=12345)), state), 401, "Signature")
    state, nonce = lms.login()
    claims = lms.claims(nonce)
    claims["jti"] = 7
    refused(lms.launch(lms.sign(claims), state), 401, "Signature")


def test_a_token_whose_signature_was_cut_is_refused(lms):
    state, nonce = lms.login()
    token = lms.sign(lms.claims(nonce))
    refused(lms.launch(token.rsplit(".", 1)[0] + ".", state), 401, "Signature")


@pytest.mark.parametrize("audience", [["other", 3], {"client-1": True}, 7])
def test_an_audience_of_the_wrong_shape_is_refused(lms, audience):
    state, nonce = lms.login()
    claims = lms.claims(nonce)
    claims["aud"] = audience
    response = lms.launch(lms.sign(claims), state)
    assert response.status_code in (400, 401, 403)
    assert "Location" not in response.headers
