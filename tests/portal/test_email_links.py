"""Links in emails start with the portal's public address (PORTAL_URL), from a page as from a command; the admin's
outbox view makes the addresses in a shown body clickable, and nothing else in the body becomes markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.config import ROOT, from_environment
from portal.emails import linkify
from portal.models import OutboxMessage, Role
from tests.conftest import post_form, sign_in
from tests.licensing.test_recruitment import INQUIRY

PUBLIC = "https://portal.agency.test/foster"
LINK = re.compile(r"https?://[^\s\"'<>]+")
EXTERNAL = re.compile(r"\b_external\s*=\s*True")


@pytest.fixture
def public_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_URL", PUBLIC)
    return PUBLIC


def links_of(message: OutboxMessage) -> list[str]:
    return LINK.findall(message.body_text) + LINK.findall(message.body_html)


def test_portal_url_defaults_to_the_address_make_run_serves(monkeypatch):
    monkeypatch.delenv("PORTAL_URL", raising=False)
    monkeypatch.delenv("FLASK_ENV", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert from_environment()["PORTAL_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("PORT", "5123")  # `make run PORT=5123`
    assert from_environment()["PORTAL_URL"] == "http://127.0.0.1:5123"
    monkeypatch.setenv("PORTAL_URL", "https://portal.agency.org/")
    assert from_environment()["PORTAL_URL"] == "https://portal.agency.org"


@pytest.mark.parametrize("bad", ["portal.agency.org", "javascript:alert(1)", "https://", "https://a.org/?x=1"])
def test_a_portal_url_that_is_not_an_address_is_refused_at_start(monkeypatch, bad):
    monkeypatch.setenv("PORTAL_URL", bad)
    with pytest.raises(RuntimeError, match="PORTAL_URL"):
        from_environment()


def test_production_needs_a_portal_url(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.delenv("PORTAL_URL", raising=False)
    with pytest.raises(RuntimeError, match="PORTAL_URL must be set in production"):
        from_environment()


def test_links_sent_from_a_page_use_portal_url_not_the_address_the_request_came_in_on(
    app, client, db, make_user, public_address
):
    person = make_user(Role.APPLICANT)
    post_form(client, "/password/forgot", {"email": person.email})
    assert post_form(client, "/licensing/inquiry", INQUIRY).status_code == 200
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.template for m in messages} == {"reset_password", "inquiry_received"}
    for message in messages:
        assert links_of(message), message.template
        assert all(link.startswith(f"{PUBLIC}/") for link in links_of(message)), links_of(message)
    reset = next(m for m in messages if m.template == "reset_password")
    assert f"{PUBLIC}/password/reset/" in reset.body_text


def test_links_sent_from_commands_outside_any_request_use_portal_url(app, db, public_address):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    by_template = {}
    for message in db.session.scalars(select(OutboxMessage)):
        by_template.setdefault(message.template, []).append(message)
    # seed-demo issues two licenses (their emails link to the checklist); the renewal items come due soon after.
    assert {"license_issued", "item_reminder"} <= set(by_template)
    for template in ("license_issued", "item_reminder"):
        for message in by_template[template]:
            assert links_of(message) and all(
                link.startswith(f"{PUBLIC}/licensing/checklist") for link in links_of(message)
            ), message.body_text
    assert not any("localhost" in m.body_text for messages in by_template.values() for m in messages)


def test_every_emailed_link_is_built_from_portal_url():
    """`url_for(..., _external=True)` takes the host of whatever request is running (or none, in a command):
    emailed links are built by portal.emails.portal_url instead."""
    offenders = []
    for folder in ("portal", "licensing", "training", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and EXTERNAL.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    offenders += ["app.py"] if EXTERNAL.search(Path(ROOT / "app.py").read_text(encoding="utf-8")) else []
    assert offenders == [], f"use portal.emails.portal_url(...) for links in emails: {offenders}"


HOSTILE = (
    'Open https://portal.test/start/abc?x=1&y=2. Then <script>alert("x")</script> '
    '<a href="javascript:alert(1)">me</a> <img src=x onerror=alert(1)> '
    'http://evil.test/"onmouseover="alert(1) (see https://portal.test/help).'
)


def test_linkify_escapes_first_and_links_only_addresses():
    html = str(linkify(HOSTILE))
    assert "<script>" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs == ["https://portal.test/start/abc?x=1&amp;y=2", "http://evil.test/", "https://portal.test/help"]
    assert '<a href="https://portal.test/help" rel="noopener noreferrer">https://portal.test/help</a>).' in html
    assert "onmouseover" not in "".join(re.findall(r"<a [^>]*>", html))


def test_the_outbox_shows_clickable_links_and_no_markup_from_a_body(app, client, db, make_user):
    admin = make_user(Role.ADMIN)
    db.session.add(
        OutboxMessage(
            recipient="x@example.com",
            locale="en",
            template="reset_password",
            subject="Hostile",
            body_text=HOSTILE,
            body_html="",
        )
    )
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert '<a href="https://portal.test/start/abc?x=1&amp;y=2" rel="noopener noreferrer">' in page
    assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript:' not in page


def test_linkify_of_no_body_is_empty_not_none():
    assert str(linkify(None)) == ""
    assert str(linkify("")) == ""
