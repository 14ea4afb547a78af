"""The demo's catalog: three months of courses in English and Spanish, some sessions nearly full, one with childcare,
and family@demo.test enrolled in an upcoming session; `seed-demo` twice adds nothing twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from portal.models import User
from tests.conftest import sign_in, text_of
from training.catalog.models import Course, CourseSession, Enrollment, EnrollmentStatus


def test_the_demo_fills_the_catalog_once(app, db, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = (db.session.scalar(select(func.count()).select_from(Course)),
              db.session.scalar(select(func.count()).select_from(CourseSession)),
              db.session.scalar(select(func.count()).select_from(Enrollment)))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # once only
    assert (db.session.scalar(select(func.count()).select_from(Course)),
            db.session.scalar(select(func.count()).select_from(CourseSession)),
            db.session.scalar(select(func.count()).select_from(Enrollment))) == counts

    sessions = db.session.scalars(select(CourseSession)).all()
    assert {s.language for s in sessions} == {"en", "es"}
    assert any(s.childcare_taken > 0 for s in sessions)
    assert any(s.capacity - s.seats_taken <= 2 for s in sessions)  # nearly full
    # The counters agree with the enrollments that hold seats.
    seated = Counter(db.session.scalars(select(Enrollment.session_id).where(
        Enrollment.status == EnrollmentStatus.ENROLLED)))
    assert {s.id: s.seats_taken for s in sessions} == {s.id: seated.get(s.id, 0) for s in sessions}
    courses = {c.title_en: c for c in db.session.scalars(select(Course))}
    assert courses["CPR and First Aid"].fee_cents == 4500
    assert courses["TIPS-MAPP pre-service training"].meeting_count > 1

    family = db.session.scalar(select(User).where(User.email == "family@demo.test"))
    sign_in(client, family, password="demo-pass-2026")
    page = text_of(client.get("/training/mine"))
    assert "Trauma-informed care" in page and "Enrolled" in page
    assert "Your next training: Trauma-informed care" in text_of(client.get("/dashboard"))
