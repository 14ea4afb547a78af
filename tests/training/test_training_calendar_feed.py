"""The family's training calendar as iCalendar: enrolled session meetings (make-ups only for their meetings) and
answered group meetings, in the agency's time zone with its VTIMEZONE, cancelled ones STATUS:CANCELLED, stable UIDs;
the private feed answers only to a live token of its own family."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import update

from portal.database import now_utc
from portal.i18n import local_to_utc
from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.groups_support import add_meeting, enroll, family_with_applicants, join, make_group
from training.catalog.models import EnrollmentStatus
from training.groups.models import GroupMeeting, GroupRsvp, MeetingStatus, RsvpStatus

FEED_RE = re.compile(r"(/training/calendar/feed/[A-Za-z0-9_-]+\.ics)")


def events_of(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def local(app, days: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time that is hour:minute on the agency's wall clock `days` from now."""
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    day = (datetime.now(zone) + timedelta(days=days)).date()
    with app.app_context():
        return local_to_utc(datetime(day.year, day.month, day.day, hour, minute))  # noqa: DTZ001 (agency wall clock)


def rsvp_row(app, meeting_id: int, household_id: int, status: RsvpStatus = RsvpStatus.GOING) -> None:
    from portal.extensions import db as portal_db

    with app.app_context():
        portal_db.session.add(GroupRsvp(meeting_id=meeting_id, household_id=household_id, status=status))
        portal_db.session.commit()


