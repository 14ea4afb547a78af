"""The demo's training catalog (`flask seed-demo`, idempotent): three months of courses in English and Spanish, a few
sessions nearly full, one with childcare, and family@demo.test enrolled in an upcoming one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember, MemberRole
from portal.clock import agency_today
from portal.extensions import db
from portal.i18n import local_to_utc
from portal.models import User
from portal.signals import demo_seeding
from training.catalog import services
from training.catalog.models import Audience, Course, CourseCategory, CourseSession, Enrollment

TIPS_MAPP = "TIPS-MAPP pre-service training"

# title_en, title_es, category, audience, tenths, fee cents, meetings, valid months, description en, description es
COURSES = [
    (TIPS_MAPP, "Capacitación previa TIPS-MAPP", CourseCategory.PRE_SERVICE, Audience.APPLICANTS, 300, 0, 10, None,
     "Trauma-Informed Partnering for Safety and Permanence: the pre-service course every applicant takes. Ten "
     "evening meetings of three hours. Missed one? Make it up in another group.",
     "Colaboración informada por el trauma para la seguridad y la permanencia: el curso que toma cada solicitante "
     "antes de la licencia. Diez reuniones de tres horas por la tarde. ¿Faltó a una? Recupérela en otro grupo."),
    ("CPR and First Aid", "RCP y primeros auxilios", CourseCategory.CPR_FIRST_AID, Audience.EVERYONE, 40, 4500, 1, 24,
     "Infant, child and adult CPR and First Aid with a certified instructor. The card is valid for two years.",
     "RCP y primeros auxilios para bebés, niños y adultos con un instructor certificado. La tarjeta vale dos años."),
    ("Trauma-informed care", "Cuidado informado por el trauma", CourseCategory.IN_SERVICE, Audience.LICENSED, 30, 0,
     1, None, "How trauma shapes a child's behaviour, and what helps at home.",
     "Cómo el trauma cambia la conducta de un niño, y qué ayuda en casa."),
    ("Medication administration", "Administración de medicamentos", CourseCategory.SPECIALTY, Audience.EVERYONE, 20, 0,
     1, None, "Giving, storing and logging a child's medication safely.",
     "Cómo dar, guardar y anotar los medicamentos de un niño de forma segura."),
    ("Working with birth families", "Cómo trabajar con las familias biológicas", CourseCategory.IN_SERVICE,
     Audience.LICENSED, 20, 0, 1, None, "Supporting visits and reunification as part of the child's team.",
     "Cómo apoyar las visitas y la reunificación como parte del equipo del niño."),
]

# course title, days from today to the first meeting, language, capacity, childcare places, start time, virtual
SESSIONS = [
    (TIPS_MAPP, 6, "en", 20, 10, time(18, 30), False),
    (TIPS_MAPP, 20, "es", 18, 0, time(18, 30), False),
    ("CPR and First Aid", 9, "en", 6, 0, time(9, 0), False),
    ("CPR and First Aid", 23, "es", 12, 0, time(9, 0), False),
    ("CPR and First Aid", 51, "en", 12, 0, time(9, 0), False),
    ("CPR and First Aid", 79, "es", 12, 0, time(9, 0), False),
    ("Trauma-informed care", 13, "en", 25, 0, time(18, 0), True),
    ("Trauma-informed care", 44, "es", 25, 0, time(18, 0), False),
    ("Medication administration", 16, "en", 5, 0, time(18, 30), False),
    ("Medication administration", 58, "es", 15, 0, time(18, 30), True),
    ("Working with birth families", 30, "en", 20, 0, time(10, 0), False),
    ("Working with birth families", 72, "es", 20, 0, time(10, 0), False),
]


def _at(day: date, start: time) -> datetime:
    return local_to_utc(datetime.combine(day, start))


@demo_seeding.connect
def seed_catalog(_app, **_kwargs) -> None:
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    if admin is None or db.session.scalar(select(Course.id).where(Course.title_en == TIPS_MAPP)) is not None:
        return
    today = agency_today()
    courses = {}
    for title_en, title_es, category, audience, tenths, fee, meetings, valid, text_en, text_es in COURSES:
        courses[title_en] = services.save_course(admin, None, {
            "title_en": title_en, "title_es": title_es, "category": category, "audience": audience,
            "credit_tenths": tenths, "fee_cents": fee, "meeting_count": meetings, "valid_months": valid,
            "description_en": text_en, "description_es": text_es})
    sessions = []
    for title, days, language, capacity, childcare, start, virtual in SESSIONS:
        course = courses[title]
        first = today + timedelta(days=days)
        plans = [services.MeetingPlan(_at(first + timedelta(days=7 * n), start), 180 if course.meeting_count > 1
                                      else 240 if course.category is CourseCategory.CPR_FIRST_AID else 150,
                                      "" if virtual else "Agency training room, 1200 Main Street, Fresno",
                                      "https://meet.example.com/training" if virtual else "")
                 for n in range(course.meeting_count)]
        sessions.append(services.save_session(admin, course, None, {
            "language": language, "instructor": "Dana Lee" if language == "en" else "Lucía Márquez",
            "capacity": capacity, "childcare_capacity": childcare, "enroll_by": first - timedelta(days=2),
            "cancel_by": first - timedelta(days=3)}, plans))
    db.session.flush()
    _fill(sessions, courses, today)


def _applicants(email: str) -> tuple[User | None, list[HouseholdMember]]:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or user.household_id is None:
        return None, []
    return user, list(db.session.scalars(
        select(HouseholdMember).join(Application, Application.id == HouseholdMember.application_id)
        .where(Application.household_id == user.household_id,
               HouseholdMember.role.in_((MemberRole.PRIMARY, MemberRole.CO_APPLICANT)))
        .order_by(HouseholdMember.position)))


def _fill(sessions: list[CourseSession], courses: dict, today: date) -> None:
    """Demo households in a few sessions: the small CPR and medication classes nearly full, TIPS-MAPP with childcare
    booked, and the Rivera family (family@demo.test) in the next trauma-informed care evening."""
    by_key = {(session.course_id, session.language, session.first_starts_at): session for session in sessions}

    def first_of(title: str, language: str) -> CourseSession:
        course_id = courses[title].id
        return min((s for (c, lang, _), s in by_key.items() if c == course_id and lang == language),
                   key=lambda s: s.first_starts_at)

    plan = [
        ("family@demo.test", "Trauma-informed care", "en", 0),
        ("applied@demo.test", TIPS_MAPP, "en", 2),
        ("applicant@demo.test", TIPS_MAPP, "en", 0),
        ("midway@demo.test", TIPS_MAPP, "es", 1),
        ("ready@demo.test", "CPR and First Aid", "en", 0),
        ("applied@demo.test", "CPR and First Aid", "en", 0),
        ("applicant@demo.test", "CPR and First Aid", "en", 0),
        ("family2@demo.test", "Medication administration", "en", 0),
        ("ready@demo.test", "Medication administration", "en", 0),
        ("applied@demo.test", "Medication administration", "en", 0),
    ]
    for email, title, language, children in plan:
        user, people = _applicants(email)
        session = first_of(title, language)
        if user is None or not people:
            continue
        if db.session.scalar(select(Enrollment.id).where(Enrollment.session_id == session.id,
                                                         Enrollment.household_id == user.household_id)):
            continue
        services.enroll(user, session, courses_by_id(courses)[session.course_id], people, today=today,
                        household_id=user.household_id, children=children if session.offers_childcare else 0,
                        ages="4, 9" if children == 2 else "6" if children else "")


def courses_by_id(courses: dict) -> dict[int, Course]:
    return {course.id: course for course in courses.values()}
