"""Autosave's draft endpoint, follow-up fields, the references' rule up front, and the applicant's dashboard by stage.

The draft endpoint (static/js/portal.js posts to it) keeps what was typed and nothing else: it never validates, never
touches the saved answers, the signatures or the application's status, and refuses a section that can't change now.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from licensing.application import services as applications
from licensing.application.models import (
    Application,
    ApplicationSection,
    ApplicationStatus,
    HouseholdMember,
    MemberRole,
    SectionStatus,
    Signature,
)
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, Role
from tests.conftest import csrf_token, post_form, sign_in, text_of
from tests.licensing.conftest import SECTION_ANSWERS, application_row, fill_all_sections, fill_section

DRAFT = "/licensing/application/section/{key}/draft"


def section_row(db, application_id: int, key: str) -> ApplicationSection:
    db.session.expire_all()
    return db.session.scalar(
        select(ApplicationSection).where(
            ApplicationSection.application_id == application_id, ApplicationSection.key == key
        )
    )


def test_a_draft_is_kept_as_typed_without_validating(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    response = post_form(
        client,
        DRAFT.format(key="residence"),
        {"street": "77 Calle Olivo", "city": "Fresno", "zip_code": "9", "bedrooms": "three"},
    )
    assert response.status_code == 204 and response.get_data() == b""
    stored = section_row(db, application_id, "residence")
    assert stored.draft == {"street": ["77 Calle Olivo"], "city": ["Fresno"], "zip_code": ["9"], "bedrooms": ["three"]}
    assert stored.data == {} and stored.status is SectionStatus.IN_PROGRESS
    # Typing into a section in progress is not an event (the log would fill with keystrokes).
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "section_edited"))
        == 0
    )

    # It comes back on the page, with only what was typed and is wrong marked (nothing about empty answers yet).
    page = client.get("/licensing/application/section/residence")
    body = page.get_data(as_text=True)
    assert 'value="77 Calle Olivo"' in body and 'value="Fresno"' in body
    assert "Enter a 5-digit ZIP code, like 90210." in text_of(page)
    assert "Choose an answer." not in text_of(page) and "Enter the number of bedrooms." not in text_of(page)


def test_a_draft_never_clears_signatures_or_changes_the_saved_answers(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    primary = db.session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.application_id == application_id, HouseholdMember.role == MemberRole.PRIMARY
        )
    )
    post_form(client, "/licensing/application/sign", {"member_id": str(primary.id), "typed_name": "Ana Torres"})
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    saved = section_row(db, application_id, "residence").data

    response = post_form(client, DRAFT.format(key="residence"), {**SECTION_ANSWERS["residence"], "bedrooms": "4"})
    assert response.status_code == 204
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    stored = section_row(db, application_id, "residence")
    assert stored.data == saved and stored.draft["bedrooms"] == ["4"]
    # A finished section that is changed is no longer finished (as with the form's own save): one event says so.
    assert stored.status is SectionStatus.IN_PROGRESS
    assert application_row(db, application_id).status is ApplicationStatus.IN_PROGRESS


def test_a_section_that_cant_change_is_refused_unwritten(app, client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    with app.app_context():
        application = portal_db.session.get(Application, application_id)
        application.status = ApplicationStatus.SUBMITTED
        portal_db.commit()
    response = post_form(client, DRAFT.format(key="residence"), {"street": "1 Elm St"})
    assert response.status_code == 409
    assert response.get_json()["saved"] is False
    assert section_row(db, application_id, "residence").draft is None


def test_the_draft_needs_a_csrf_token_and_a_known_section(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    refused = client.post(DRAFT.format(key="residence"), data={"street": "1 Elm St"})
    assert refused.status_code == 400
    assert section_row(db, application_id, "residence").draft is None
    assert post_form(client, DRAFT.format(key="nonsense"), {"street": "1 Elm St"}).status_code == 404


def test_a_draft_goes_to_the_signed_in_household_only(app, client, db, applicant_with_application):
    _owner, owner_application = applicant_with_application()
    other, other_application = applicant_with_application()
    sign_in(client, other)
    assert post_form(client, DRAFT.format(key="residence"), {"street": "1 Elm St"}).status_code == 204
    assert section_row(db, owner_application, "residence").draft is None
    assert section_row(db, other_application, "residence").draft == {"street": ["1 Elm St"]}


def test_a_draft_of_someone_signed_out_is_not_kept(client, db, applicant_with_application):
    _user, application_id = applicant_with_application()
    token = csrf_token(client)
    response = client.post(DRAFT.format(key="residence"), data={"csrf_token": token, "street": "1 Elm St"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert section_row(db, application_id, "residence").draft is None


def test_staff_cant_save_a_familys_draft(client, db, make_user, applicant_with_application):
    _user, application_id = applicant_with_application()
    sign_in(client, make_user(Role.HOMEFINDER))
    assert post_form(client, DRAFT.format(key="residence"), {"street": "1 Elm St"}).status_code == 404
    assert section_row(db, application_id, "residence").draft is None


def test_an_editable_section_names_its_autosave_and_a_read_only_one_does_not(
    app, client, db, applicant_with_application
):
    user, application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    body = client.get("/licensing/application/section/residence").get_data(as_text=True)
    assert 'data-autosave="/licensing/application/section/residence/draft"' in body
    status = re.search(r'<p class="autosave-status[^>]*>', body).group(0)
    assert 'role="status"' in status and 'aria-live="polite"' in status
    assert 'data-saved="Guardado"' in status and 'data-failed="No se guardó: revise su conexión"' in status
    # Versioned by its bytes (portal/assets.py), so a new script is never served from an old cache.
    assert re.search(r'<script src="/static/js/portal\.js\?v=[0-9a-f]+" defer></script>', body)
    with app.app_context():
        portal_db.session.get(Application, application_id).status = ApplicationStatus.SUBMITTED
        portal_db.commit()
    body = client.get("/licensing/application/section/residence").get_data(as_text=True)
    assert "data-autosave" not in body and "autosave-status" not in body


def test_the_script_is_served_and_allowed_by_the_csp(client):
    script = client.get("/static/js/portal.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "connect-src 'self'" in csp


# -- follow-up fields ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,follow_ups",
    [
        (
            "residence",
            {"pets_description": "has_pets=yes", "firearms_storage": "has_firearms=yes", "pool_safety": "has_pool=yes"},
        ),
        ("health", {"condition_details": "has_condition=yes"}),
        (
            "disclosures",
            {
                "arrests_explanation": "arrests=yes",
                "cps_explanation": "cps=yes",
                "prior_license_explanation": "prior_license=yes",
            },
        ),
        (
            "applicants",
            {
                "co_first_name": "has_co_applicant=y",
                "co_last_name": "has_co_applicant=y",
                "co_birth_date": "has_co_applicant=y",
                "co_email": "has_co_applicant=y",
                "co_phone": "has_co_applicant=y",
            },
        ),
    ],
)
def test_follow_up_fields_name_the_answer_they_follow(client, applicant_with_application, key, follow_ups):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    body = client.get(f"/licensing/application/section/{key}").get_data(as_text=True)
    marked = re.findall(r'<div class="mb-3" data-reveal-when="([^"]+)">\s*<label [^>]*for="([^"]+)"', body)
    assert {field: rule for rule, field in marked} == follow_ups
    # Shown in the page as sent (hidden only by the script): with scripts off every question is there.
    assert " hidden" not in body.split("<form", 1)[1]


# -- references: the rule before starting -------------------------------------------------------------------------


def test_references_say_how_many_and_why_before_starting(client, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    page = text_of(client.get("/licensing/application/section/references"))
    intro = (
        "We need at least 3 references: people who know your family well, such as friends, neighbors, "
        "co-workers or a pastor. At least 2 of them must not be relatives."
    )
    assert intro in page
    assert "give a different email address for each. You can give up to 5." in page
    assert page.index(intro) < page.index("Reference 1")


def test_references_say_it_in_spanish(client, applicant_with_application):
    user, _application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    page = text_of(client.get("/licensing/application/section/references"))
    assert "Necesitamos al menos 3 referencias" in page


# -- the applicant's dashboard, stage by stage --------------------------------------------------------------------

SAVED_AS_YOU_GO = "saved as you go"


def dashboard(client) -> str:
    return text_of(client.get("/dashboard"))


def set_status(app, application_id: int, status: ApplicationStatus, reopen: str | None = None) -> None:
    with app.app_context():
        application = applications.load_application(application_id)
        application.status = status
        application.submitted_at = application.submitted_at or now_utc() - timedelta(days=2)
        if reopen:
            applications.sections_by_key(application)[reopen].status = SectionStatus.REOPENED
        portal_db.commit()


def test_dashboard_before_the_application_opens(client, make_user):
    sign_in(client, make_user(Role.APPLICANT))
    page = dashboard(client)
    assert "Your application opens after you attend an information session" in page
    assert SAVED_AS_YOU_GO not in page


def test_dashboard_not_started_and_in_progress(client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    page = dashboard(client)
    assert "Your application has 9 sections. Fill them in at your own pace" in page and "Start my application" in page
    fill_section(client, "residence")
    page = dashboard(client)
    assert "1 of 9 sections complete. Pick up where you left off" in page and "Continue my application" in page
    assert "Every step toward your license, with dates, once your application is sent." in page


def test_dashboard_when_every_section_is_complete(client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    assert "Every section is complete. Upload the documents, sign, and send your application." in dashboard(client)


@pytest.mark.parametrize(
    "status,reopen,expected",
    [
        (
            ApplicationStatus.SUBMITTED,
            None,
            "Your homefinder is reviewing it and will contact you about the next steps.",
        ),
        (
            ApplicationStatus.RETURNED,
            "residence",
            "Your homefinder asked for changes in 1 section. Make them, then send your application again.",
        ),
        (ApplicationStatus.APPROVED, None, "Your application is approved."),
        (ApplicationStatus.DENIED, None, "The agency did not approve your application."),
        (ApplicationStatus.WITHDRAWN, None, "Your application was withdrawn."),
    ],
)
def test_dashboard_after_submission_matches_the_stage(
    app, client, db, applicant_with_application, status, reopen, expected
):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    set_status(app, application_id, status, reopen)
    page = dashboard(client)
    assert expected in page
    assert SAVED_AS_YOU_GO not in page and "at your own pace" not in page
    assert "once your application is sent" not in page
    if status is ApplicationStatus.SUBMITTED:
        assert re.search(r"You sent your application on \w+ \d+, \d{4}\.", page)


def test_the_dashboard_reads_the_application_with_its_sections_and_documents_only(client, db,
                                                                                applicant_with_application,
                                                                                count_queries):
    """The home page shows where the application stands: its people, references, signatures, household and
    homefinder are not read (the fully loaded application was six statements more on every applicant's home page)."""
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "residence")
    dashboard(client)
    with count_queries() as counter:
        assert "1 of 9 sections complete" in dashboard(client)
    read = " ".join(counter.statements)
    assert "FROM application_section" in read and "FROM application_document" in read
    for table in ("household_member", "reference", "signature"):
        assert f"FROM {table}" not in read, table


