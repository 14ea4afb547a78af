"""Hostile and careless input never reaches a 500 or the database (issue #9): one test per finding of the outside
test, each of which failed before its fix."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationDocument, StaffNote
from licensing.uploads import clean_filename
from portal.models import PendingSubmission, Role
from portal.routing import parse_id
from tests.conftest import CSRF_RE, csrf_token, post_form, sign_in, text_of
from tests.licensing.conftest import PDF
from tests.support import days_ahead

SECTION = "/licensing/application/section/residence"


def kept_rows(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PendingSubmission))


# -- 1 and 2: kept input belongs to the person whose session ended ---------------------------------------------------

def test_a_signed_out_stranger_stores_nothing(client, db):
    """Finding 1: without a session of one's own, posting to a form page stores nothing, whatever its size."""
    client.get("/")
    big = "x" * (2 * 1024 * 1024)
    for url in ("/account", SECTION, "/licensing/safety-self-check"):
        response = client.post(url, data={"csrf_token": csrf_token(client), "full_name": big, "street": big})
        assert response.status_code in (302, 413)
    assert kept_rows(db) == 0


def test_a_planted_form_is_not_given_to_the_family(app, client, db, applicant_with_application):
    """Finding 2: a cross-site form posted in the family's signed-out browser (no owner cookie: SameSite) is not
    kept, so the family's section never opens with an attacker's values."""
    user, _application_id = applicant_with_application()
    attacker = app.test_client()
    attacker.get("/")
    planted = attacker.post(SECTION, data={"csrf_token": csrf_token(attacker), "street": "1 Attacker Way"})
    assert planted.status_code == 302 and kept_rows(db) == 0
    sign_in(client, user)
    assert "1 Attacker Way" not in client.get(SECTION).get_data(as_text=True)


def test_kept_input_needs_the_token_of_the_typists_own_form(app, client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    client.get(SECTION)  # the form is open: the owner cookie names the family
    client.delete_cookie("session")
    other = app.test_client()
    other.get("/")
    foreign_token = csrf_token(other)  # a valid token, but of another browser's session
    response = client.post(SECTION, data={"csrf_token": foreign_token, "street": "9 Elm"})
    assert response.status_code == 302 and kept_rows(db) == 0


def test_kept_input_is_given_back_only_to_its_typist(app, client, db, applicant_with_application, make_user):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    token = CSRF_RE.search(client.get(SECTION).get_data(as_text=True)).group(1)
    client.delete_cookie("session")
    assert client.post(SECTION, data={"csrf_token": token, "street": "12 Oak St"}).status_code == 302
    assert kept_rows(db) == 1
    # Someone else signs in on the same browser: they don't get it (and can't see it anywhere).
    other, _other_application = applicant_with_application()
    sign_in(client, other)  # the ended session's browser: signed out, so the sign-in form is open
    assert "12 Oak St" not in client.get(SECTION).get_data(as_text=True)
    assert kept_rows(db) == 1
    # The typist does.
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    sign_in(client, user)
    assert 'value="12 Oak St"' in client.get(SECTION).get_data(as_text=True)
    assert kept_rows(db) == 0


def test_cleanup_deletes_kept_input_nobody_came_back_for(app, db, applicant_with_application):
    from datetime import timedelta

    from portal.database import now_utc

    user, _application_id = applicant_with_application()
    db.session.add_all([PendingSubmission(user_id=user.id, path=SECTION, form_data={"street": ["old"]},
                                          created_at=now_utc() - timedelta(days=2)),
                        PendingSubmission(user_id=user.id, path="/x", form_data={"street": ["new"]})])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert result.exit_code == 0 and "kept input deleted: 1" in result.output
    assert kept_rows(db) == 1


# -- 3 and 4: ids and digits -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/licensing/documents/99999999999999999999", "/licensing/staff/leads/2147483648",
                                  "/licensing/staff/applications/99999999999999999999/checklist",
                                  "/admin/people/18446744073709551616", "/licensing/staff/applications/%D9%A1",
                                  "/admin/people/%EF%BC%91"])
