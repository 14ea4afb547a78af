"""`seed-demo --households N` writes possible data: nothing dated after now, each step after the one before it, and
licenses that are current (renewed every two years) or lapsed with the status to say so."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from licensing import scale_demo
from licensing.application.models import Application, HouseholdMember, MemberRole
from licensing.pipeline import stages as pipeline_stages
from licensing.recruitment.models import Lead, LeadContact
from licensing.tracker.models import ChecklistItem, License, LicenseStatus, RequirementTemplate
from portal import demo, two_step
from portal.children.licenses import licensed_homes
from portal.children.models import Appointment, CaseStatus, Child, Placement, PlacementStatus, RespiteStay
from portal.children.visibility import family_appointments_clause
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.messaging.models import Message, MessageThread, ThreadMark
from portal.models import Household, Role, User
from portal.passwords import hash_password
from tests.conftest import post_form
from tests.support import code_for
from training.catalog.demo import TIPS_MAPP
from training.catalog.models import Attendance, Course, CourseCategory, CourseSession, Enrollment, EnrollmentStatus
from training.groups.models import GroupRsvp
from training.hours.models import CreditStatus, TrainingCredit
from training.hours.services import current_rule


def test_seeded_families_have_nothing_in_the_future_and_realistic_licenses(app, db):
    with app.app_context():
        scale_demo.seed_households(app, households=400)
        portal_db.session.commit()
    now, today = now_utc(), now_utc().date()
    seeded = Lead.email.like(f"%@{scale_demo.EMAIL_DOMAIN}")
    for column in (Lead.created_at, Lead.first_contact_at, Lead.invited_at, Lead.status_changed_at,
                   Lead.last_activity_at, Lead.closed_at):
        assert db.session.scalar(select(func.max(column)).where(seeded)) <= now, column
    assert db.session.scalar(select(func.max(LeadContact.contacted_at)).join(Lead).where(seeded)) <= now
    households = select(Lead.household_id).where(seeded)
    in_households = Application.household_id.in_(households)
    assert db.session.scalar(select(func.max(Application.created_at)).where(in_households)) <= now
    assert db.session.scalar(select(func.max(Application.submitted_at)).where(in_households)) <= now
    for lead, application in db.session.execute(select(Lead, Application).join(
            Application, Application.household_id == Lead.household_id).where(seeded)):
        assert lead.created_at <= lead.invited_at <= application.created_at
        assert application.submitted_at is None or application.created_at <= application.submitted_at
        assert lead.status_changed_at >= (application.submitted_at or application.created_at)
    licenses = db.session.scalars(select(License).where(License.household_id.in_(households))).all()
    assert licenses and all(lic.issued_at <= now and lic.effective_on <= today for lic in licenses)
    assert all(lic.expires_on > today for lic in licenses if lic.status is LicenseStatus.ACTIVE)
    assert all(lic.expires_on <= today for lic in licenses if lic.status is LicenseStatus.EXPIRED)
    assert any(lic.status is LicenseStatus.EXPIRED for lic in licenses)  # a few lapsed
    assert any(lic.expires_on - lic.effective_on > timedelta(days=730) for lic in licenses
               if lic.status is LicenseStatus.ACTIVE)  # renewed: a later expiry
    assert sum(lic.status is LicenseStatus.ACTIVE for lic in licenses) > len(licenses) * 0.8
    # Renewal items belong to a term the license began: none due after it expires.
    renewal_items = (select(func.count()).select_from(ChecklistItem)
                     .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
                     .join(License, License.application_id == ChecklistItem.application_id)
                     .where(RequirementTemplate.for_renewal.is_(True), License.household_id.in_(households)))
    assert db.session.scalar(renewal_items) > 0
    assert db.session.scalar(renewal_items.where(ChecklistItem.due_date > License.expires_on)) == 0
    # Bulk inserts pass no flush listener: each lead's licensed-or-closed flag is the stage's, finished and not.
    flags = Counter(db.session.execute(pipeline_stages.pipeline_select(
        Lead.finished, pipeline_stages.stage_column().in_(pipeline_stages.FINISHED_STAGES)).where(seeded)).all())
    assert {(bool(flag), bool(by_stage)) for flag, by_stage in flags} == {(True, True), (False, False)}


def test_the_seed_stages_are_not_the_boards_stages():
    assert not hasattr(scale_demo, "Stage") and scale_demo.SeedStage is not pipeline_stages.Stage


# -- the whole agency: children, placements, appointments, messages (and trainings) of `seed_all(households=N)` --

SMALL_AGENCY = 80


@functools.cache
def _demo_password_hash() -> str:
    return hash_password(demo.DEMO_PASSWORD)  # once for the module: Argon2 takes a second


def _seed_agency(app, households: int = SMALL_AGENCY) -> tuple[int, int]:
    """The command's work for a small agency, without the plain demo (slow, and not what is measured): N families
    (licensing), then what hangs on them. Returns the largest household and child ids from before (the run's
    households and children come after them)."""
    with app.app_context():
        since = portal_db.session.scalar(select(func.max(Household.id))) or 0
        since_child = portal_db.session.scalar(select(func.max(Child.id))) or 0
        planned = scale_demo.seed_households(app, households=households, password_hash=_demo_password_hash())
        demo.seed_agency(app, households, since, _demo_password_hash(), lambda _count: None, planned)
        portal_db.session.commit()
    return since, since_child


def _today(app):
    with app.app_context():
        return agency_today()


def _licensed_today(app, since: int) -> dict[int, object]:
    with app.app_context():
        return {home.household_id: home for home in licensed_homes(agency_today()) if home.household_id > since}


def test_children_are_placed_only_in_licensed_homes_with_room_one_home_each(app, db):
    since, since_child = _seed_agency(app)
    homes = _licensed_today(app, since)
    children = db.session.scalars(select(Child).where(Child.id > since_child)).all()
    open_children = [child for child in children if child.case_status is CaseStatus.OPEN]
    # Several children per licensed home on average, some waiting for a home, a caseload of about 40.
    assert 1.5 * len(homes) <= len(open_children) <= 2.3 * len(homes)
    active = db.session.execute(select(Placement.child_id, Placement.household_id, Placement.starts_on).where(
        Placement.status == PlacementStatus.ACTIVE, Placement.household_id > since)).all()
    per_child = Counter(child_id for child_id, _household, _start in active)
    assert per_child and max(per_child.values()) == 1
    assert 0.7 * len(open_children) <= len(active) < len(open_children)  # some not placed
    per_home = Counter(household for _child, household, _start in active)
    births = {child.id: child.birth_date for child in children}
    today = _today(app)
    for child_id, household_id, starts_on in active:
        home = homes[household_id]  # licensed today
        assert home.effective_on <= starts_on <= today
        age = today.year - births[child_id].year - ((today.month, today.day) < (births[child_id].month,
                                                                                 births[child_id].day))
        assert home.age_min <= age <= home.age_max
    assert all(count <= homes[household].capacity for household, count in per_home.items())
    ended = db.session.execute(select(Placement.child_id, Placement.ends_on, Placement.end_reason)
                               .where(Placement.status == PlacementStatus.ENDED, Placement.household_id > since)).all()
    assert ended and all(ends_on is not None and ends_on < today and reason for _c, ends_on, reason in ended)
    caseloads = Counter(child.coordinator_id for child in children)
    assert len(caseloads) >= len(children) / 45 and max(caseloads.values()) <= 50
    # Appointments: past and upcoming, several per child.
    now = now_utc()
    appointments = db.session.execute(select(Appointment.child_id, Appointment.starts_at)
                                      .where(Appointment.child_id.in_(list(births)))).all()
    assert len(appointments) >= 5 * len(open_children)
    assert any(start < now for _c, start in appointments) and any(start > now for _c, start in appointments)


def test_a_family_sees_the_appointments_of_the_children_placed_with_it_only(app, db):
    since, _since_child = _seed_agency(app)
    today = _today(app)
    families = db.session.execute(select(User.household_id).where(
        User.household_id > since, User.role == Role.FAMILY).order_by(User.household_id)).scalars().all()
    assert families
    seen_any = False
    for household_id in families[:25]:
        with app.app_context():
            visible = set(portal_db.session.scalars(select(Appointment.child_id).distinct().where(
                family_appointments_clause(household_id, today))))
        placed = set(db.session.scalars(select(Placement.child_id).where(
            Placement.household_id == household_id, Placement.status == PlacementStatus.ACTIVE)))
        respite = set(db.session.scalars(select(Placement.child_id).join(
            RespiteStay, RespiteStay.placement_id == Placement.id).where(RespiteStay.household_id == household_id)))
        assert placed <= visible <= placed | respite
        seen_any = seen_any or bool(placed)
    assert seen_any


def test_threads_have_their_newest_message_and_read_marks(app, db):
    since, _since_child = _seed_agency(app)
    threads = db.session.scalars(select(MessageThread).where(MessageThread.household_id > since)).all()
    assert threads
    newest = dict(db.session.execute(select(Message.thread_id, func.max(Message.id)).group_by(Message.thread_id)
                                      .where(Message.thread_id.in_([t.id for t in threads]))).all())
    assert all(thread.last_message_id == newest[thread.id] for thread in threads)
    marks = Counter(db.session.scalars(select(ThreadMark.thread_id).where(
        ThreadMark.thread_id.in_([t.id for t in threads]))))
    assert set(marks.values()) == {2}
    assert any(thread.awaiting_staff for thread in threads)
    # With the children's coordinators (about a child) and with the homefinder (licensed families).
    roles = Counter(db.session.scalars(select(User.role).join(MessageThread, MessageThread.staff_id == User.id)
                                       .where(MessageThread.household_id > since)))
    assert roles[Role.COORDINATOR] and roles[Role.HOMEFINDER]
    coordinators = set(db.session.scalars(select(User.id).where(User.role == Role.COORDINATOR)))
    assert all(thread.child_id for thread in threads if thread.staff_id in coordinators)
    # Lists sort by the newest message's id: ids follow the messages' dates across every thread of the run, those with
    # the coordinators and with the homefinder alike, so every list shows the newest activity first (they were
    # numbered thread by thread, and the homefinder's threads all before the coordinators').
    by_id = sorted(threads, key=lambda thread: thread.last_message_id)
    assert [t.last_message_at for t in by_id] == sorted(t.last_message_at for t in threads)
    times = db.session.execute(select(Message.created_at).where(Message.thread_id.in_([t.id for t in threads]))
                               .order_by(Message.id)).scalars().all()
    assert times == sorted(times)


def _sign_in_seeded(client, app, user: User) -> None:
    response = post_form(client, "/login", {"email": user.email, "password": demo.DEMO_PASSWORD})
    assert response.status_code in (302, 303)
    if response.headers["Location"].endswith("/login/code"):
        response = post_form(client, "/login/code", {"code": code_for(app, user.id, two_step.DEMO_SECRET)})
        assert response.status_code in (302, 303)


def test_the_pages_of_seeded_accounts_render(app, db):
    since, since_child = _seed_agency(app)
    family, child_id = db.session.execute(
        select(User, Placement.child_id).join(Placement, Placement.household_id == User.household_id)
        .where(Placement.status == PlacementStatus.ACTIVE, User.household_id > since)
        .order_by(User.id).limit(1)).one()
    coordinator, coordinated_child = db.session.execute(
        select(User, Child.id).join(Child, Child.coordinator_id == User.id)
        .where(Child.id > since_child).order_by(Child.id).limit(1)).one()
    pages = {family: ["/", "/licensing/checklist", "/training/hours", "/training/mine", "/training/catalog",
                      "/training/groups", "/appointments/family", "/messages/", "/children/in-my-home",
                      f"/children/in-my-home/{child_id}"],
             coordinator: ["/", "/children/", f"/children/{coordinated_child}",
                           f"/appointments/child/{coordinated_child}", "/messages/"]}
    for user, urls in pages.items():
        client = app.test_client()
        _sign_in_seeded(client, app, user)
        for url in urls:
            assert client.get(url, follow_redirects=True).status_code == 200, (user.email, url)


def test_trainings_seat_counters_match_enrollments_and_licensed_parents_have_their_hours(app, db):
    since, _since_child = _seed_agency(app)
    sessions = db.session.scalars(select(CourseSession).join(Enrollment, Enrollment.session_id == CourseSession.id)
                                  .where(Enrollment.household_id > since).distinct()).all()
    assert sessions
    live = Counter(db.session.scalars(select(Enrollment.session_id).where(
        Enrollment.status.in_([EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED]))))
    waiting = Counter(db.session.scalars(select(Enrollment.session_id).where(
        Enrollment.status == EnrollmentStatus.WAITLISTED)))
    now = now_utc()
    for session in sessions:
        assert session.seats_taken == live[session.id] <= session.capacity
        assert not waiting[session.id] or session.seats_taken == session.capacity  # a waitlist only when full
        assert not waiting[session.id] or session.first_starts_at > now
    assert sum(waiting.values()) > 0
    # Licensed parents: the pre-service course completed (every meeting attended) and its hours credited.
    licensed_parents = set(db.session.scalars(
        select(HouseholdMember.id).join(Application, Application.id == HouseholdMember.application_id)
        .join(License, License.application_id == Application.id)
        .where(Application.household_id > since, HouseholdMember.role != MemberRole.OTHER)))
    assert licensed_parents
    preservice = dict(db.session.execute(
        select(TrainingCredit.member_id, func.sum(TrainingCredit.hours_tenths))
        .where(TrainingCredit.category == CourseCategory.PRE_SERVICE, TrainingCredit.status == CreditStatus.APPROVED,
               TrainingCredit.household_id > since).group_by(TrainingCredit.member_id)).all())
    with app.app_context():
        required = current_rule().preservice_hours * 10
    assert all(preservice.get(member, 0) >= required for member in licensed_parents)
    attended = Counter(db.session.scalars(select(Attendance.member_id).where(
        Attendance.member_id.in_(licensed_parents))))
    meetings = db.session.scalar(select(Course.meeting_count).where(Course.title_en == TIPS_MAPP).limit(1))
    assert all(attended[member] == meetings for member in licensed_parents)
    assert db.session.scalar(select(func.count()).select_from(GroupRsvp).where(GroupRsvp.household_id > since)) > 0


def test_seed_demo_writes_the_threads_licensing_planned_with_the_others(app, db):
    """`flask seed-demo --households N`'s own path: licensing hands its homefinder threads back from `demo_seeding`,
    and the core writes them with the coordinators' in one pass, so all of them are numbered in date order."""
    with app.app_context():
        demo.seed_all(app)  # the plain demo first: its own threads are written at once, not by this path
        since = portal_db.session.scalar(select(func.max(Household.id))) or 0
        demo.seed_all(app, households=SMALL_AGENCY)
        portal_db.session.commit()
    threads = db.session.scalars(select(MessageThread).where(MessageThread.household_id > since)).all()
    staff_roles = Counter(db.session.scalars(select(User.role).join(MessageThread, MessageThread.staff_id == User.id)
                                             .where(MessageThread.household_id > since)))
    assert staff_roles[Role.HOMEFINDER] and staff_roles[Role.COORDINATOR]
    by_id = sorted(threads, key=lambda thread: thread.last_message_id)
    assert [t.last_message_at for t in by_id] == sorted(t.last_message_at for t in threads)
