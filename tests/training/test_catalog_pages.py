"""The catalog's pages: staff keep courses (fee in dollars kept as cents, hours as tenths) and sessions (times typed
as the agency's wall clock); families browse by category, language and month, as a list and as a month calendar,
in their language; statement counts stay the same whatever the number of sessions and enrollments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.support import agency_today
from tests.training.catalog_support import add_applicants, add_course, add_session
from tests.training.test_enrollment_rules import make_staff
from training.catalog.lists import CATALOG_PAGE_SIZE
from training.catalog.models import Course, CourseCategory, CourseSession, Enrollment, EnrollmentStatus


def course_form(**overrides):
    form = {"title_en": "CPR and First Aid", "title_es": "RCP y primeros auxilios", "description_en": "Hands-on.",
            "description_es": "Práctico.", "category": "cpr_first_aid", "audience": "everyone",
            "credit_hours": "4.5", "fee": "45.50", "meeting_count": "2", "valid_months": "24", "active": "y"}
    form.update(overrides)
    return form


def meeting_fields(days: list[int], time: str = "18:30") -> dict:
    fields = {}
    for index, day in enumerate(days):
        fields.update({f"meetings-{index}-day": (agency_today() + timedelta(days=day)).isoformat(),
                       f"meetings-{index}-start": time, f"meetings-{index}-duration_minutes": "180",
                       f"meetings-{index}-place": "1200 Main Street", f"meetings-{index}-virtual_link": ""})
    return fields


def test_staff_add_a_course_and_a_session(app, db, client):
    sign_in(client, make_staff(db, app))
    response = post_form(client, "/training/staff/courses/new", course_form())
    assert response.status_code == 303
    course = db.session.scalar(select(Course).where(Course.title_en == "CPR and First Aid"))
    assert (course.fee_cents, course.credit_tenths, course.meeting_count, course.valid_months) == (4550, 45, 2, 24)
    assert course.category is CourseCategory.CPR_FIRST_AID

    first_day = agency_today() + timedelta(days=20)
    response = post_form(client, f"/training/staff/courses/{course.id}/sessions/new", {
        "language": "es", "instructor": "Dana", "capacity": "12", "childcare_capacity": "6",
        "enroll_by": (first_day - timedelta(days=3)).isoformat(),
        "cancel_by": (first_day - timedelta(days=5)).isoformat(),
        **meeting_fields([20, 27])})
    assert response.status_code == 303, text_of(response)[:3000]
    db.session.expire_all()
    session = db.session.scalar(select(CourseSession).where(CourseSession.course_id == course.id))
    # 6:30 p.m. at the agency, stored in UTC.
    expected = datetime.combine(first_day, time(18, 30), ZoneInfo(app.config["PORTAL_TIMEZONE"]))
    assert session.first_starts_at == expected
    assert (session.capacity, session.childcare_capacity, session.language) == (12, 6, "es")
    roster = client.get(f"/training/staff/sessions/{session.id}")
    assert roster.status_code == 200 and "0 of 12 seats taken" in text_of(roster)
    edit = client.get(f"/training/staff/sessions/{session.id}/edit")
    assert edit.status_code == 200 and 'value="18:30"' in edit.get_data(as_text=True)


@pytest.mark.parametrize("field,value,message", [
    ("fee", "-5", "Enter an amount in dollars"),
    ("fee", "NaN", "Enter an amount in dollars"),
    ("fee", "1e9", "Enter an amount in dollars"),
    ("credit_hours", "2.25", "at most one decimal"),
    ("credit_hours", "Infinity", "at most one decimal"),
    ("meeting_count", "0", "Number must be between"),
    ("meeting_count", "9" * 40, "Not a valid integer"),
    ("category", "astrology", "Not a valid choice"),
    ("title_es", "", "Enter the title in Spanish"),
])
def test_hostile_course_input_is_refused_beside_the_field(app, db, client, field, value, message):
    sign_in(client, make_staff(db, app))
    response = post_form(client, "/training/staff/courses/new", course_form(**{field: value}))
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'value="CPR and First Aid"' in response.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(select(Course)) is None


@pytest.mark.parametrize("overrides,message", [
    ({"meetings-0-day": "0001-01-01"}, "within the next three years"),
    ({"meetings-0-day": "2026-02-30"}, "Not a valid date"),
    ({"meetings-0-start": "25:99"}, "Not a valid time"),
    ({"meetings-0-place": "", "meetings-0-virtual_link": ""}, "Enter a place or a virtual meeting link"),
    ({"meetings-0-virtual_link": "javascript:alert(1)"}, "starts with https://"),
    ({"capacity": "0"}, "Number must be between"),
    ({"enroll_by": "2100-01-01"}, "within the next three years"),
])
def test_hostile_session_input_is_refused(app, db, client, overrides, message):
    course = add_course(db.session)
    db.session.commit()
    sign_in(client, make_staff(db, app))
    form = {"language": "en", "instructor": "", "capacity": "10", "childcare_capacity": "0",
            "enroll_by": agency_today().isoformat(), "cancel_by": agency_today().isoformat(),
            **meeting_fields([10])}
    form.update(overrides)
    response = post_form(client, f"/training/staff/courses/{course.id}/sessions/new", form)
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(CourseSession)) is None


def test_capacity_can_not_drop_below_the_seats_taken(app, db, client):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=5)
    session.seats_taken = 4
    db.session.commit()
    sign_in(client, make_staff(db, app))
    start = session.first_starts_at.astimezone(ZoneInfo(app.config["PORTAL_TIMEZONE"]))
    response = post_form(client, f"/training/staff/sessions/{session.id}/edit", {
        "language": "en", "capacity": "3", "childcare_capacity": "0", "enroll_by": agency_today().isoformat(),
        "cancel_by": agency_today().isoformat(), "meetings-0-day": start.date().isoformat(),
        "meetings-0-start": start.strftime("%H:%M"), "meetings-0-duration_minutes": "120", "meetings-0-place": "Here"})
    assert response.status_code == 422 and "can't be lower than the seats" in text_of(response)
    db.session.expire_all()
    assert db.session.get(CourseSession, session.id).capacity == 5


def test_families_browse_by_category_language_and_month(app, db, client, make_user):
    cpr = add_course(db.session, title="CPR class", category=CourseCategory.CPR_FIRST_AID, fee_cents=4500)
    care = add_course(db.session, title="Trauma care")
    add_session(db.session, cpr, language="es", days=5)
    add_session(db.session, care, language="en", days=40)
    db.session.commit()
    sign_in(client, make_user(Role.FAMILY))
    everything = text_of(client.get("/training/catalog"))
    assert "CPR class" in everything and "Trauma care" in everything and "$45.00" in everything
    only_cpr = text_of(client.get("/training/catalog?category=cpr_first_aid"))
    assert "CPR class" in only_cpr and "Trauma care" not in only_cpr
    only_english = text_of(client.get("/training/catalog?language=en"))
    assert "CPR class" not in only_english and "Trauma care" in only_english
    later = (agency_today() + timedelta(days=40)).strftime("%Y-%m")
    month = text_of(client.get(f"/training/catalog?month={later}"))
    assert "Trauma care" in month
    calendar = client.get(f"/training/catalog?view=calendar&month={later}")
    assert calendar.status_code == 200 and 'id="month-calendar"' in calendar.get_data(as_text=True)
    assert "Trauma care" in text_of(calendar)
    for hostile in ("?month=9999-99", "?category=%00", "?language=xx", "?view=<script>", "?month=2026-13"):
        assert client.get(f"/training/catalog{hostile}").status_code in (200, 400)  # a NUL is refused portal-wide


def test_a_large_catalog_pages_soonest_first_keeping_the_filters(app, db, client, make_user):
    """Hundreds of upcoming sessions at a large agency: the list shows a page of them, soonest first, says how many
    there are in all, and leads to the next page with the filters kept; a page past the end shows the last one."""
    course = add_course(db.session, title="Trauma care")
    other = add_course(db.session, title="CPR class", category=CourseCategory.CPR_FIRST_AID)
    sessions = [add_session(db.session, course, days=3 + n) for n in range(CATALOG_PAGE_SIZE + 5)]
    add_session(db.session, other, days=2)  # filtered out below
    db.session.commit()
    sign_in(client, make_user(Role.FAMILY))

    def shown(html):
        return [s.id for s in sessions if f'id="catalog-session-{s.id}"' in html]

    response = client.get("/training/catalog?category=in_service")
    first = response.get_data(as_text=True)
    assert shown(first) == [s.id for s in sessions[:CATALOG_PAGE_SIZE]]
    assert f"Showing 1\u2013{CATALOG_PAGE_SIZE} of {CATALOG_PAGE_SIZE + 5}" in text_of(response)
    assert 'rel="next"' in first and "category=in_service" in first.split('rel="next"')[1].split(">")[0]
    second = client.get("/training/catalog?category=in_service&page=2").get_data(as_text=True)
    assert shown(second) == [s.id for s in sessions[CATALOG_PAGE_SIZE:]]
    assert "CPR class" not in second
    past_the_end = client.get("/training/catalog?category=in_service&page=40").get_data(as_text=True)
    assert shown(past_the_end) == [s.id for s in sessions[CATALOG_PAGE_SIZE:]]
    assert "CPR class" in text_of(client.get("/training/catalog"))  # soonest of all, on the unfiltered first page


def test_a_spanish_reader_gets_the_course_in_spanish(app, db, client, make_user):
    course = add_course(db.session, title="Medication administration")
    add_session(db.session, course)
    db.session.commit()
    sign_in(client, make_user(Role.FAMILY, locale="es"))
    page = text_of(client.get(f"/training/courses/{course.id}"))
    assert "Medication administration (es)" in page and "Sobre el trauma." in page


def _fill(db, sessions: int, households: int) -> tuple[int, int, int]:
    """`sessions` sessions of one course, each with `households` families enrolled (the last one waitlisted)."""
    course = add_course(db.session, meetings=2)
    from tests.training.catalog_support import new_household

    family_household = new_household(db.session, "Counted")
    family_people = add_applicants(db.session, family_household.id)
    made = []
    for n in range(sessions):
        session = add_session(db.session, course, capacity=max(households - 1, 1), days=5 + n)
        made.append(session)
        for h in range(households):
            household = new_household(db.session, f"H{n}-{h}")
            member = add_applicants(db.session, household.id, co_applicant=False)[0]
            db.session.add(Enrollment(session_id=session.id, household_id=household.id, member_id=member.id,
                                      status=EnrollmentStatus.ENROLLED if h < households - 1
                                      else EnrollmentStatus.WAITLISTED))
        for person in family_people[:2]:
            db.session.add(Enrollment(session_id=session.id, household_id=family_household.id, member_id=person.id,
                                      status=EnrollmentStatus.WAITLISTED))
    db.session.commit()
    return course.id, made[0].id, family_household.id


@pytest.mark.parametrize("page", ["catalog", "calendar", "course", "mine", "roster", "staff_courses", "dashboard"])
def test_statement_counts_do_not_grow_with_sessions_or_enrollments(app, db, make_user, count_queries, page):
    counts = []
    for sessions, households in ((2, 2), (12, 6)):
        course_id, session_id, household_id = _fill(db, sessions, households)
        client = app.test_client()
        if page in ("roster", "staff_courses"):
            sign_in(client, make_staff_unique(db, app))
        else:
            user = make_user(Role.FAMILY)
            user.household_id = household_id
            db.session.commit()
            sign_in(client, user)
        url = {"catalog": "/training/catalog", "calendar": "/training/catalog?view=calendar",
               "course": f"/training/courses/{course_id}", "mine": "/training/mine",
               "roster": f"/training/staff/sessions/{session_id}", "staff_courses": "/training/staff/courses",
               "dashboard": "/dashboard"}[page]
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


_staff_numbers = iter(range(10**6))


def make_staff_unique(db, app):
    from portal import two_step
    from portal.database import now_utc
    from portal.models import User
    from tests.conftest import _TEST_PASSWORD_HASH
    from tests.support import TEST_TOTP_SECRET

    with app.app_context():
        secret = two_step.encrypt_secret(TEST_TOTP_SECRET)
    staff = User(email=f"counted-trainer{next(_staff_numbers)}@example.com", full_name="Trainer",
                 role=Role.HOMEFINDER, password_hash=_TEST_PASSWORD_HASH, email_confirmed_at=now_utc(),
                 totp_secret_encrypted=secret, totp_enabled_at=now_utc())
    db.session.add(staff)
    db.session.commit()
    return staff