def test_ids_beyond_the_database_are_not_found(client, login, path):
    """Finding 3: a path id beyond 64 (or 32) bits is a plain 404, not an overflow; other scripts' digits are not
    an id either (Arabic-Indic and fullwidth 1 opened record 1)."""
    login(Role.ADMIN)
    assert client.get(path).status_code == 404


def test_ids_and_digits_are_parsed_strictly():
    assert parse_id("42") == 42
    for value in ("²", "٣", "-1", "0", "1e3", " 7", "99999999999", "", None, "4" * 50):
        assert parse_id(value) is None, value


def test_unicode_digits_in_forms_get_a_message_not_a_500(app, client, db, make_user, applicant_with_application):
    """Finding 4: "²" passes str.isdigit() but is not a number (visit slot choice, version fields, attendance)."""
    homefinder = make_user(Role.HOMEFINDER)
    staff = app.test_client()
    sign_in(staff, homefinder)
    assert post_form(staff, "/licensing/staff/items/1", {"version": "²", "status": "approved"}).status_code in (404,
                                                                                                                 422)
    assert post_form(staff, "/licensing/staff/checks/1", {"version": "²", "status": "cleared"}).status_code in (404,
                                                                                                                 422)
    response = post_form(staff, "/licensing/staff/sessions", {"starts_at": days_ahead(10), "duration_minutes": "²",
                                                              "format": "virtual", "language": "en",
                                                              "meeting_link": "https://meet.example.com/a",
                                                              "capacity": "²"})
    assert response.status_code == 422
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    assert post_form(client, "/licensing/visits/1/choose", {"slot": "²"}).status_code == 404
    assert staff.get("/licensing/staff/applications?assigned=²").status_code == 200


# -- 5: dates out of range ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00", "2000-01-01T10:00"])
def test_session_and_visit_times_have_a_sensible_range(app, client, login, db, applicant_with_application, when):
    """Finding 5: year 9999 crashed the time-zone conversion, year 1 was accepted as a visit slot."""
    login(Role.HOMEFINDER)
    response = post_form(client, "/licensing/staff/sessions", {
        "starts_at": when, "duration_minutes": "120", "format": "virtual", "language": "en",
        "meeting_link": "https://meet.example.com/a", "capacity": "20"})
    assert response.status_code == 422
    assert "still to come" in text_of(response) or "within the next 2 years" in text_of(response)
    _user, application_id = applicant_with_application()
    response = post_form(client, f"/licensing/staff/applications/{application_id}/visits",
                         {"kind": "joint_interview", "slot_1": when})
    assert response.status_code == 422


# -- 6: the lockout counts wrong passwords only ------------------------------------------------------------------------

def test_a_rate_limited_sign_in_does_not_lock_the_owner_out(app, client, db, make_user):
    """Finding 6: refusals of the per-address limit (429) counted as failed sign-ins toward the account's lockout, so
    the rightful owner behind a shared office address was locked out everywhere."""
    user = make_user(Role.APPLICANT)
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        client.get("/login")
        answers = []
        for _attempt in range(8):  # everything past the second is a 429 of the address limit
            answers.append(post_form(client, "/login", {"email": user.email,
                                                        "password": "correct horse battery"}).status_code)
            client.post("/logout", data={"csrf_token": csrf_token(client)})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "30 per minute"
    assert answers.count(429) == 6
    # From home (another address), the owner signs in: the account's lockout counted no failure.
    home = app.test_client()
    home.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert post_form(home, "/login", {"email": user.email, "password": "correct horse battery"}).status_code == 302


def test_wrong_passwords_still_lock_the_account(app, client, db, make_user):
    user = make_user(Role.APPLICANT)
    for _attempt in range(5):
        assert post_form(client, "/login", {"email": user.email, "password": "wrong password"}).status_code == 422
    assert post_form(client, "/login", {"email": user.email, "password": "correct horse battery"}).status_code == 429


# -- 7 and 8: documents ------------------------------------------------------------------------------------------------

