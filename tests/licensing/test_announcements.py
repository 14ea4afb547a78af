"""Announcements: staff choose a group of families, preview how many it reaches (nothing sent), then send: one
outbox email per person in their language, the announcement and one event recorded."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationStatus
from licensing.recruitment import announcements
from licensing.recruitment.models import Announcement, Interest, Lead, LeadSource, LeadStatus
from licensing.tracker.models import License, LicenseStatus, LicenseType
from portal.models import AuditEvent, Household, OutboxMessage, Role, User
from tests.conftest import TEST_PASSWORD, csrf_token, post_form, text_of

ENGLISH_ONLY = {"stage": "", "language": "", "homefinder": "", "subject_en": "Picnic on Saturday",
                "body_en": "Join us at the park.\nBring a dish.\n\nSee you <there> & soon!"}
BOTH = dict(ENGLISH_ONLY, subject_es="Picnic el sábado", body_es="Acompáñenos en el parque.\nTraiga un plato.")


def family(db, name: str, locale: str, stage: str, homefinder: User | None = None, *, accounts: int = 1,
           active: bool = True) -> Household:
    """A household at a stage (`licensed`, `applying`, `home_study`, `inquiry`) with `accounts` family accounts."""
    household = Household(name=name)
    db.session.add(household)
    db.session.flush()
    slug = name.lower().replace(" ", "-")
    for n in range(accounts):
        db.session.add(User(email=f"{slug}-{n}@example.com", full_name=f"{name} {n}", role=Role.APPLICANT,
                            preferred_locale=locale, household_id=household.id, is_active=active,
                            password_hash=TEST_PASSWORD))
    db.session.add(Lead(first_name=name, last_name="Lead", email=f"{slug}-lead@example.com", source=LeadSource.EVENT,
                        interest=Interest.FOSTER, household_id=household.id, preferred_locale=locale,
                        status=LeadStatus.APPLYING if stage != "inquiry" else LeadStatus.NEW,
                        assigned_homefinder_id=homefinder.id if homefinder else None))
    if stage != "inquiry":
        status = ApplicationStatus.IN_PROGRESS if stage == "applying" else ApplicationStatus.SUBMITTED
        application = Application(household_id=household.id, status=status)
        db.session.add(application)
        db.session.flush()
        if stage == "licensed":
            issuer = homefinder or db.session.scalar(select(User).where(User.role == Role.HOMEFINDER).limit(1))
            db.session.add(License(application_id=application.id, household_id=household.id, number=f"L-{slug}",
                                   type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=12,
                                   effective_on=date(2026, 1, 1), expires_on=date(2027, 1, 1),
                                   status=LicenseStatus.ACTIVE, issued_by_id=issuer.id))
    db.session.commit()
    return household


def lead_only(db, name: str, locale: str, status: LeadStatus = LeadStatus.NEW) -> Lead:
    lead = Lead(first_name=name, last_name="Prospect", email=f"{name.lower()}@example.com", source=LeadSource.SEARCH,
                interest=Interest.FOSTER, preferred_locale=locale, status=status)
    db.session.add(lead)
    db.session.commit()
    return lead


@pytest.fixture
def agency(db, make_user):
    homefinder = make_user(Role.HOMEFINDER)
    other = make_user(Role.HOMEFINDER)
    family(db, "Garcia", "es", "licensed", homefinder)
    family(db, "Smith", "en", "licensed", other, accounts=2)
    family(db, "Lopez", "es", "applying", homefinder)
    family(db, "Gone", "en", "licensed", homefinder, active=False)  # deactivated: written to by nobody
    lead_only(db, "Rosa", "es")
    lead_only(db, "Closed", "en", LeadStatus.CLOSED)
    return homefinder


def outbox(db) -> dict[str, OutboxMessage]:
    return {m.recipient: m for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "announcement"))}


def send_key(response) -> str:
    return re.search(r'name="send_key" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_preview_counts_and_names_a_few_and_sends_nothing(client, db, agency, login, count_queries):
    login(Role.HOMEFINDER)
    page = client.get("/licensing/staff/announcements/new")
    assert page.status_code == 200 and "Preview" in text_of(page) and 'value="send"' not in page.get_data(as_text=True)
    with count_queries() as counter:
        response = post_form(client, "/licensing/staff/announcements/new", dict(BOTH, stage="licensed"))
    assert response.status_code == 200
    page = text_of(response)
    assert "It will go to 3 people." in page and "Garcia 0" in page and "Smith 1" in page and "Gone" not in page
    assert outbox(db) == {} and db.session.scalar(select(func.count()).select_from(Announcement)) == 0
    recipient_queries = [s for s in counter.statements if "UNION" in s.upper()]
    assert len(recipient_queries) == 2  # the COUNT and the sample of names, nothing per person


@pytest.mark.parametrize(("audience", "expected"), [
    ({"stage": "licensed"}, {"garcia-0", "smith-0", "smith-1"}),
    ({"stage": "licensed", "language": "es"}, {"garcia-0"}),
    ({"stage": "applying"}, {"lopez-0"}),
    ({"stage": "inquiry"}, {"rosa"}),
    ({"language": "es"}, {"garcia-0", "lopez-0", "rosa"}),
    ({}, {"garcia-0", "smith-0", "smith-1", "lopez-0", "rosa"}),  # not the closed lead, not a deactivated account
])
def test_the_audience_reaches_the_chosen_families_once_each(db, agency, audience, expected):
    rows = db.session.execute(select(announcements.recipients_query(audience))).all()
    assert sorted(row.email.split("@")[0] for row in rows) == sorted(expected)


def test_mine_means_the_families_assigned_to_the_author(db, agency):
    rows = db.session.execute(select(announcements.recipients_query({"homefinder_id": agency.id}))).all()
    assert {row.email.split("@")[0] for row in rows} == {"garcia-0", "lopez-0"}


def test_send_goes_to_each_person_in_their_language_and_is_recorded(client, db, agency, login):
    staff = login(Role.HOMEFINDER)
    preview = post_form(client, "/licensing/staff/announcements/new", BOTH)
    response = post_form(client, "/licensing/staff/announcements/new",
                         dict(BOTH, action="send", send_key=send_key(preview)))
    assert response.status_code == 303
    sent = outbox(db)
    assert set(sent) == {"garcia-0@example.com", "smith-0@example.com", "smith-1@example.com",
                         "lopez-0@example.com", "rosa@example.com"}
    spanish, english = sent["garcia-0@example.com"], sent["smith-0@example.com"]
    assert spanish.locale == "es" and spanish.subject == "Picnic el sábado"
    assert "Acompáñenos en el parque.\nTraiga un plato." in spanish.body_text
    assert "Acompáñenos en el parque.<br>Traiga un plato." in spanish.body_html
    assert sent["rosa@example.com"].locale == "es"  # a lead without an account, at the lead's address
    assert english.locale == "en" and english.subject == "Picnic on Saturday"
    assert "See you &lt;there&gt; &amp; soon!" in english.body_html and "<there>" not in english.body_html
    assert "See you <there> & soon!" in english.body_text  # the text copy is the author's words as written
    announcement = db.session.scalar(select(Announcement))
    assert announcement.recipient_count == 5 and announcement.author_id == staff.id
    assert announcement.audience == {"stage": "", "language": "", "homefinder_id": None}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "announcement_sent"))
    assert event.actor_id == staff.id and event.target_id == announcement.id and event.details["recipients"] == 5
    listing = text_of(client.get("/licensing/staff/announcements"))
    assert "Picnic on Saturday" in listing and staff.full_name in listing and "1 announcement sent in all" in listing
    assert "Every family in the pipeline or licensed (not closed)" in listing
    # Searched as every staff list: the Spanish subject, accents or not.
    assert "Picnic on Saturday" in text_of(client.get("/licensing/staff/announcements?q=SABADO"))
    assert "0 announcements sent in all" in text_of(client.get("/licensing/staff/announcements?q=concert"))


def test_without_a_spanish_version_spanish_readers_get_the_english_one(client, db, agency, login):
    login(Role.ADMIN)
    preview = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, language="es"))
    post_form(client, "/licensing/staff/announcements/new",
              dict(ENGLISH_ONLY, language="es", action="send", send_key=send_key(preview)))
    sent = outbox(db)
    assert set(sent) == {"garcia-0@example.com", "lopez-0@example.com", "rosa@example.com"}
    assert {m.locale for m in sent.values()} == {"en"} and {m.subject for m in sent.values()} == {"Picnic on Saturday"}
    assert "Hello," in sent["rosa@example.com"].body_text


def test_send_twice_or_changed_after_preview_sends_once_and_only_what_was_previewed(client, db, agency, login):
    login(Role.HOMEFINDER)
    preview = post_form(client, "/licensing/staff/announcements/new", dict(BOTH, stage="licensed"))
    key = send_key(preview)
    changed = post_form(client, "/licensing/staff/announcements/new",
                        dict(BOTH, stage="", action="send", send_key=key))
    assert changed.status_code == 200 and "check the new preview" in text_of(changed)
    assert outbox(db) == {}
    send = dict(BOTH, stage="", action="send", send_key=send_key(changed))
    assert post_form(client, "/licensing/staff/announcements/new", send).status_code == 303
    again = post_form(client, "/licensing/staff/announcements/new", send)
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1
    assert len(outbox(db)) == 5


def test_spanish_needs_both_subject_and_message_or_neither(client, db, agency, login):
    login(Role.HOMEFINDER)
    response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, subject_es="Hola"))
    assert response.status_code == 422 and "Enter the message in Spanish too" in text_of(response)
    response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, body_es="Hola"))
    assert response.status_code == 422 and "Enter the subject in Spanish too" in text_of(response)
    response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, subject_en=""))
    assert response.status_code == 422 and "Enter the subject in English." in text_of(response)
    for blank in ("   ", " \r\n\t "):  # nothing left once made one line
        response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, subject_en=blank))
        assert response.status_code == 422 and "Enter the subject in English." in text_of(response)
    response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, stage="nonsense"))
    assert response.status_code == 422
    assert outbox(db) == {}


def test_a_subject_is_one_line(client, db, agency, login):
    login(Role.HOMEFINDER)
    data = dict(ENGLISH_ONLY, subject_en="Picnic\r\nBcc: everyone@example.com", stage="inquiry")
    preview = post_form(client, "/licensing/staff/announcements/new", data)
    post_form(client, "/licensing/staff/announcements/new", dict(data, action="send", send_key=send_key(preview)))
    assert outbox(db)["rosa@example.com"].subject == "Picnic Bcc: everyone@example.com"


def _more_families(db, start: int, count: int) -> None:
    for n in range(start, start + count):
        family(db, f"Extra {n}", "es" if n % 2 else "en", "licensed")
        lead_only(db, f"Prospect{n}", "es" if n % 2 else "en")


def test_the_send_runs_no_query_per_person(client, db, agency, login, count_queries):
    """At two sizes the send runs the same statements but for the outbox's batched INSERTs."""
    login(Role.HOMEFINDER)

    def send_all() -> list[str]:
        preview = post_form(client, "/licensing/staff/announcements/new", BOTH)
        with count_queries() as counter:
            response = post_form(client, "/licensing/staff/announcements/new",
                                 dict(BOTH, action="send", send_key=send_key(preview)))
        assert response.status_code == 303
        return [s for s in counter.statements]

    small = send_all()
    _more_families(db, 0, 20)
    large = send_all()
    selects = [s for s in large if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len([s for s in small if s.lstrip().upper().startswith("SELECT")])
    assert len(large) == len(small)
    assert db.session.scalar(select(Announcement.recipient_count).order_by(Announcement.id.desc()).limit(1)) == 45


def test_families_never_reach_announcements_or_events(client, db, agency, login):
    login(Role.FAMILY)
    assert client.get("/licensing/staff/announcements").status_code == 403
    assert client.get("/licensing/staff/announcements/new").status_code == 403
    assert post_form(client, "/licensing/staff/announcements/new", BOTH).status_code == 403
    assert client.get("/licensing/staff/events").status_code == 403
    assert outbox(db) == {}


def test_delivered_after_the_commit_when_mail_goes_out_inline(app, client, db, agency, login, monkeypatch):
    """In development mail leaves right after the request commits: every copy of the announcement, no other."""
    monkeypatch.setitem(app.config, "MAIL_DELIVER_INLINE", True)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    login(Role.HOMEFINDER)
    preview = post_form(client, "/licensing/staff/announcements/new", dict(BOTH, stage="licensed"))
    post_form(client, "/licensing/staff/announcements/new",
              dict(BOTH, stage="licensed", action="send", send_key=send_key(preview)))
    sent = outbox(db)
    assert len(sent) == 3
    for message in sent.values():
        db.session.refresh(message)
    assert {message.status.value for message in sent.values()} == {"logged"}


def test_names_in_the_preview_are_text_not_markup(client, db, agency, login):
    lead_only(db, "<b>Bold</b>", "en")
    login(Role.HOMEFINDER)
    response = post_form(client, "/licensing/staff/announcements/new", dict(ENGLISH_ONLY, stage="inquiry"))
    body = response.get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; Prospect" in body and "<b>Bold</b>" not in body


def test_the_same_send_replayed_with_the_old_cookie_sends_nothing_more(app, client, db, agency, login):
    """The one-time key lives in the browser's (signed) cookie too: sending the same request again with the cookie
    as it was before the send must not send again. The key is kept, unique, with the announcement."""
    login(Role.HOMEFINDER)
    preview = post_form(client, "/licensing/staff/announcements/new", dict(BOTH, stage=""))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    send = dict(BOTH, stage="", action="send", send_key=send_key(preview),
                csrf_token=csrf_token(client))
    assert client.post("/licensing/staff/announcements/new", data=send).status_code == 303
    sent = len(outbox(db))
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)  # the cookie from before the send
    replay = client.post("/licensing/staff/announcements/new", data=send)
    assert replay.status_code == 303
    assert "nothing more was sent" in text_of(client.get("/licensing/staff/announcements"))
    assert len(outbox(db)) == sent
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1
