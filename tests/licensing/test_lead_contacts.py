"""A homefinder logs calls, texts, emails and visits with a family: the first sets the hours to first contact, a new
lead becomes contacted, the follow-up asked for lands on the dashboard; an inquiry unanswered for more than one
business day (weekends not counted) is flagged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from licensing.recruitment.models import ContactKind, ContactOutcome, Lead, LeadContact, LeadStatus
from portal.clock import agency_now, agency_today, business_day_cutoff, first_contact_due, past_one_business_day
from portal.database import now_utc
from portal.models import AuditEvent, Role
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.test_recruitment import INQUIRY

LOS_ANGELES_OFFSET = timedelta(hours=8)  # November: Pacific standard time (the tests' PORTAL_TIMEZONE)


def pacific(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) + LOS_ANGELES_OFFSET


def add_lead(db, *, hours_ago: float = 2, status: LeadStatus = LeadStatus.NEW, email: str = "ana@example.com",
             **values) -> Lead:
    lead = Lead(first_name="Ana", last_name="Flores", email=email, source="search", interest="foster",
                status=status, created_at=now_utc() - timedelta(hours=hours_ago), **values)
    db.session.add(lead)
    db.session.commit()
    return lead


def typed_now(app, minutes: int = 0) -> str:
    with app.app_context():
        return (agency_now() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def typed_day(app, days: int) -> str:
    with app.app_context():
        return (agency_today() + timedelta(days=days)).isoformat()


@pytest.fixture
def staff(app, db, make_user):
    client = app.test_client()
    homefinder = make_user(Role.HOMEFINDER, full_name="Hana Finder")
    sign_in(client, homefinder)
    client.user = homefinder
    return client


def log(client, lead: Lead, **values):
    return post_form(client, f"/licensing/staff/leads/{lead.id}/contacts", values)


# -- logging a contact -------------------------------------------------------------------------------------------


def test_a_logged_contact_sets_the_first_contact_once_moves_a_new_lead_and_keeps_the_follow_up(app, db, staff):
    lead = add_lead(db, hours_ago=5)
    first = log(staff, lead, kind="call", outcome="left_message", contacted_at=typed_now(app, -60),
                next_follow_up_on=typed_day(app, 2), notes="Left a voicemail about Thursday's session.")
    assert first.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    # A voicemail is an attempt: the new inquiry moves on (someone reached out), the first contact waits.
    assert lead.status is LeadStatus.CONTACTED
    assert lead.first_contact_at is None
    with app.app_context():
        assert lead.next_follow_up_on == agency_today() + timedelta(days=2)
    assert lead.assigned_homefinder_id == staff.user.id

    # A second contact that reached them: the first contact; the follow-up is the new one's (none clears it).
    log(staff, lead, kind="text", outcome="reached", contacted_at=typed_now(app), notes="They will come.")
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    first_contact = lead.first_contact_at
    assert timedelta(0) <= now_utc() - first_contact < timedelta(minutes=2)
    assert lead.next_follow_up_on is None
    assert lead.status is LeadStatus.CONTACTED

    # A third that reached them too: the first contact stays.
    log(staff, lead, kind="call", outcome="reached", contacted_at=typed_now(app), notes="Called back.")
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).first_contact_at == first_contact

    events = db.session.execute(select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status,
                                       AuditEvent.actor_id, AuditEvent.details)
                                .where(AuditEvent.target_type == "Lead", AuditEvent.target_id == lead.id)
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("lead_contact_logged", "new", "contacted"), ("lead_contact_logged", None, None),
        ("lead_contact_logged", None, None)]
    assert {e.actor_id for e in events} == {staff.user.id}
    assert events[0].details["kind"] == "call" and events[0].details["outcome"] == "left_message"
    assert "follow_up" not in events[1].details

    page = staff.get(f"/licensing/staff/leads/{lead.id}")
    history = page.get_data(as_text=True).split('id="contact-history"')[1].split("</ol>")[0]
    # Newest first, with how, how it went and who.
    assert history.index("They will come.") < history.index("Left a voicemail")
    text = text_of(page)
    assert "Text message — Talked with them" in text and "Phone call — Left a message" in text
    assert "Hana Finder" in text and re.search(r"after 3 hours|after 4 hours", text)


def test_the_first_contact_is_the_earliest_that_reached_them_and_the_follow_up_the_newest_contacts(app, db, staff):
    lead = add_lead(db, hours_ago=10)
    log(staff, lead, kind="call", outcome="no_answer", contacted_at=typed_now(app, -240),
        next_follow_up_on=typed_day(app, 1))
    log(staff, lead, kind="call", outcome="reached", contacted_at=typed_now(app, -60),
        next_follow_up_on=typed_day(app, 3))
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert timedelta(minutes=55) < now_utc() - lead.first_contact_at < timedelta(minutes=62)
    with app.app_context():
        assert lead.next_follow_up_on == agency_today() + timedelta(days=3)
    # A call that reached them two hours earlier, typed in late: the first contact moves back to it, and the
    # follow-up stays the one the newest contact asked for.
    log(staff, lead, kind="call", outcome="reached", contacted_at=typed_now(app, -180),
        next_follow_up_on=typed_day(app, 7))
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert timedelta(minutes=175) < now_utc() - lead.first_contact_at < timedelta(minutes=182)
    with app.app_context():
        assert lead.next_follow_up_on == agency_today() + timedelta(days=3)


def test_a_lead_further_along_is_not_moved_back(app, db, staff):
    lead = add_lead(db, status=LeadStatus.ATTENDED)
    log(staff, lead, kind="visit", outcome="reached", contacted_at=typed_now(app))
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.status is LeadStatus.ATTENDED and lead.first_contact_at is not None


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"kind": "", "outcome": "reached"}, "kind", "Choose how you contacted them."),
    ({"kind": "call", "outcome": "reached", "contacted_at": "+90"}, "contacted_at",
     "A contact can't be in the future: enter when it happened."),
    ({"kind": "call", "outcome": "reached", "contacted_at": ""}, "contacted_at", "Enter when it happened."),
    ({"kind": "call", "outcome": "reached", "next_follow_up_on": "-1"}, "next_follow_up_on",
     "Choose today or a later day for the follow-up."),
    ({"kind": "call", "outcome": "reached", "notes": "x" * 2001}, "notes", "Use at most 2000 characters."),
    ({"kind": "call", "outcome": "reached", "contacted_at": "-600"}, "contacted_at",
     "The contact can't be before the inquiry arrived."),
])
def test_a_wrong_contact_is_said_beside_its_field_and_what_was_typed_stays(app, db, staff, values, field, message):
    lead = add_lead(db, hours_ago=2)
    form = {"notes": "Asked about respite.", "contacted_at": typed_now(app, -5), **values}
    if form["contacted_at"].startswith(("+", "-")):
        form["contacted_at"] = typed_now(app, int(form["contacted_at"]) * 1)
    if form.get("next_follow_up_on", "").startswith("-"):
        form["next_follow_up_on"] = typed_day(app, int(form["next_follow_up_on"]))
    answer = log(staff, lead, **form)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    beside = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', body, re.S)
    assert beside and message in text_of_html(beside.group(1))
    # What was typed comes back.
    if field != "notes":
        assert "Asked about respite." in body
    if values.get("kind"):
        assert re.search(r'value="call"[^>]*checked|checked[^>]*value="call"', body)
    assert f'value="{form["contacted_at"]}"' in body or (field == "contacted_at" and not form["contacted_at"])
    db.session.expire_all()
    assert db.session.scalar(select(LeadContact.id)) is None
    assert db.session.get(Lead, lead.id).first_contact_at is None


def text_of_html(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).replace("&#39;", "'")


def test_the_page_asks_for_now_by_default_and_offers_every_way_and_outcome(app, db, staff):
    lead = add_lead(db)
    body = staff.get(f"/licensing/staff/leads/{lead.id}").get_data(as_text=True)
    assert 'name="contacted_at"' in body and f'value="{typed_now(app)[:13]}' in body
    for kind in ContactKind:
        assert f'value="{kind.value}"' in body
    for outcome in ContactOutcome:
        assert f'value="{outcome.value}"' in body
    assert "No contact logged yet." in text_of(staff.get(f"/licensing/staff/leads/{lead.id}"))


def test_families_cannot_log_contacts_nor_see_the_follow_ups(app, db, client, make_user):
    lead = add_lead(db)
    for role in (Role.APPLICANT, Role.FAMILY):
        family = app.test_client()
        sign_in(family, make_user(role))
        assert log(family, lead, kind="call", outcome="reached", contacted_at=typed_now(app)).status_code == 404
        assert family.get("/licensing/staff/leads?due=today").status_code == 403
        assert "Follow-ups due" not in text_of(family.get("/dashboard"))
    assert log(client, lead, kind="call", outcome="reached").status_code == 302  # signed out: to the sign-in page
    db.session.expire_all()
    assert db.session.scalar(select(LeadContact.id)) is None


# -- follow-ups ------------------------------------------------------------------------------------------------------


def test_a_follow_up_due_today_is_on_the_dashboard_and_in_the_due_list(app, db, staff):
    today_lead = add_lead(db, email="today@example.com")
    later_lead = add_lead(db, email="later@example.com")
    later_lead.first_name = "Bruno"
    db.session.commit()
    log(staff, later_lead, kind="call", outcome="reached", contacted_at=typed_now(app),
        next_follow_up_on=typed_day(app, 1))
    assert "Ana Flores" not in text_of(staff.get("/dashboard"))
    log(staff, today_lead, kind="email", outcome="reached", contacted_at=typed_now(app),
        next_follow_up_on=typed_day(app, 0))
    page = staff.get("/dashboard").get_data(as_text=True)
    follow_ups = page.split('id="follow-ups"')[1].split("</ul>")[0]
    assert f'href="/licensing/staff/leads/{today_lead.id}"' in follow_ups and "Ana Flores" in follow_ups
    assert "Bruno" not in follow_ups
    due = text_of(staff.get("/licensing/staff/leads?due=today"))
    assert "Ana Flores" in due and "Bruno Flores" not in due
    # Logging the follow-up's contact with no new follow-up takes it off the dashboard.
    log(staff, today_lead, kind="call", outcome="reached", contacted_at=typed_now(app))
    assert "No follow-ups due today." in text_of(staff.get("/dashboard"))


# -- one business day -----------------------------------------------------------------------------------------------


def test_a_friday_evening_inquiry_is_not_late_over_the_weekend_but_is_on_monday_evening(app):
    arrived = pacific(2026, 11, 27, 18)  # Friday 6 p.m. in Los Angeles
    assert arrived.astimezone(UTC).weekday() == 5  # (Saturday 2 a.m. in UTC: the agency's zone decides)
    with app.app_context():
        assert not past_one_business_day(arrived, pacific(2026, 11, 28, 20))  # Saturday evening
        assert not past_one_business_day(arrived, pacific(2026, 11, 29, 23, 59))  # Sunday night
        assert not past_one_business_day(arrived, pacific(2026, 11, 30, 17, 59))  # Monday before 6 p.m.
        assert past_one_business_day(arrived, pacific(2026, 11, 30, 18, 1))  # Monday evening: late
        # Within the week, one day is one day.
        assert not past_one_business_day(pacific(2026, 11, 24, 9), pacific(2026, 11, 25, 8, 59))
        assert past_one_business_day(pacific(2026, 11, 24, 9), pacific(2026, 11, 25, 9, 1))
        # An inquiry sent on Saturday waits from Monday morning.
        assert not past_one_business_day(pacific(2026, 11, 28, 10), pacific(2026, 11, 30, 23, 59))
        assert past_one_business_day(pacific(2026, 11, 28, 10), pacific(2026, 12, 1, 0, 1))
        # The cutoff of a Sunday is the start of Friday.
        assert business_day_cutoff(pacific(2026, 11, 29, 12)) == pacific(2026, 11, 27, 0)


def test_the_first_contact_deadline_is_one_business_day_after_the_inquiry(app):
    with app.app_context():
        assert first_contact_due(pacific(2026, 11, 27, 18)) == pacific(2026, 11, 30, 18)  # Friday: Monday
        assert first_contact_due(pacific(2026, 11, 28, 10)) == pacific(2026, 12, 1, 0)  # Saturday: Tuesday 00:00
        assert first_contact_due(pacific(2026, 11, 24, 9)) == pacific(2026, 11, 25, 9)  # Tuesday: Wednesday
        # Across the clock change: 24 real hours of weekdays (Friday 9 a.m. PDT is Monday 9 a.m. PST).
        assert first_contact_due(datetime(2025, 10, 31, 16, tzinfo=UTC)) == datetime(2025, 11, 3, 17, tzinfo=UTC)


def test_the_deadline_and_the_cutoff_agree(app):
    """Late by the stored deadline (due < now) is late by the cutoff (arrived < cutoff(now)), every hour of a few
    weeks around a clock change."""
    start = datetime(2025, 10, 20, tzinfo=UTC)
    with app.app_context():
        for hour in range(0, 24 * 21, 5):
            arrived = start + timedelta(hours=hour, minutes=17)
            for after in (20, 24, 47, 49, 71, 73, 95, 97):
                now = arrived + timedelta(hours=after)
                assert (first_contact_due(arrived) < now) == (arrived < business_day_cutoff(now)), (arrived, now)


def test_a_lead_gets_its_deadline_when_it_asks(app, db, client):
    answer = post_form(client, "/licensing/inquiry", dict(INQUIRY, email="rita@example.com"))
    assert answer.status_code == 200
    lead = db.session.scalar(select(Lead).where(Lead.email == "rita@example.com"))
    with app.app_context():
        assert lead.first_contact_due_at == first_contact_due(lead.created_at)


def test_the_uncontacted_queue_lists_new_inquiries_nobody_reached_out_to(app, db, staff):
    add_lead(db, email="waiting@example.com")
    add_lead(db, email="tried@example.com", status=LeadStatus.CONTACTED)
    add_lead(db, email="closed@example.com", status=LeadStatus.CLOSED)
    text = text_of(staff.get("/licensing/staff/leads?queue=uncontacted"))
    assert "of 1" in text and "Only new inquiries not contacted yet." in text
    assert "of 3" in text_of(staff.get("/licensing/staff/leads?queue=bogus"))  # an unknown queue: every inquiry


def test_a_business_day_across_the_clock_change_is_24_real_hours(app):
    with app.app_context():
        # Sunday 2 November 2025 the clocks went back: Monday 9 a.m. PST, one business day back is Friday 9 a.m. PDT.
        monday = datetime(2025, 11, 3, 17, tzinfo=UTC)  # 9 a.m. PST
        assert business_day_cutoff(monday) == datetime(2025, 10, 31, 16, tzinfo=UTC)  # Friday 9 a.m. PDT


def test_each_new_inquiry_shows_its_hours_and_a_flag_past_one_business_day(app, db, staff):
    fresh = add_lead(db, hours_ago=5, email="fresh@example.com")
    old = add_lead(db, hours_ago=24 * 5, email="old@example.com")
    answered = add_lead(db, hours_ago=30, email="answered@example.com", status=LeadStatus.CONTACTED,
                        first_contact_at=now_utc() - timedelta(hours=26.5))
    body = staff.get("/licensing/staff/leads").get_data(as_text=True)
    rows = {lead.id: text_of_html(body.split(f"/licensing/staff/leads/{lead.id}\"")[1].split("</tr>")[0])
            for lead in (fresh, old, answered)}
    assert "Waiting 5 hours" in rows[fresh.id] and "Past one business day" not in rows[fresh.id]
    assert "Waiting 5 days" in rows[old.id] and "Past one business day" in rows[old.id]
    assert "Contacted after 3 hours" in rows[answered.id] and "Past one business day" not in rows[answered.id]


def test_the_due_filter_keeps_its_choice(app, db, staff):
    body = staff.get("/licensing/staff/leads?due=today").get_data(as_text=True)
    assert re.search(r'name="due" value="today" checked', body)  # a plain checkbox: no script needed