def test_download_has_sessions_and_groups_in_the_agency_zone(app, db, client, make_user):
    family, (first, second) = family_with_applicants(app, make_user)
    staff = make_user(Role.HOMEFINDER)
    # A two-meeting course both applicants take (one event per meeting, not per person).
    session_id, (m1, m2) = enroll(app, first, family.household_id, [local(app, 3, 9), local(app, 10, 9)])
    enroll(app, second, family.household_id, [], session_id=session_id)
    # A make-up: only meeting 2 of another session of some course.
    _, (other1, other2) = enroll(app, first, family.household_id, [local(app, 4, 18), local(app, 11, 18)],
                                 title="CPR", makeup=[2])
    # Waitlisted enrollments are not in the calendar (cancelled ones stay, as cancelled: see below).
    _, (waiting,) = enroll(app, first, family.household_id, [local(app, 5, 10)], title="Wait",
                           status=EnrollmentStatus.WAITLISTED)
    group_id = make_group(app, staff)
    going = add_meeting(app, group_id, local(app, 6, 18, 45))
    cancelled = add_meeting(app, group_id, local(app, 13, 18, 45))
    withdrawn = add_meeting(app, group_id, local(app, 20, 18, 45))
    not_answered = add_meeting(app, group_id, local(app, 27, 18, 45))
    join(app, family.household_id, group_id)
    for meeting_id in (going, cancelled):
        rsvp_row(app, meeting_id, family.household_id)
    rsvp_row(app, withdrawn, family.household_id, RsvpStatus.CANCELLED)
    db.session.execute(update(GroupMeeting).where(GroupMeeting.id == cancelled)
                       .values(status=MeetingStatus.CANCELLED, sequence=1))
    db.session.commit()

    sign_in(client, family)
    response = client.get("/training/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    zone = app.config["PORTAL_TIMEZONE"]
    assert b"BEGIN:VTIMEZONE" in body and f"TZID:{zone}".encode() in body
    events = events_of(body)
    host = "localhost"
    assert set(events) == {f"training-meeting-{m1}@{host}", f"training-meeting-{m2}@{host}",
                           f"training-meeting-{other2}@{host}", f"group-meeting-{going}@{host}",
                           f"group-meeting-{cancelled}@{host}", f"group-meeting-{withdrawn}@{host}"}, events.keys()
    assert f"training-meeting-{other1}@{host}" not in events and f"training-meeting-{waiting}@{host}" not in events
    start = events[f"group-meeting-{going}@{host}"]["DTSTART"]
    assert start.params["TZID"] == zone
    assert (start.dt.hour, start.dt.minute) == (18, 45)
    assert f"DTSTART;TZID={zone}:".encode() in body
    assert str(events[f"group-meeting-{going}@{host}"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"group-meeting-{cancelled}@{host}"]["STATUS"]) == "CANCELLED"
    assert str(events[f"group-meeting-{withdrawn}@{host}"]["STATUS"]) == "CANCELLED"
    assert events[f"training-meeting-{m1}@{host}"]["DTSTART"].dt.hour == 9
    assert str(events[f"training-meeting-{m1}@{host}"]["SUMMARY"]) == "Trauma-informed care"
    # The same UIDs on the next download: calendar apps update events instead of adding copies.
    assert set(events_of(client.get("/training/calendar.ics").get_data())) == set(events)
    assert not_answered not in {going, cancelled, withdrawn}


def subscribe(client) -> str:
    response = post_form(client, "/training/calendar/subscription")
    assert response.status_code == 200
    match = FEED_RE.search(response.get_data(as_text=True))
    assert match, "no subscription link on the page"
    return match.group(1)


def test_the_feed_answers_only_to_its_own_live_token(app, db, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff)
    meeting_a = add_meeting(app, group_id, now_utc() + timedelta(days=3))
    meeting_b = add_meeting(app, group_id, now_utc() + timedelta(days=4))
    family_a, _ = family_with_applicants(app, make_user)
    family_b, _ = family_with_applicants(app, make_user, locale="es")
    rsvp_row(app, meeting_a, family_a.household_id)
    rsvp_row(app, meeting_b, family_b.household_id)
    device_a, device_b, anonymous = app.test_client(), app.test_client(), app.test_client()
    sign_in(device_a, family_a)
    sign_in(device_b, family_b)
    feed_a, feed_b = subscribe(device_a), subscribe(device_b)

    # Signed out (a calendar app): the token is the key, and it opens only its own family's items.
    answer_a = anonymous.get(feed_a)
    assert answer_a.status_code == 200 and "inline" in answer_a.headers["Content-Disposition"]
    assert set(events_of(answer_a.get_data())) == {f"group-meeting-{meeting_a}@localhost"}
    assert set(events_of(device_a.get(feed_b).get_data())) == {f"group-meeting-{meeting_b}@localhost"}
    assert anonymous.get("/training/calendar/feed/" + "x" * 43 + ".ics").status_code == 404
    assert anonymous.get("/training/calendar/feed/%00%27%3Cscript%3E.ics").status_code == 404
    assert anonymous.get("/training/calendar/feed/" + "a" * 5000 + ".ics").status_code == 404

    # A new link kills the old one; stopping it kills the new one.
    newer_a = subscribe(device_a)
    assert anonymous.get(feed_a).status_code == 404
    assert anonymous.get(newer_a).status_code == 200
    assert post_form(device_a, "/training/calendar/subscription/revoke").status_code == 303
    assert anonymous.get(newer_a).status_code == 404
    assert anonymous.get(feed_b).status_code == 200  # the other family's link is untouched


def test_month_page_lists_the_family_items_only(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff)
    when = local(app, 2, 18, 45)
    mine = add_meeting(app, group_id, when)
    family, _ = family_with_applicants(app, make_user)
    other, (stranger, _) = family_with_applicants(app, make_user)
    rsvp_row(app, mine, family.household_id)
    enroll(app, stranger, other.household_id, [when], title="Someone else's class")
    sign_in(client, family)
    month = when.astimezone(ZoneInfo(app.config["PORTAL_TIMEZONE"])).strftime("%Y-%m")
    page = text_of(client.get(f"/training/calendar?month={month}"))
    assert "Parent circle" in page and "Someone else's class" not in page
    for hostile in ("2026-13", "abcd-ef", "99999-01", "2026-1", "-2026-01", "\uff12\uff10\uff12\uff16-\uff10\uff11"):
        assert client.get(f"/training/calendar?month={hostile}").status_code == 200


def test_cancelled_enrollments_and_sessions_stay_as_cancelled_and_moved_meetings_bump_the_sequence(
        app, db, client, make_user):
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from portal.extensions import db as portal_db
    from portal.models import User
    from training.catalog.models import Course, CourseSession, Enrollment, SessionStatus
    from training.catalog.services import MeetingPlan, save_session

    family, (first, second) = family_with_applicants(app, make_user)
    staff = make_user(Role.ADMIN)
    kept, (kept1, kept2) = enroll(app, first, family.household_id, [local(app, 3, 9), local(app, 10, 9)])
    # The family cancelled one class; staff cancelled another session; in a third, one of two people cancelled.
    _, (dropped,) = enroll(app, first, family.household_id, [local(app, 4, 9)], title="Dropped",
                           status=EnrollmentStatus.CANCELLED)
    gone, (gone1,) = enroll(app, first, family.household_id, [local(app, 5, 9)], title="Gone")
    shared, (shared1,) = enroll(app, first, family.household_id, [local(app, 6, 9)], title="Shared",
                                status=EnrollmentStatus.CANCELLED)
    enroll(app, second, family.household_id, [], session_id=shared)
    db.session.execute(update(CourseSession).where(CourseSession.id == gone).values(status=SessionStatus.CANCELLED))
    db.session.execute(update(Enrollment).where(Enrollment.session_id == gone)
                       .values(status=EnrollmentStatus.CANCELLED))
    db.session.commit()
    with app.app_context():  # staff move meeting 2 of the kept session one hour later, same place
        run = portal_db.session.scalar(select(CourseSession).options(selectinload(CourseSession.meetings))
                                       .where(CourseSession.id == kept))
        course = portal_db.session.get(Course, run.course_id)
        plans = [MeetingPlan(m.starts_at + timedelta(hours=1 if m.number == 2 else 0), m.duration_minutes, m.place,
                             m.virtual_link) for m in sorted(run.meetings, key=lambda m: m.number)]
        save_session(portal_db.session.get(User, staff.id), course, run,
                     {"capacity": 20, "childcare_capacity": 0}, plans)
        portal_db.session.commit()

    sign_in(client, family)
    events = events_of(client.get("/training/calendar.ics").get_data())
    host = "localhost"

    def event(meeting_id):
        return events[f"training-meeting-{meeting_id}@{host}"]

    assert str(event(dropped)["STATUS"]) == "CANCELLED" and str(event(gone1)["STATUS"]) == "CANCELLED"
    assert str(event(shared1)["STATUS"]) == "CONFIRMED"  # the other person still goes
    assert str(event(kept1)["STATUS"]) == "CONFIRMED" and int(event(kept1)["SEQUENCE"]) == 0
    assert int(event(kept2)["SEQUENCE"]) == 1 and event(kept2)["DTSTART"].dt.hour == 10
    assert int(event(dropped)["SEQUENCE"]) == 1