def test_documents_are_never_stored_by_the_browser(client, db, applicant_with_application):
    """Finding 7: photo IDs and medical statements were sent with no-cache, which still lets a shared computer keep
    them on disk."""
    user, application_id = applicant_with_application()
    sign_in(client, user)
    from tests.licensing.conftest import fill_section, upload

    fill_section(client, "applicants")
    application = db.session.get(Application, application_id)
    assert application is not None
    upload(client, "proof_of_income:0")
    document = db.session.scalar(select(ApplicationDocument).order_by(ApplicationDocument.id.desc()))
    response = client.get(f"/licensing/documents/{document.id}?preview=1")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_a_long_file_name_keeps_its_extension(client, db, applicant_with_application):
    """Finding 8: a valid PDF with a 300-character name was refused because the name was cut before its extension."""
    assert clean_filename("a" * 300 + ".pdf").endswith(".pdf") and len(clean_filename("a" * 300 + ".pdf")) == 150
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    from tests.licensing.conftest import fill_section

    fill_section(client, "applicants")
    response = client.post("/licensing/application/documents", data={
        "csrf_token": csrf_token(client), "slot": "proof_of_income:0",
        "file": (io.BytesIO(PDF), "r" * 300 + ".pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Thank you, the document is uploaded." in text_of(client.get("/licensing/application"))


# -- 9: a note sent twice is stored once -------------------------------------------------------------------------------

def test_the_same_note_sent_twice_quickly_is_stored_once(app, client, login, db, applicant_with_application):
    _user, application_id = applicant_with_application()
    login(Role.HOMEFINDER)
    url = f"/licensing/staff/applications/{application_id}/notes"
    assert post_form(client, url, {"body": "Called the family, will visit Tuesday."}).status_code == 303
    assert post_form(client, url, {"body": "Called the family, will visit Tuesday."}).status_code == 303
    assert post_form(client, url, {"body": "Visit moved to Wednesday."}).status_code == 303
    db.session.expire_all()
    notes = db.session.scalars(select(StaffNote.body).where(StaffNote.application_id == application_id)).all()
    assert sorted(notes) == ["Called the family, will visit Tuesday.", "Visit moved to Wednesday."]


# -- 10: a failed CSRF check answers as a valid one would --------------------------------------------------------------

def test_a_failed_csrf_check_answers_like_a_valid_request(app, client, login, make_user, db):
    """Finding 10: the CSRF handler's re-run of the view let its refusals escape as 500s."""
    login(Role.FAMILY)
    # A family posting without a token to staff routes: refused as it would be with one.
    assert client.post("/licensing/staff/items/1", data={}).status_code == 404
    assert client.post("/licensing/staff/applications/1/notes", data={}).status_code == 404
    assert client.post("/admin/people/1", data={}).status_code == 404
    assert client.post("/licensing/staff/applications/1/safety", data={}).status_code == 404
    # A homefinder posting to a family's application section: 404 (hidden), not 500.
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    assert staff.post(SECTION, data={}).status_code == 404
    assert staff.post("/licensing/application/section/not-a-section", data={}).status_code == 404


def test_a_rate_limited_form_without_a_token_answers_429(app, client, db):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    try:
        client.get("/login")
        client.post("/login", data={"email": "a@example.com", "password": "x"})
        assert client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "30 per minute"


# -- 11: line breaks in `next` -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/dashboard\r\nSet-Cookie: x=1", "/a\nb", "/\x00", "/ok\x7f"])
def test_control_characters_in_next_fall_back_home(client, login, target):
    login(Role.APPLICANT)
    response = post_form(client, "/language", {"language": "es", "next": target})
    if "\x00" in target:  # refused before anything reads the form (test_a_nul_character_is_refused_...)
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
    assert not re.search(r"[\x00-\x1f\x7f]", response.headers["Location"])


@pytest.mark.parametrize("where", ["form", "query"])
def test_a_nul_character_is_refused_before_the_database(client, login, where):
    """Found by the fuzzer on PostgreSQL, which can't store NUL in text: a 500 from the driver before this."""
    login(Role.APPLICANT)
    if where == "form":
        response = post_form(client, "/account", {"full_name": "Ana\x00Torres", "preferred_locale": "es"})
    else:
        response = client.get("/licensing/staff/applications?status=sub\x00mitted")
    assert response.status_code == 400
