"""Every write of the caregiver's report: the requests before each hearing (`send_requests`, run by the
`send-court-report-requests` command), the family's draft and submission, the coordinator's receipt.

A request is made once per (hearing, household the child is placed with): the unique constraint and a look-up of the
existing rows make the command safe to run every hour. A hearing that moves gets the family a new due date (told
once per move); a cancelled hearing, or a child no longer placed with the household, withdraws an open request.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from portal import audit, emails
from portal.appointments.services import appointment_saved
from portal.children.models import Appointment, AppointmentKind, AppointmentStatus, Placement, PlacementStatus
from portal.clock import agency_zone
from portal.court_reports.models import REPORT_FIELDS, REPORT_MOVES, CaregiverReport, ReportStatus
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.settings import COURT_REPORT_DUE_DAYS, COURT_REPORT_REMINDER_DAYS, setting_values
from portal.transitions import TransitionRefused, transition

# The family is asked this many days before the report is due (or at once, for a hearing scheduled closer).
REQUEST_LEAD_DAYS = 14
# Why a request was withdrawn: a code on the report (its words in labels.py, in the reader's language).
HEARING_CANCELLED = "hearing_cancelled"
CHILD_LEFT = "child_left"


def hearing_day(starts_at: datetime) -> date:
    return starts_at.astimezone(agency_zone()).date()


def due_date(starts_at: datetime, due_days: int, today: date) -> date:
    """N days before the hearing's day, never before today (a hearing scheduled late still gets its days)."""
    return max(hearing_day(starts_at) - timedelta(days=due_days), today)


def household_people(household_ids) -> dict[int, list[User]]:
    """The active accounts of each household (one statement): every adult of the home is told."""
    people: dict[int, list[User]] = {}
    ids = set(household_ids)
    if not ids:
        return people
    for user in db.session.scalars(select(User).where(User.household_id.in_(ids), User.is_active.is_(True))
                                   .order_by(User.id)):
        people.setdefault(user.household_id, []).append(user)
    return people


def _tell_family(people: list[User], template: str, report: CaregiverReport, child_name: str) -> None:
    link = emails.portal_url("court_reports.family_report", report_id=report.id)
    for person in people:
        emails.queue_email(person.email, person.preferred_locale, template, user=person, child_name=child_name,
                           hearing_at=report.hearing_at, due_on=report.due_on, link=link)


def send_requests(today: date, *, appointment_id: int | None = None, ask_early: bool = False) -> dict[str, int]:
    """Ask for the reports of hearings coming up, remind once before each due date, follow moved and cancelled
    hearings. Idempotent: a second run the same day sends nothing.

    `appointment_id`: the same work for that one hearing only (the appointments service calls it, through the
    `hearing_saved` signal, in the transaction that schedules, moves or cancels the hearing). `ask_early`: the
    coordinator asks now, even before the usual lead days."""
    values = setting_values()
    due_days, reminder_days = values[COURT_REPORT_DUE_DAYS], values[COURT_REPORT_REMINDER_DAYS]
    now = now_utc()
    counts = {"requested": 0, "reminded": 0, "moved": 0, "withdrawn": 0}
    only_reports = [CaregiverReport.appointment_id == appointment_id] if appointment_id is not None else []
    only_hearings = [Appointment.id == appointment_id] if appointment_id is not None else []
    open_reports = list(db.session.scalars(
        select(CaregiverReport).where(CaregiverReport.status == ReportStatus.REQUESTED, *only_reports)
        .options(selectinload(CaregiverReport.appointment), selectinload(CaregiverReport.child))))
    placed = set(db.session.execute(select(Placement.child_id, Placement.household_id).where(
        Placement.status == PlacementStatus.ACTIVE, Placement.starts_on <= today)).all())
    horizon = now + timedelta(days=due_days + REQUEST_LEAD_DAYS + 1)
    horizon_clause = [] if ask_early else [Appointment.starts_at <= horizon]
    hearings = db.session.execute(
        select(Appointment, Placement.household_id)
        .join(Placement, and_(Placement.child_id == Appointment.child_id, Placement.status == PlacementStatus.ACTIVE,
                              Placement.starts_on <= today))
        .where(Appointment.kind == AppointmentKind.COURT_HEARING, Appointment.status == AppointmentStatus.SCHEDULED,
               Appointment.starts_at > now, *horizon_clause, *only_hearings)
        .options(selectinload(Appointment.child))).all()
    asked = set(db.session.execute(select(CaregiverReport.appointment_id, CaregiverReport.household_id).where(
        CaregiverReport.appointment_id.in_({a.id for a, _ in hearings} | {0}))).all())
    people = household_people({r.household_id for r in open_reports} | {h for _, h in hearings})

    for report in open_reports:
        appointment = report.appointment
        if appointment.status is AppointmentStatus.CANCELLED:
            withdraw(report, HEARING_CANCELLED)
            _tell_family(people.get(report.household_id, []), "court_report_withdrawn", report,
                         report.child.first_name)
            counts["withdrawn"] += 1
        elif (report.child_id, report.household_id) not in placed:
            withdraw(report, CHILD_LEFT)  # the family can no longer open it: nobody to tell
            counts["withdrawn"] += 1
        elif appointment.starts_at != report.hearing_at:
            report.hearing_at = appointment.starts_at
            report.due_on = due_date(appointment.starts_at, due_days, today)
            # The reminder goes again for the new date, unless that date is already close (this email says it).
            report.reminder_sent_at = now if report.due_on - timedelta(days=reminder_days) <= today else None
            audit.record("court_report_moved", target=report, household_id=report.household_id,
                         child_id=report.child_id, due_on=report.due_on.isoformat())
            _tell_family(people.get(report.household_id, []), "court_report_moved", report, report.child.first_name)
            counts["moved"] += 1
        elif (report.reminder_sent_at is None and appointment.starts_at > now
              and report.due_on - timedelta(days=reminder_days) <= today <= report.due_on):
            report.reminder_sent_at = now
            _tell_family(people.get(report.household_id, []), "court_report_reminder", report,
                         report.child.first_name)
            counts["reminded"] += 1

    for appointment, household_id in hearings:
        if (appointment.id, household_id) in asked:
            continue
        due_on = due_date(appointment.starts_at, due_days, today)
        if due_on - timedelta(days=REQUEST_LEAD_DAYS) > today and not ask_early:
            continue  # too early to ask
        report = CaregiverReport(appointment_id=appointment.id, child_id=appointment.child_id,
                                 household_id=household_id, hearing_at=appointment.starts_at, due_on=due_on,
                                 requested_at=now,
                                 # Asked inside the reminder's days: this email is the reminder too.
                                 reminder_sent_at=now if due_on - timedelta(days=reminder_days) <= today else None)
        db.session.add(report)
        db.session.flush()
        audit.record("court_report_requested", target=report, household_id=household_id,
                     child_id=appointment.child_id, due_on=due_on.isoformat())
        _tell_family(people.get(household_id, []), "court_report_request", report, appointment.child.first_name)
        counts["requested"] += 1
    db.session.flush()
    return counts


