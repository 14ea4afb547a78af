"""Enrollment through the family's pages: seats, the waitlist served in order with an email, deadlines, no double
enrollment, childcare with its own capacity and waitlist, make-ups; and staff cancelling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import OutboxMessage, Role
from tests.conftest import post_form, sign_in, text_of
from tests.support import agency_today
from tests.training.catalog_support import add_applicants, add_course, add_session
from training.catalog.models import ChildcareStatus, CourseSession, Enrollment, EnrollmentStatus


@pytest.fixture
def family(db, make_user):
    """A family with two applicants, signed in on its own client."""

    def factory(client, *, co_applicant=True, locale="en"):
        user = make_user(Role.FAMILY, locale=locale)
        people = add_applicants(db.session, user.household_id, user_id=user.id, co_applicant=co_applicant,
                                email=user.email)
        db.session.commit()
        sign_in(client, user)
        return user, people

    return factory


def enroll(client, session_id, people, **extra):
    return post_form(client, f"/training/sessions/{session_id}/enroll",
                     {"people": [str(p.id) for p in people], **extra})


def fresh(db, model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


def test_a_family_enrolls_both_applicants(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=5)
    db.session.commit()
    _user, people = family(client)
    response = enroll(client, session.id, people[:2])
    assert response.status_code == 303
    rows = db.session.scalars(select(Enrollment).where(Enrollment.session_id == session.id)).all()
    assert {(row.member_id, row.status) for row in rows} == {(people[0].id, EnrollmentStatus.ENROLLED),
                                                             (people[1].id, EnrollmentStatus.ENROLLED)}
    assert fresh(db, CourseSession, session.id).seats_taken == 2
    page = client.get("/training/mine")
    assert page.status_code == 200 and "Trauma-informed care" in text_of(page)


def test_only_the_households_applicants_can_be_chosen(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course)
    db.session.commit()
    _user, people = family(client)
    stranger = add_applicants(db.session, make_household(db), co_applicant=False)[0]
    db.session.commit()
    for someone in (stranger, people[2]):  # another household's applicant; a child of the home
        response = enroll(client, session.id, [someone])
        assert response.status_code == 422
    assert db.session.scalar(select(Enrollment).where(Enrollment.session_id == session.id)) is None


def make_household(db):
    from tests.training.catalog_support import new_household

    household = new_household(db.session, "Other")
    db.session.commit()
    return household.id


def test_full_session_waitlists_and_a_cancellation_seats_the_first_waiting(app, db, client, family, make_user):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=1)
    db.session.commit()
    _first_user, first_people = family(client, co_applicant=False)
    assert enroll(client, session.id, first_people[:1]).status_code == 303

    waiting = []
    for locale in ("es", "en"):
        other = app.test_client()
        user, people = family(other, co_applicant=False, locale=locale)
        assert enroll(other, session.id, people[:1]).status_code == 303
        waiting.append((user, people[0]))
    statuses = dict(db.session.execute(select(Enrollment.member_id, Enrollment.status)
                                       .where(Enrollment.session_id == session.id)).all())
    assert statuses[waiting[0][1].id] is EnrollmentStatus.WAITLISTED
    assert statuses[waiting[1][1].id] is EnrollmentStatus.WAITLISTED

    mine = db.session.scalar(select(Enrollment).where(Enrollment.member_id == first_people[0].id))
    assert post_form(client, f"/training/enrollments/{mine.id}/cancel").status_code == 303
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Enrollment.member_id, Enrollment.status)
                                       .where(Enrollment.session_id == session.id)).all())
    assert statuses[first_people[0].id] is EnrollmentStatus.CANCELLED
    assert statuses[waiting[0][1].id] is EnrollmentStatus.ENROLLED  # the first in line, not the second
    assert statuses[waiting[1][1].id] is EnrollmentStatus.WAITLISTED
    assert db.session.get(CourseSession, session.id).seats_taken == 1
    mail = db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.template == "training_seat_from_waitlist")).all()
    assert [(m.recipient, m.locale) for m in mail] == [(waiting[0][0].email, "es")]
    assert "Trauma-informed care (es)" in mail[0].body_text  # the course in the reader's language


def test_the_waitlist_position_is_shown(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=1)
    db.session.commit()
    _user, people = family(client)
    enroll(client, session.id, people[:2])  # one seat: the second applicant waits, first in line
    page = text_of(client.get("/training/mine"))
    assert "On the waitlist: number 1" in page


def test_no_enrollment_after_the_deadline_and_no_cancel_after_its_deadline(app, db, client, family):
    course = add_course(db.session)
    closed = add_session(db.session, course, enroll_by_days=-1, cancel_by_days=-1)
    bound = add_session(db.session, course, enroll_by_days=3, cancel_by_days=-1)
    db.session.commit()
    _user, people = family(client)
    response = enroll(client, closed.id, people[:1])
    assert response.status_code == 422 and "closed on" in text_of(response)  # the page says so; nothing stored
    assert db.session.scalar(select(Enrollment).where(Enrollment.session_id == closed.id)) is None

    assert enroll(client, bound.id, people[:1]).status_code == 303
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.session_id == bound.id))
    response = post_form(client, f"/training/enrollments/{enrollment.id}/cancel", follow_redirects=True)
    assert "The deadline to cancel was" in text_of(response)
    assert fresh(db, Enrollment, enrollment.id).status is EnrollmentStatus.ENROLLED


def test_staff_may_cancel_after_the_deadline_and_the_family_is_emailed(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course, enroll_by_days=3, cancel_by_days=-1)
    db.session.commit()
    family_client = app.test_client()
    user, people = family(family_client, co_applicant=False)
    enroll(family_client, session.id, people[:1])
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.session_id == session.id))
    from tests.conftest import TEST_PASSWORD  # noqa: F401
    staff = make_staff(db, app)
    sign_in(client, staff)
    response = post_form(client, f"/training/staff/enrollments/{enrollment.id}/cancel", {"reason": "Ill"})
    assert response.status_code == 303
    assert fresh(db, Enrollment, enrollment.id).status is EnrollmentStatus.CANCELLED
    assert db.session.scalar(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "training_enrollment_cancelled")) == user.email


def make_staff(db, app):
    from portal import two_step
    from portal.database import now_utc
    from portal.models import User
    from tests.conftest import _TEST_PASSWORD_HASH
    from tests.support import TEST_TOTP_SECRET

    with app.app_context():
        secret = two_step.encrypt_secret(TEST_TOTP_SECRET)
    staff = User(email="trainer@example.com", full_name="Trainer", role=Role.HOMEFINDER,
                 password_hash=_TEST_PASSWORD_HASH, email_confirmed_at=now_utc(), totp_secret_encrypted=secret,
                 totp_enabled_at=now_utc())
    db.session.add(staff)
    db.session.commit()
    return staff


def test_a_person_is_not_enrolled_twice(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course)
    db.session.commit()
    _user, people = family(client)
    assert enroll(client, session.id, people[:1]).status_code == 303
    response = enroll(client, session.id, people[:1])
    assert response.status_code == 422 and "already enrolled" in text_of(response)
    assert fresh(db, CourseSession, session.id).seats_taken == 1


def test_a_session_everyone_has_a_place_in_offers_no_dead_end_enroll(app, db, client, family):
    """Today's walkthrough: a family enrolled in a session still saw "Enroll", and the enroll page ticked the person
    who already had a seat, so sending it only got a refusal. Now the course page says everyone has a place, the
    enroll page says so instead of the form, and with one of two applicants placed only the other is ticked."""
    course = add_course(db.session)
    session = add_session(db.session, course)
    db.session.commit()
    _user, people = family(client)
    assert "Enroll</a>" in client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert enroll(client, session.id, people[:1]).status_code == 303
    page = client.get(f"/training/sessions/{session.id}/enroll").get_data(as_text=True)
    assert f"{people[0].full_name} (already enrolled or waiting)" in page
    ticked = [re.search(r'value="(\d+)"', tag)[1] for tag in re.findall(r"<input[^>]*>", page)
              if 'name="people"' in tag and "checked" in tag]
    assert ticked == [str(people[1].id)]
    assert "Enroll</a>" in client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    assert enroll(client, session.id, people[1:2]).status_code == 303
    course_page = text_of(client.get(f"/training/courses/{course.id}"))
    assert "Everyone on your application is enrolled in this session or on its waitlist." in course_page
    assert "Enroll</a>" not in client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    page = client.get(f"/training/sessions/{session.id}/enroll").get_data(as_text=True)
    assert "Everyone on your application is enrolled" in page and 'name="people"' not in page


def test_childcare_has_its_own_capacity_and_waitlist(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=10, childcare=3)
    db.session.commit()
    _user, people = family(client, co_applicant=False)
    assert enroll(client, session.id, people[:1], childcare_children="2", childcare_ages="3, 7").status_code == 303
    other = app.test_client()
    _other_user, others = family(other, co_applicant=False)
    assert enroll(other, session.id, others[:1], childcare_children="2", childcare_ages="1, 4").status_code == 303
    first = db.session.scalar(select(Enrollment).where(Enrollment.member_id == people[0].id))
    second = db.session.scalar(select(Enrollment).where(Enrollment.member_id == others[0].id))
    assert first.childcare_status is ChildcareStatus.BOOKED
    assert second.status is EnrollmentStatus.ENROLLED and second.childcare_status is ChildcareStatus.WAITLISTED
    assert fresh(db, CourseSession, session.id).childcare_taken == 2
    # The first family cancels: its childcare places go to the family waiting for childcare.
    assert post_form(client, f"/training/enrollments/{first.id}/cancel").status_code == 303
    assert fresh(db, Enrollment, second.id).childcare_status is ChildcareStatus.BOOKED
    assert fresh(db, CourseSession, session.id).childcare_taken == 2


def test_childcare_needs_ages_and_a_session_that_offers_it(app, db, client, family):
    course = add_course(db.session)
    with_care = add_session(db.session, course, childcare=5)
    db.session.commit()
    _user, people = family(client, co_applicant=False)
    response = enroll(client, with_care.id, people[:1], childcare_children="2", childcare_ages="")
    assert response.status_code == 422 and "ages" in text_of(response)
    assert db.session.scalar(select(Enrollment)) is None


def test_a_makeup_takes_a_seat_for_one_meeting_of_another_session(app, db, client, family):
    course = add_course(db.session, meetings=3, title="TIPS-MAPP")
    first = add_session(db.session, course, days=10)
    later = add_session(db.session, course, days=40)
    db.session.commit()
    _user, people = family(client, co_applicant=False)
    # Not enrolled in the course anywhere: no make-up.
    response = enroll(client, later.id, people[:1], makeup="2")
    assert response.status_code == 422
    assert enroll(client, first.id, people[:1]).status_code == 303
    assert enroll(client, later.id, people[:1], makeup="2").status_code == 303
    makeup = db.session.scalar(select(Enrollment).where(Enrollment.session_id == later.id))
    assert makeup.makeup_meetings == [2] and makeup.status is EnrollmentStatus.ENROLLED
    assert fresh(db, CourseSession, later.id).seats_taken == 1


def test_staff_cancel_a_session_and_every_family_is_emailed(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course, capacity=1)
    db.session.commit()
    emails = []
    for _ in range(2):
        other = app.test_client()
        user, people = family(other, co_applicant=False)
        enroll(other, session.id, people[:1])
        emails.append(user.email)
    sign_in(client, make_staff(db, app))
    response = post_form(client, f"/training/staff/sessions/{session.id}/cancel", {"reason": ""})
    assert response.status_code == 422  # a reason is needed
    response = post_form(client, f"/training/staff/sessions/{session.id}/cancel", {"reason": "The room flooded."})
    assert response.status_code == 303
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(select(Enrollment))} == {EnrollmentStatus.CANCELLED}
    recipients = db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "training_session_cancelled")).all()
    assert sorted(recipients) == sorted(emails)
    assert db.session.get(CourseSession, session.id).seats_taken == 0
    again = post_form(client, f"/training/staff/sessions/{session.id}/cancel", {"reason": "Again"})
    assert again.status_code == 409


def test_the_roster_shows_seats_waitlist_and_childcare_per_meeting(app, db, client, family):
    course = add_course(db.session, meetings=2)
    session = add_session(db.session, course, capacity=1, childcare=4)
    db.session.commit()
    for ages in ("2, 5", "8"):
        other = app.test_client()
        _user, people = family(other, co_applicant=False)
        enroll(other, session.id, people[:1], childcare_children=str(len(ages.split(","))), childcare_ages=ages)
    sign_in(client, make_staff(db, app))
    page = client.get(f"/training/staff/sessions/{session.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2, 5" in html and "Nobody is waiting" not in html
    assert "1 of 1 seats taken" in text_of(page)
    assert agency_today() + timedelta(days=0)  # keep the import honest


@pytest.mark.parametrize("extra", [
    {"people": "abc"},
    {"people": "99999999999999999999"},
    {"makeup": "99"},
    {"makeup": "<script>"},
    {"childcare_children": "-1", "childcare_ages": "3"},
    {"childcare_children": "9" * 30, "childcare_ages": "3"},
    {"childcare_children": "2", "childcare_ages": "x" * 101},
])
def test_hostile_enrollment_input_is_refused_and_nothing_stored(app, db, client, family, extra):
    course = add_course(db.session, meetings=2)
    session = add_session(db.session, course, childcare=5)
    db.session.commit()
    _user, people = family(client, co_applicant=False)
    response = post_form(client, f"/training/sessions/{session.id}/enroll", {"people": str(people[0].id), **extra})
    assert response.status_code == 422
    assert db.session.scalar(select(Enrollment)) is None
    assert fresh(db, CourseSession, session.id).seats_taken == 0


def test_another_households_enrollment_is_not_found(app, db, client, family):
    course = add_course(db.session)
    session = add_session(db.session, course)
    db.session.commit()
    owner_client = app.test_client()
    _owner, people = family(owner_client, co_applicant=False)
    enroll(owner_client, session.id, people[:1])
    enrollment = db.session.scalar(select(Enrollment))
    family(client, co_applicant=False)
    assert post_form(client, f"/training/enrollments/{enrollment.id}/cancel").status_code == 404
    assert fresh(db, Enrollment, enrollment.id).status is EnrollmentStatus.ENROLLED


def test_seats_and_cancellations_are_signalled_for_the_other_parts(app, db, client, family):
    from training.signals import enrollment_cancelled, enrollment_seated

    heard = []

    def seated(enrollment, from_waitlist):
        heard.append(("seated", enrollment.member_id, from_waitlist))

    def cancelled(enrollment, actor):
        heard.append(("cancelled", enrollment.member_id, actor.id))

    course = add_course(db.session)
    session = add_session(db.session, course, capacity=1)
    db.session.commit()
    user, people = family(client)
    with enrollment_seated.connected_to(seated), enrollment_cancelled.connected_to(cancelled):
        enroll(client, session.id, people[:2])  # the first seated, the second waits
        first = db.session.scalar(select(Enrollment).where(Enrollment.member_id == people[0].id))
        post_form(client, f"/training/enrollments/{first.id}/cancel")
    assert heard == [("seated", people[0].id, False), ("cancelled", people[0].id, user.id),
                     ("seated", people[1].id, True)]
