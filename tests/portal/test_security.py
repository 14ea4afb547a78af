"""Headers, cookies, CSRF and bad input: clear 4xx answers, never a 500."""

from __future__ import annotations

import pytest

from app import create_app
from portal.access import public
from tests.conftest import TEST_PASSWORD, config_for_tests, csrf_token, post_form, sign_in, text_of


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.get_data(as_text=True)  # no inline scripts for the CSP to refuse


def test_session_cookie_flags_in_development(client, make_user):
    response = sign_in(client, make_user("family"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_host_prefixed(monkeypatch, engine, database_url):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("PORTAL_URL", "https://portal.example.org")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    response = app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, database_url):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": database_url})


def test_missing_csrf_token_re_renders_the_form_with_what_was_typed(client, db):
    client.get("/")
    response = client.post("/register", data={"full_name": "Rosa Díaz", "email": "rosa@example.com",
                                              "password": "a long passphrase", "confirm": "a long passphrase",
                                              "preferred_locale": "es"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This form was open too long or your session ended" in body
    assert 'value="Rosa Díaz"' in body and 'value="rosa@example.com"' in body
    assert "a long passphrase" not in body


def test_missing_csrf_token_on_a_button_is_a_clear_400(client, make_user):
    sign_in(client, make_user("family"))
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Something in the request was not right" in text_of(response)
    assert client.get("/dashboard").status_code == 200  # nothing happened


def test_csrf_message_is_translated(client):
    client.get("/", headers={"Accept-Language": "es"})
    response = client.post("/password/forgot", data={"email": "x@example.com"}, headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert "Este formulario estuvo abierto demasiado tiempo" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url,data",
    [
        ("/login", {"email": ["a", "b"], "password": "x"}),
        ("/login", {"email": "\x00\x01", "password": "p" * 10000}),
        ("/register", {"full_name": "\u202e" * 300, "email": "@", "password": "", "confirm": "",
                       "preferred_locale": "klingon"}),
        ("/password/forgot", {"email": "x" * 100000}),
        ("/account", {"full_name": "", "preferred_locale": "../../etc"}),
        ("/language", {"language": "<script>", "next": "//evil.example"}),
        ("/admin/people/invite", {"role": "superuser", "email": "a@b"}),
    ],
)
def test_bad_input_never_gives_a_500(client, make_user, url, data):
    if url.startswith(("/account", "/admin")):
        sign_in(client, make_user("admin"))
    response = post_form(client, url, data)
    assert 300 <= response.status_code < 500, response.status_code
    if response.status_code == 302:
        assert not response.headers["Location"].startswith("//")


def test_oversized_request_is_a_friendly_413(client):
    token = csrf_token(client)
    response = client.post("/register", data={"csrf_token": token, "full_name": "x" * (13 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in text_of(response)


def test_unexpected_errors_get_a_friendly_translated_500(database_url, engine):
    app = create_app(config_for_tests(database_url, PROPAGATE_EXCEPTIONS=False))

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "es"})
    assert response.status_code == 500
    assert "Algo falló de nuestro lado" in text_of(response)


def test_wrong_method_is_a_friendly_405(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Something in the request was not right" in text_of(response)


def test_password_is_never_echoed_after_a_failed_sign_in(client, make_user):
    user = make_user("family")
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD + "x"})
    assert TEST_PASSWORD not in response.get_data(as_text=True)
    assert f'value="{user.email}"' in response.get_data(as_text=True)