def test_the_application_pages_load_the_application_without_looking_up_its_id_first(client, db,
                                                                                  applicant_with_application,
                                                                                  count_queries):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    for url in ("/licensing/application", "/licensing/application/section/residence"):
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert not [s for s in counter.statements if s.lstrip().startswith("SELECT application.id \nFROM")], url


def test_opening_a_section_reads_its_sections_people_and_references_only(client, db, applicant_with_application,
                                                                           count_queries):
    """A section's page shows the section, and the household's people or references: the application's documents,
    signatures, household and homefinder are read to save, not to open it (four statements fewer)."""
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    for key in ("household", "references", "residence"):
        url = f"/licensing/application/section/{key}"
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        read = " ".join(counter.statements)
        for table in ("application_section", "household_member", "reference"):
            assert f"FROM {table}" in read, (key, table)
        for table in ("application_document", "signature", "document_page"):
            assert f"FROM {table}" not in read, (key, table)


def test_dashboard_stage_in_spanish(app, client, db, applicant_with_application):
    user, application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    set_status(app, application_id, ApplicationStatus.SUBMITTED)
    page = dashboard(client)
    assert "Usted envió su solicitud el" in page


# -- a draft never undoes a save ----------------------------------------------------------------------------------


class _PostedByTheForm(HTMLParser):
    """What a browser posts for the section's form as the page shows it (the draft of the saved answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self.textareas: set[str] = set()
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-autosave" in attrs:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.pairs.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.add(name)
            self.pairs.append((name, ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.pairs[-1]
            self.pairs[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [self._options[0][0]]
            self.pairs.append((self._select, chosen[0]))
            self._select = None


def posted_by_the_page(client, key: str) -> dict[str, list[str]]:
    parser = _PostedByTheForm()
    parser.feed(client.get(f"/licensing/application/section/{key}").get_data(as_text=True))
    posted: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        if name in parser.textareas:  # HTML drops the line end just after <textarea>; a browser sends CRLF ends
            value = re.sub(r"^\r?\n", "", value).replace("\r\n", "\n").replace("\n", "\r\n")
        posted.setdefault(name, []).append(value)
    return posted


def events(db, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize("key", list(SECTION_ANSWERS))
def test_a_draft_of_the_saved_answers_leaves_a_finished_section_finished(client, db, applicant_with_application, key):
    """Typing something and taking it back (or a draft sent on leaving the page untouched) changes nothing."""
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    posted = posted_by_the_page(client, key)
    assert "csrf_token" in posted and "section_marker" in posted
    response = client.post(DRAFT.format(key=key), data=posted)
    assert response.status_code == 204
    stored = section_row(db, application_id, key)
    assert stored.status is SectionStatus.COMPLETE and stored.draft is None
    assert events(db, "section_edited") == 0


def test_a_draft_that_only_differs_in_spaces_and_line_ends_is_the_same_answer(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "residence", pets_description="One dog\nand a cat")
    posted = posted_by_the_page(client, "residence")
    assert posted["pets_description"] == ["One dog\r\nand a cat"]
    posted["city"] = ["  Fresno "]
    assert client.post(DRAFT.format(key="residence"), data=posted).status_code == 204
    assert section_row(db, application_id, "residence").status is SectionStatus.COMPLETE

    # A real change still makes the finished section unfinished, once, with its event.
    posted["city"] = ["Clovis"]
    assert client.post(DRAFT.format(key="residence"), data=posted).status_code == 204
    stored = section_row(db, application_id, "residence")
    assert stored.status is SectionStatus.IN_PROGRESS and stored.draft["city"] == ["Clovis"]
    assert events(db, "section_edited") == 1
    # A number that doesn't read as one is a change too (it can't be the saved 3).
    fill_section(client, "residence")
    posted = posted_by_the_page(client, "residence")
    posted["bedrooms"] = ["three"]
    client.post(DRAFT.format(key="residence"), data=posted)
    assert section_row(db, application_id, "residence").status is SectionStatus.IN_PROGRESS


def test_a_started_row_is_a_change_even_if_the_save_would_still_ask_for_more(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    posted = posted_by_the_page(client, "household")
    posted["members-2-relationship"] = ["Aunt"]
    assert client.post(DRAFT.format(key="household"), data=posted).status_code == 204
    stored = section_row(db, application_id, "household")
    assert stored.status is SectionStatus.IN_PROGRESS and stored.draft["members-2-relationship"] == ["Aunt"]


def test_a_draft_sent_before_the_save_and_arriving_after_it_is_ignored(client, db, applicant_with_application):
    """A slow phone: the draft leaves, the person presses Save, the draft lands after the save. It must not reopen
    the section: its marker (the page's) is older than the save, so nothing is written, and the answer (409) says
    why, for a second window of the same section that would otherwise show "Saved" for words not kept."""
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "residence")
    before = posted_by_the_page(client, "residence")
    # Drafts from that page keep being taken: keeping a draft doesn't move the marker.
    typing = {**before, "city": ["Clovis"]}
    assert client.post(DRAFT.format(key="residence"), data=typing).status_code == 204
    typing["city"] = ["Clovis Ca"]
    assert client.post(DRAFT.format(key="residence"), data=typing).status_code == 204
    assert section_row(db, application_id, "residence").draft["city"] == ["Clovis Ca"]

    saved = fill_section(client, "residence", city="Clovis")
    assert saved.status_code == 303
    late = client.post(DRAFT.format(key="residence"), data={**before, "city": ["Clovi"]})
    assert late.status_code == 409 and "saved in another window" in late.get_json()["message"]
    stored = section_row(db, application_id, "residence")
    assert stored.status is SectionStatus.COMPLETE and stored.draft is None and stored.data["city"] == "Clovis"
    assert events(db, "section_edited") == 1  # the typing before the save, not the late draft

    # The page as it is now carries the new marker: typing there is kept again.
    now = posted_by_the_page(client, "residence")
    assert now["section_marker"] != before["section_marker"]
    assert client.post(DRAFT.format(key="residence"), data={**now, "city": ["Madera"]}).status_code == 204
    assert section_row(db, application_id, "residence").draft["city"] == ["Madera"]


# -- only the form's own fields, capped, limited -------------------------------------------------------------------


def test_a_draft_keeps_only_the_forms_own_fields(client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    response = post_form(
        client,
        DRAFT.format(key="household"),
        {
            "members-0-first_name": "Rosa",
            "members-9-first_name": "Ten",
            "members-99-first_name": "Made up",
            "invented": "x" * 1000,
        },
    )
    assert response.status_code == 204
    assert section_row(db, application_id, "household").draft == {
        "members-0-first_name": ["Rosa"],
        "members-9-first_name": ["Ten"],
    }
    # The form's own Save keeps the same (here it doesn't validate, so the draft is what is left).
    post_form(client, "/licensing/application/section/residence", {"street": "1 Elm St", "invented": "x"})
    assert section_row(db, application_id, "residence").draft == {"street": ["1 Elm St"]}


def test_a_draft_over_64_kib_is_refused_unwritten_with_a_message(client, db, applicant_with_application):
    user, application_id = applicant_with_application(locale="es")
    sign_in(client, user)
    assert post_form(client, DRAFT.format(key="residence"), {"street": "1 Elm St"}).status_code == 204
    response = post_form(
        client, DRAFT.format(key="residence"), {"street": "1 Elm St", "pets_description": "ñ" * 33_000}
    )
    assert response.status_code == 413
    assert response.get_json() == {"saved": False, "message": response.get_json()["message"]}
    assert "Acorte sus respuestas" in response.get_json()["message"]
    assert section_row(db, application_id, "residence").draft == {"street": ["1 Elm St"]}
    # Just under the cap is kept.
    assert post_form(client, DRAFT.format(key="residence"), {"pets_description": "a" * 60_000}).status_code == 204


def test_drafts_are_rate_limited_per_person_with_a_json_answer(app, client, db, applicant_with_application):
    app.config["DRAFT_RATE_LIMIT"] = "3 per minute"
    user, application_id = applicant_with_application(locale="es")
    other, _other_application = applicant_with_application()
    sign_in(client, user)
    for n in range(3):
        assert post_form(client, DRAFT.format(key="residence"), {"street": f"{n} Elm St"}).status_code == 204
    refused = post_form(client, DRAFT.format(key="residence"), {"street": "9 Elm St"})
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert refused.get_json()["saved"] is False and "Espere un minuto" in refused.get_json()["message"]
    assert section_row(db, application_id, "residence").draft == {"street": ["2 Elm St"]}
    # The form's own Save is not limited; another household is counted on its own.
    assert post_form(client, "/licensing/application/section/residence", {"street": "9 Elm St"}).status_code == 422
    post_form(client, "/logout")
    sign_in(client, other)
    assert post_form(client, DRAFT.format(key="residence"), {"street": "1 Elm St"}).status_code == 204
