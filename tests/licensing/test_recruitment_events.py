"""Recruitment events: staff add and change them (a unique source code), inquiries name them (a `?source=` link or
a typed code), and each event's page counts the inquiries and licensed families it brought."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from licensing.application.models import Application
from licensing.recruitment.models import EventKind, Interest, Lead, LeadInquiry, LeadSource, RecruitmentEvent
from licensing.tracker.models import License, LicenseStatus, LicenseType
from portal.models import AuditEvent, Household, Role
from tests.conftest import post_form, text_of
from tests.licensing.test_recruitment import INQUIRY

EVENT = {"name": "Spring resource fair", "kind": "fair", "source_code": "fair-2026-spring ", "starts_on": "2026-04-18",
         "ends_on": "", "language": "es", "county": "Fresno", "notes": "Booth 12"}


def add_event(db, code: str = "CHURCH-1", name: str = "Talk at St. Mary's", **kwargs) -> RecruitmentEvent:
    event = RecruitmentEvent(name=name, kind=EventKind.FAITH_TALK, source_code=code, starts_on=date(2026, 3, 1),
                             **kwargs)
    db.session.add(event)
    db.session.commit()
    return event


def test_staff_add_an_event_with_its_code_in_capitals_and_it_is_recorded(client, db, login):
    staff = login(Role.HOMEFINDER)
    response = post_form(client, "/licensing/staff/events", EVENT)
    assert response.status_code == 303
    event = db.session.scalar(select(RecruitmentEvent))
    assert event.source_code == "FAIR-2026-SPRING" and event.language == "es" and event.created_by_id == staff.id
    assert response.headers["Location"].endswith(f"/licensing/staff/events/{event.id}")
    recorded = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recruitment_event_created"))
    assert recorded.actor_id == staff.id and recorded.target_id == event.id
    page = text_of(client.get(f"/licensing/staff/events/{event.id}"))
    assert "/licensing/inquiry?source=FAIR-2026-SPRING" in page
    listing = text_of(client.get("/licensing/staff/events"))
    assert "Spring resource fair" in listing and "1 event in all" in listing


def test_an_event_form_refuses_bad_codes_and_dates_and_keeps_what_was_typed(client, db, login):
    login(Role.HOMEFINDER)
    for code, message in [("AB", "Use 3 to 40 letters"), ("FAIR 2026", "Use 3 to 40 letters"),
                          ("FERIA-ÑANDÚ", "Use 3 to 40 letters"), ("X" * 41, "Use 3 to 40 letters"),
                          ("", "Enter a source code.")]:
        response = post_form(client, "/licensing/staff/events", dict(EVENT, source_code=code))
        assert response.status_code == 422, code
        assert message in text_of(response) and 'value="Spring resource fair"' in response.get_data(as_text=True)
    response = post_form(client, "/licensing/staff/events", dict(EVENT, ends_on="2026-04-01"))
    assert response.status_code == 422 and "The last day can't be before the first day." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(RecruitmentEvent)) == 0


def test_a_code_taken_by_another_event_is_said_beside_the_field(client, db, login):
    login(Role.HOMEFINDER)
    add_event(db, code="FAIR-2026-SPRING", name="The other fair")
    response = post_form(client, "/licensing/staff/events", EVENT)
    assert response.status_code == 422
    assert "The code FAIR-2026-SPRING is taken by “The other fair”. Choose another one." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(RecruitmentEvent)) == 1


def test_a_code_taken_at_the_same_moment_is_refused_not_a_500(client, db, login, monkeypatch):
    """Two homefinders saving the same code at once: the form's check passed for both; the unique index decides."""
    login(Role.HOMEFINDER)
    add_event(db, code="FAIR-2026-SPRING")
    monkeypatch.setattr("licensing.recruitment.forms.RecruitmentEventForm.validate_source_code",
                        lambda self, field: None)
    response = post_form(client, "/licensing/staff/events", EVENT)
    assert response.status_code == 422
    assert "The code FAIR-2026-SPRING is taken by another event." in text_of(response)