def follow_hearing(sender, *, appointment, today: date, **_extra) -> None:
    """The appointments service saved a court hearing (scheduled, moved or cancelled): its report follows at once,
    in the same transaction (asked if the hearing is inside the request window, moved, or withdrawn)."""
    if appointment.kind is AppointmentKind.COURT_HEARING or db.session.scalar(
            select(CaregiverReport.id).where(CaregiverReport.appointment_id == appointment.id).limit(1)):
        send_requests(today, appointment_id=appointment.id)


def ask_now(appointment, today: date) -> bool:
    """The coordinator asks the family for its report now, even before the lead days. False when there was nothing to
    ask (already asked, past, cancelled, or no household the child is placed with)."""
    return send_requests(today, appointment_id=appointment.id, ask_early=True)["requested"] > 0


def withdraw(report: CaregiverReport, reason: str) -> None:
    """No longer needed (`reason`: HEARING_CANCELLED or CHILD_LEFT, kept as the event's reason too)."""
    transition(REPORT_MOVES, report, ReportStatus.WITHDRAWN, actor=None, household_id=report.household_id,
               reason=reason, child_id=report.child_id)
    report.withdrawn_reason = reason


def _write(report: CaregiverReport, answers: dict[str, str]) -> None:
    for name in REPORT_FIELDS:
        setattr(report, name, (answers.get(name) or "").strip())


def save_draft(user: User, report: CaregiverReport, answers: dict[str, str]) -> None:
    """The family's words kept for later; only while the report is still asked for."""
    if not report.editable:
        raise TransitionRefused(_l("This report was already sent and can no longer be changed."))
    _write(report, answers)
    report.updated_by_id = user.id
    audit.record("court_report_draft_saved", actor=user, target=report, household_id=report.household_id,
                 child_id=report.child_id)
    db.session.flush()


def submit(user: User, report: CaregiverReport, answers: dict[str, str], coordinator: User | None,
           child_name: str) -> None:
    """Send the report to the child's coordinator (email in the coordinator's language); it can't change after."""
    _write(report, answers)
    if not any(getattr(report, name) for name in REPORT_FIELDS):
        raise TransitionRefused(_l("Write at least one part of the report before sending it."))
    transition(REPORT_MOVES, report, ReportStatus.SUBMITTED, actor=user, household_id=report.household_id,
               child_id=report.child_id)
    report.submitted_at, report.submitted_by_id, report.updated_by_id = now_utc(), user.id, user.id
    if coordinator is not None and coordinator.is_active:
        emails.queue_email(coordinator.email, coordinator.preferred_locale, "court_report_submitted",
                           user=coordinator, child_name=child_name, hearing_at=report.hearing_at,
                           link=emails.portal_url("court_reports.staff_report", report_id=report.id))
    db.session.flush()


def confirm_receipt(user: User, report: CaregiverReport, child_name: str) -> None:
    """The coordinator confirms the report arrived; the family is told, and sees the date on its page."""
    transition(REPORT_MOVES, report, ReportStatus.RECEIVED, actor=user, household_id=report.household_id,
               child_id=report.child_id)
    report.received_at, report.received_by_id, report.updated_by_id = now_utc(), user.id, user.id
    _tell_family(household_people([report.household_id]).get(report.household_id, []), "court_report_received",
                 report, child_name)
    db.session.flush()


appointment_saved.connect(follow_hearing)
