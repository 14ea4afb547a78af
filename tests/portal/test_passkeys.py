"""Passkeys, through the real verification of the `webauthn` library: a software authenticator here (an EC P-256
key, "none" attestation) builds clientDataJSON, authenticatorData and the signature as a browser's would.
The browser's own ceremony is tests/browser/test_passkeys.py (Chromium's virtual authenticator)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from webauthn.helpers import encode_cbor

from portal import passkeys
from portal.models import AuditEvent, Passkey, Role
from tests.conftest import TEST_PASSWORD, csrf_token, post_form, sign_in

ORIGIN = "http://localhost"  # the test client's host; config_for_tests' PORTAL_URL is http://localhost
RP_ID = "localhost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftwareAuthenticator:
    """One passkey on a pretend device: it answers create() and get() exactly as the WebAuthn spec says."""

    def __init__(self, counting: bool = True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        # Random, as a real authenticator's: id(self) was reused by the next pretend device once the first one was
        # freed, and the portal rightly refused the second as already registered (a flaky test).
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0
        self.counting = counting

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str = ORIGIN, rp_id: str = RP_ID) -> dict:
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([0x45]) + struct.pack(">I", 0) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["internal", "not-a-transport"]}}

    def get(self, options: dict, origin: str = ORIGIN, rp_id: str = RP_ID, sign_count: int | None = None) -> dict:
        if sign_count is None:
            self.sign_count += 1 if self.counting else 0
            sign_count = self.sign_count
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([0x05]) + struct.pack(">I", sign_count)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": None}}


def post_json(client, url: str, body=None, *, raw: bytes | None = None):
    token = csrf_token(client)
    data = raw if raw is not None else json.dumps(body or {})
    return client.post(url, data=data, content_type="application/json", headers={"X-CSRFToken": token})


def add_passkey(client, authenticator: SoftwareAuthenticator, name: str = "Work laptop", **create):
    options = post_json(client, "/account/passkeys/options").get_json()
    return post_json(client, "/account/passkeys", {"name": name, "credential": authenticator.create(options, **create)})


def password_step(client, user):
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/login/code")


def sign_out(client):
    post_form(client, "/logout")


def actions(db, user) -> list[tuple[str, dict]]:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "User",
                                                       AuditEvent.target_id == user.id).order_by(AuditEvent.id))
    return [(row.action, row.details) for row in rows]


@pytest.fixture
def staff(login):
    return login(Role.HOMEFINDER)


def test_relying_party_from_portal_url(app):
    with app.test_request_context("/", base_url="http://localhost:5000"):
        app.config.update(PORTAL_URL="http://127.0.0.1:5000")
        try:
            assert passkeys.rp_id() == "localhost"  # WebAuthn refuses IP addresses
            assert passkeys.expected_origins() == ["http://127.0.0.1:5000", "http://localhost:5000"]
            app.config.update(PORTAL_URL="https://portal.agency.org", ENV_NAME="production")
            assert passkeys.rp_id() == "portal.agency.org"
            app.config["TESTING"] = False
            assert passkeys.expected_origins() == ["https://portal.agency.org"]  # no localhost in production
            app.config["WEBAUTHN_RP_ID"] = "agency.org"
            assert passkeys.rp_id() == "agency.org"
        finally:
            app.config.update(PORTAL_URL="http://localhost", ENV_NAME="development", TESTING=True, WEBAUTHN_RP_ID="")


def test_register_then_sign_in_with_the_passkey_instead_of_the_code(client, db, staff):
    authenticator = SoftwareAuthenticator()
    options = post_json(client, "/account/passkeys/options").get_json()
    assert options["rp"] == {"id": RP_ID, "name": "Foster Care Agency"}
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    response = post_json(client, "/account/passkeys",
                         {"name": "  Work   laptop ", "credential": authenticator.create(options)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/account/two-step"}
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == staff.id))
    assert (passkey.name, passkey.credential_id, passkey.sign_count, passkey.transports) == (
        "Work laptop", authenticator.credential_id, 0, ["internal"])
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Work laptop" in page and "Not used yet" in page and 'data-passkey-register' in page

    # The same authenticator is excluded from a second registration.
    again = post_json(client, "/account/passkeys/options").get_json()
    assert again["excludeCredentials"][0]["id"] == b64url(authenticator.credential_id)

    sign_out(client)
    password_step(client, staff)
    assert "Use a passkey" in client.get("/login/code").get_data(as_text=True)
    options = post_json(client, "/login/passkey/options").get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]
    response = post_json(client, "/login/passkey", {"credential": authenticator.get(options)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["redirect"].startswith("/")
    assert client.get("/dashboard").status_code == 200
    db.session.refresh(passkey)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    logged = actions(db, staff)
    assert ("passkey_added", {"passkey": passkey.id, "name": "Work laptop"}) in logged
    assert any(action == "sign_in" and details.get("how") == "passkey" for action, details in logged)


def test_a_passkey_without_a_name_is_numbered(client, db, staff):
    assert add_passkey(client, SoftwareAuthenticator(), name="").status_code == 200
    assert add_passkey(client, SoftwareAuthenticator(), name="").status_code == 200
    names = list(db.session.scalars(select(Passkey.name).where(Passkey.user_id == staff.id).order_by(Passkey.id)))
    assert names == ["Passkey 1", "Passkey 2"]


def test_a_name_over_100_characters_is_refused(client, db, staff):
    response = add_passkey(client, SoftwareAuthenticator(), name="x" * 101)
    assert response.status_code == 400
    assert "100" in response.get_json()["error"]
    assert db.session.scalar(select(Passkey).where(Passkey.user_id == staff.id)) is None


@pytest.mark.parametrize("case", ["challenge", "origin", "rp_id", "no_challenge"])
def test_registration_refusals(client, db, staff, case):
    authenticator = SoftwareAuthenticator()
    options = post_json(client, "/account/passkeys/options").get_json()
    if case == "challenge":
        credential = authenticator.create({"challenge": b64url(b"not the challenge")})
    elif case == "origin":
        credential = authenticator.create(options, origin="https://evil.example")
    elif case == "rp_id":
        credential = authenticator.create(options, rp_id="evil.example")
    else:
        credential = authenticator.create(options)
        with client.session_transaction() as session:
            session.pop(passkeys.REGISTERING)
    response = post_json(client, "/account/passkeys", {"name": "Phone", "credential": credential})
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert db.session.scalar(select(Passkey).where(Passkey.user_id == staff.id)) is None


def test_a_registration_is_not_accepted_twice(client, db, staff):
    authenticator = SoftwareAuthenticator()
    options = post_json(client, "/account/passkeys/options").get_json()
    credential = authenticator.create(options)
    with client.session_transaction() as session:
        saved = dict(session)
    assert post_json(client, "/account/passkeys", {"credential": credential}).status_code == 200
    with client.session_transaction() as session:  # the cookie as it was before: the challenge again
        session.update(saved)
    assert post_json(client, "/account/passkeys", {"credential": credential}).status_code == 400
    assert len(list(db.session.scalars(select(Passkey).where(Passkey.user_id == staff.id)))) == 1


def _signed_in_with_passkey_then_at_second_step(client, staff, authenticator):
    assert add_passkey(client, authenticator).status_code == 200
    sign_out(client)
    password_step(client, staff)


@pytest.mark.parametrize("counting", [True, False])
def test_a_replayed_assertion_is_refused(client, db, staff, counting):
    """The challenge is in the cookie, which a thief can replay with the answer: the passkey's row refuses it, with
    a counting authenticator (the count didn't go up) and with one whose count stays 0 (used since issued)."""
    authenticator = SoftwareAuthenticator(counting=counting)
    _signed_in_with_passkey_then_at_second_step(client, staff, authenticator)
    options = post_json(client, "/login/passkey/options").get_json()
    with client.session_transaction() as session:
        saved = dict(session)
    assertion = authenticator.get(options)
    assert post_json(client, "/login/passkey", {"credential": assertion}).status_code == 200
    thief = client.application.test_client()
    with thief.session_transaction() as session:
        session.update(saved)
    response = post_json(thief, "/login/passkey", {"credential": assertion})
    assert response.status_code == 400
    assert thief.get("/dashboard").status_code == 302
    assert [a for a, _ in actions(db, staff)].count("second_step_failed") == 1


def test_a_sign_count_going_back_is_refused(client, db, staff):
    """A lower count than the stored one: a cloned authenticator, perhaps."""
    authenticator = SoftwareAuthenticator()
    _signed_in_with_passkey_then_at_second_step(client, staff, authenticator)
    options = post_json(client, "/login/passkey/options").get_json()
    response = post_json(client, "/login/passkey", {"credential": authenticator.get(options, sign_count=7)})
    assert response.status_code == 200
    sign_out(client)
    password_step(client, staff)
    options = post_json(client, "/login/passkey/options").get_json()
    response = post_json(client, "/login/passkey", {"credential": authenticator.get(options, sign_count=3)})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("case", ["challenge", "origin", "other_key", "someone_elses"])
def test_sign_in_refusals(client, db, make_user, staff, case):
    authenticator = SoftwareAuthenticator()
    _signed_in_with_passkey_then_at_second_step(client, staff, authenticator)
    options = post_json(client, "/login/passkey/options").get_json()
    if case == "challenge":
        assertion = authenticator.get({"challenge": b64url(b"another challenge")})
    elif case == "origin":
        assertion = authenticator.get(options, origin="https://evil.example")
    elif case == "other_key":  # the right credential id, signed by another key
        impostor = SoftwareAuthenticator()
        impostor.credential_id = authenticator.credential_id
        assertion = impostor.get(options)
    else:  # a passkey of another account, however valid, is not this person's
        other = make_user(Role.HOMEFINDER)
        theirs = SoftwareAuthenticator()
        other_client = client.application.test_client()
        sign_in(other_client, other)
        assert add_passkey(other_client, theirs).status_code == 200
        assertion = theirs.get(options)
    response = post_json(client, "/login/passkey", {"credential": assertion})
    assert response.status_code == 400
    assert response.get_json()["error"] == "That passkey didn't work. Try again, or use another way to sign in."
    assert client.get("/dashboard").status_code == 302
    assert ("second_step_failed", {"method": "passkey"}) in actions(db, staff)


def test_failed_passkeys_count_toward_the_lockout(client, db, staff):
    _signed_in_with_passkey_then_at_second_step(client, staff, SoftwareAuthenticator())
    failures = client.application.config["LOGIN_FAILURES_BEFORE_LOCKOUT"]
    for _ in range(failures):
        options = post_json(client, "/login/passkey/options").get_json()
        assertion = SoftwareAuthenticator().get(options)
        assert post_json(client, "/login/passkey", {"credential": assertion}).status_code == 400
    options = post_json(client, "/login/passkey/options").get_json()
    assert post_json(client, "/login/passkey", {"credential": SoftwareAuthenticator().get(options)}).status_code == 429


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"\"text\"", b"{", b"[" * 100_000, b"{\"credential\": 5}",
                                  b"{\"credential\": {\"rawId\": 5}}", b"{\"credential\": {\"rawId\": \"***\"}}",
                                  b"{\"credential\": {\"id\": \"AQ\", \"rawId\": \"AQ\", \"type\": \"public-key\", "
                                  b"\"response\": {\"clientDataJSON\": \"e30\", \"attestationObject\": \"oA\", "
                                  b"\"authenticatorData\": \"AA\", \"signature\": \"AA\"}}, \"name\": [1]}"])