def test_edit_an_event_keeps_its_own_code_and_refuses_another_events(client, db, login):
    login(Role.HOMEFINDER)
    event = add_event(db, code="CHURCH-1")
    add_event(db, code="SCHOOL-1", name="School talk")
    changed = dict(EVENT, name="Talk at St. Mary's, evening", source_code="CHURCH-1", kind="faith_talk")
    response = post_form(client, f"/licensing/staff/events/{event.id}", changed)
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.name == "Talk at St. Mary's, evening" and event.source_code == "CHURCH-1"
    recorded = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recruitment_event_updated"))
    assert "name" in recorded.details["changed"]
    response = post_form(client, f"/licensing/staff/events/{event.id}", dict(changed, source_code="school-1"))
    assert response.status_code == 422 and "is taken by “School talk”" in text_of(response)


def test_an_inquiry_through_a_source_link_counts_for_the_event(client, db):
    event = add_event(db, code="FAIR-2026-SPRING")
    page = client.get("/licensing/inquiry?source=fair-2026-spring")
    assert 'name="source_code"' in page.get_data(as_text=True)
    response = post_form(client, "/licensing/inquiry?source=FAIR-2026-SPRING",
                         dict(INQUIRY, source_code="FAIR-2026-SPRING"))
    assert response.status_code == 200
    lead = db.session.scalar(select(Lead))
    assert lead.event_id == event.id and lead.source is LeadSource.EVENT
    assert db.session.scalar(select(LeadInquiry.source)) is LeadSource.EVENT


def test_a_typed_code_counts_for_the_event_and_an_unknown_one_is_refused_beside_the_field(client, db):
    event = add_event(db, code="CHURCH-1")
    response = post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code="church-9"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "We don't know the code CHURCH-9." in text_of(response) and 'value="Elena"' in body
    assert 'id="event_code-error"' in body
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    response = post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code=" church-1 "))
    assert response.status_code == 200
    assert db.session.scalar(select(Lead.event_id)) == event.id


def test_an_unknown_or_hostile_link_code_is_set_aside_and_a_hostile_typed_one_refused(client, db):
    hostile = '"><script>alert(1)</script>' + "A" * 500
    page = client.get("/licensing/inquiry", query_string={"source": hostile})
    assert page.status_code == 200 and "<script>alert(1)" not in page.get_data(as_text=True)
    response = post_form(client, "/licensing/inquiry", dict(INQUIRY, source_code=hostile))
    assert response.status_code == 200  # the family can't see or fix the link's code: their inquiry still counts
    lead = db.session.scalar(select(Lead))
    assert lead.event_id is None and lead.source is LeadSource.FAITH_COMMUNITY
    for typed, status in [("<b>x</b>", 422), ("' OR 1=1 --", 422), ("X" * 41, 422), ("\x00", 400)]:
        response = post_form(client, "/licensing/inquiry", dict(INQUIRY, email="other@example.com", event_code=typed))
        assert response.status_code == status, typed  # a NUL byte is refused by the portal before any form
        assert "<b>x</b>" not in response.get_data(as_text=True)


def test_a_returning_lead_keeps_the_first_event_it_came_from(client, db):
    first, second = add_event(db, code="CHURCH-1"), add_event(db, code="SCHOOL-1", name="School talk")
    post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code="CHURCH-1"))
    post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code="SCHOOL-1"))
    assert db.session.scalar(select(Lead.event_id)) == first.id != second.id


def test_the_lead_page_shows_the_event(client, db, login):
    event = add_event(db, code="CHURCH-1")
    post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code="CHURCH-1"))
    lead = db.session.scalar(select(Lead))
    login(Role.HOMEFINDER)
    page = text_of(client.get(f"/licensing/staff/leads/{lead.id}"))
    assert "Recruitment event" in page and f"{event.name} (CHURCH-1)" in page


def _lead_from(db, event: RecruitmentEvent, n: int, licensed: bool = False, license_status=LicenseStatus.ACTIVE):
    household = Household(name=f"Household {event.source_code} {n}")
    db.session.add(household)
    db.session.flush()
    db.session.add(Lead(first_name="Lead", last_name=str(n), email=f"{event.source_code}-{n}@example.com".lower(),
                        source=LeadSource.EVENT, interest=Interest.FOSTER, event_id=event.id,
                        household_id=household.id))
    if licensed:
        application = Application(household_id=household.id)
        db.session.add(application)
        db.session.flush()
        db.session.add(License(application_id=application.id, household_id=household.id,
                               number=f"L-{event.source_code}-{n}", type=LicenseType.FOSTER, capacity=2, age_min=0,
                               age_max=12, effective_on=date(2026, 1, 1), expires_on=date(2027, 1, 1),
                               status=license_status, issued_by_id=event.created_by_id))
    db.session.commit()


