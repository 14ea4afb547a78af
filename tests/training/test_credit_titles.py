"""A Spanish family reads its training record and checklist with the courses' Spanish titles (a walkthrough saw
"Safe sleep" where the course is also "Sueño seguro")."""

from __future__ import annotations

from datetime import date

from training.catalog.models import Course, CourseCategory
from training.hours.models import CreditSource, TrainingCredit


def test_a_course_credit_reads_in_the_readers_language(app, db):
    course = Course(title_en="Safe sleep", title_es="Sueño seguro", category=CourseCategory.IN_SERVICE,
                    credit_tenths=20)
    credit = TrainingCredit(source=CreditSource.COURSE, category=CourseCategory.IN_SERVICE, title=course.title_en,
                            title_es=course.title_es, hours_tenths=20, completed_on=date(2026, 11, 1))
    assert credit.title_in("es") == "Sueño seguro"
    assert credit.title_in("en") == "Safe sleep"
    outside = TrainingCredit(source=CreditSource.OUTSIDE, category=CourseCategory.IN_SERVICE, title="Un libro",
                             title_es="", hours_tenths=10, completed_on=date(2026, 11, 1))
    assert outside.title_in("es") == "Un libro" and outside.title_in("en") == "Un libro"


def test_a_spanish_family_reads_its_completed_course_in_spanish(app, db, client, make_user, login):
    """Attendance completes a course; the Spanish family's record and checklist show the course's Spanish title."""
    from portal.models import Role, User
    from tests.conftest import post_form, sign_in, text_of
    from tests.training.hours_support import build_course, build_household, enroll

    world = build_household(app, make_user, locale="es")
    course = build_course(app, credit_tenths=90, title="Safe sleep", meeting_count=1, sessions=1)
    enroll(app, world, course.sessions[0], world.ana_id)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    assert post_form(staff, f"/training/staff/meetings/{course.meetings[(0, 1)]}/attendance",
                     {"present": [world.ana_id]}).status_code == 303
    sign_in(client, db.session.get(User, world.owner_id))
    record = text_of(client.get("/training/hours"))
    assert "Safe sleep (es)" in record and "Safe sleep " not in record.replace("Safe sleep (es)", "")
    checklist = text_of(client.get("/licensing/checklist"))
    assert "Safe sleep (es)" in checklist