def test_hostile_json_is_a_400_never_a_500(client, staff, body):
    authenticator = SoftwareAuthenticator()
    assert add_passkey(client, authenticator).status_code == 200
    post_json(client, "/account/passkeys/options")
    response = post_json(client, "/account/passkeys", raw=body)
    assert response.status_code == 400 and response.get_json()["error"]
    sign_out(client)
    password_step(client, staff)
    post_json(client, "/login/passkey/options")
    response = post_json(client, "/login/passkey", raw=body)
    assert response.status_code == 400 and response.get_json()["error"]


def test_the_sign_in_endpoints_need_a_password_just_passed(client):
    for url in ("/login/passkey/options", "/login/passkey"):
        response = post_json(client, url, {"credential": {}})
        assert response.status_code == 400
        assert "Start again" in response.get_json()["error"]


def test_remove_a_passkey_and_not_someone_elses(client, db, make_user, staff):
    assert add_passkey(client, SoftwareAuthenticator(), name="Old phone").status_code == 200
    mine = db.session.scalar(select(Passkey).where(Passkey.user_id == staff.id))
    other = make_user(Role.FAMILY)
    theirs = Passkey(user_id=other.id, name="Theirs", credential_id=b"theirs", public_key=b"key", transports=[])
    db.session.add(theirs)
    db.session.flush()
    assert post_form(client, f"/account/passkeys/{theirs.id}/remove").status_code == 404
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Remove<span class=\"visually-hidden\"> passkey Old phone</span>" in page
    response = post_form(client, f"/account/passkeys/{mine.id}/remove")
    assert response.status_code == 303 and response.headers["Location"] == "/account/two-step"
    assert db.session.scalar(select(Passkey).where(Passkey.user_id == staff.id)) is None
    assert db.session.get(Passkey, theirs.id) is not None
    assert ("passkey_removed", {"passkey": mine.id, "name": "Old phone"}) in actions(db, staff)


def test_without_passkeys_the_second_step_page_offers_none(client, staff):
    sign_out(client)
    password_step(client, staff)
    assert "Use a passkey" not in client.get("/login/code").get_data(as_text=True)