def test_each_event_counts_its_inquiries_and_licensed_families_in_a_fixed_number_of_queries(
        client, db, login, count_queries):
    staff = login(Role.ADMIN)
    fair = add_event(db, code="FAIR-1", name="Fair", created_by_id=staff.id)
    talk = add_event(db, code="TALK-1", name="Talk", created_by_id=staff.id)
    _lead_from(db, fair, 1, licensed=True)
    _lead_from(db, fair, 2, licensed=True, license_status=LicenseStatus.CLOSED)  # no longer licensed
    _lead_from(db, fair, 3)
    _lead_from(db, talk, 1)
    page = client.get(f"/licensing/staff/events/{fair.id}")
    assert 'id="event-inquiries">3<' in page.get_data(as_text=True)
    assert 'id="event-licensed">1<' in page.get_data(as_text=True)
    with count_queries() as small:
        listing = client.get("/licensing/staff/events")
    assert listing.status_code == 200
    for n in range(4, 10):
        _lead_from(db, talk, n, licensed=True)
    for n in range(5):
        add_event(db, code=f"MORE-{n}", name=f"More {n}")
    with count_queries() as large:
        listing = client.get("/licensing/staff/events")
    assert large.count == small.count
    rows = listing.get_data(as_text=True)
    talk_row = rows[rows.index(">Talk<"):]
    cells = re.findall(r'<td[^>]*class="text-end"[^>]*>([^<]*)</td>', talk_row[:2000])
    assert cells[:2] == ["7", "6"]  # inquiries, licensed families


def test_the_events_list_pages_newest_first(client, db, login):
    login(Role.HOMEFINDER)
    # 50 a page, as every staff list (portal/paging.py).
    for n in range(55):
        db.session.add(RecruitmentEvent(name=f"Event {n:02d}", kind=EventKind.FAIR, source_code=f"EV-{n:02d}",
                                        starts_on=date(2026, 1, 1) + timedelta(days=n),
                                        county="Santa Bárbara" if n == 7 else ""))
    db.session.commit()
    first = text_of(client.get("/licensing/staff/events"))
    assert "55 events in all" in first and "Page 1 of 2" in first
    assert "Event 54" in first and "Event 04" not in first
    second = text_of(client.get("/licensing/staff/events?page=2"))
    assert "Event 04" in second and "Event 54" not in second
    found = text_of(client.get("/licensing/staff/events?q=barbara"))
    assert "1 event in all" in found and "Event 07" in found and "Event 54" not in found
    assert "Event 12" in text_of(client.get("/licensing/staff/events?q=ev-12"))
    assert client.get("/licensing/staff/events?page=abc").status_code == 200
    assert client.get("/licensing/staff/events?page=99999999999").status_code == 200


def test_an_event_name_and_a_typed_code_are_text_not_markup(client, db, login):
    login(Role.HOMEFINDER)
    add_event(db, code="FAIR-1", name="<img src=x onerror=alert(1)>")
    response = post_form(client, "/licensing/staff/events", dict(EVENT, source_code="FAIR-1"))
    assert response.status_code == 422 and "<img src=x" not in response.get_data(as_text=True)
    response = post_form(client, "/licensing/inquiry", dict(INQUIRY, event_code='"><img src=x onerror=alert(1)>'))
    assert response.status_code == 422 and "<img src=x" not in response.get_data(as_text=True)


def test_the_demo_has_a_fair_and_a_church_talk_with_their_inquiries(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # once only
    counts = dict(db.session.execute(select(RecruitmentEvent.source_code, func.count(Lead.id))
                                     .join(Lead, Lead.event_id == RecruitmentEvent.id)
                                     .group_by(RecruitmentEvent.source_code)).all())
    assert counts == {"FAIR-FRESNO-SPRING": 3, "IGLESIA-SANJOSE": 2}
