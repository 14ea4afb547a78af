"""Every write of appointments, and the queries their pages read.

A coordinator schedules, changes and cancels a child's appointments; each change the family is told about grows the
appointment's `sequence` (iCalendar SEQUENCE) and goes to the households that see it, by email in each person's
language (never the internal notes). The family answers about transport; the child's coordinator hears of it.
Services flush, never commit (the request or the command commits once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from blinker import Namespace
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from portal import audit, emails
from portal.appointments.emails import AppointmentAction
from portal.appointments.labels import kind_label, transporter_label
from portal.calendars import CalendarEntry, ends_after
from portal.children.models import (
    APPOINTMENT_MOVES,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Child,
    Placement,
    PlacementStatus,
    TransportAnswer,
    Transporter,
)
from portal.children.visibility import (
    caseload_clause,
    family_appointments_clause,
    family_views,
    households_seeing_each,
)
from portal.clock import agency_today, agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.folding import fold
from portal.i18n import local_to_utc
from portal.models import AuditEvent, User
from portal.transitions import ChangedMeanwhile, Refused, transition

#: An appointment was scheduled, changed or cancelled (sender: the acting User; kwargs: appointment, today), sent in
#: the transaction that saved it. The caregiver reports hear it: a court hearing's request is asked, moved or
#: withdrawn at once (portal/court_reports/services.py::follow_hearing), not only when the hourly job runs.
appointment_saved = Namespace().signal("appointment-saved")

# What the family sees of an appointment: a change to any of these is a change the family is told about.
FAMILY_FIELDS = ("kind", "title", "starts_at", "duration_minutes", "place", "virtual_link", "transport_by",
                 "transport_note", "family_notes")
# A change to any of these asks the family about transport again.
TRANSPORT_FIELDS = ("starts_at", "duration_minutes", "place", "transport_by", "transport_note")


class PastKeepsItsTime(Refused):
    """A change of the time of an appointment already past (its notes may still change)."""


@dataclass
class AppointmentData:
    kind: AppointmentKind
    title: str
    starts_at: datetime  # UTC
    duration_minutes: int
    place: str
    virtual_link: str
    transport_by: Transporter
    transport_note: str
    family_notes: str
    internal_notes: str

    @classmethod
    def from_form(cls, form) -> AppointmentData:
        """The form's answers; the date and time typed are the agency's wall clock."""
        return cls(kind=AppointmentKind(form.kind.data), title=form.title.data or "",
                   starts_at=local_to_utc(datetime.combine(form.day.data, form.time.data)),
                   duration_minutes=form.duration_minutes.data, place=form.place.data or "",
                   virtual_link=form.virtual_link.data or "", transport_by=Transporter(form.transport_by.data),
                   transport_note=form.transport_note.data or "", family_notes=form.family_notes.data or "",
                   internal_notes=form.internal_notes.data or "")


def form_data_of(appointment: Appointment) -> dict:
    """An appointment as the edit form's answers (the date and time on the agency's wall clock)."""
    local = appointment.starts_at.astimezone(agency_zone())
    return {"kind": appointment.kind.value, "title": appointment.title, "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0), "duration_minutes": appointment.duration_minutes,
            "place": appointment.place, "virtual_link": appointment.virtual_link,
            "transport_by": appointment.transport_by.value, "transport_note": appointment.transport_note,
            "family_notes": appointment.family_notes, "internal_notes": appointment.internal_notes,
            "version": appointment.version}


# --- who hears of an appointment -------------------------------------------------------------------------------

def _agency_day(moment: datetime) -> date:
    return moment.astimezone(agency_zone()).date()


def family_recipients(appointments: Iterable[Appointment]) -> dict[int, list[User]]:
    """For each appointment, the people of the households that see it: the household the child is placed with, and a
    respite household whose stay covers the appointment's day. Two statements, whatever the number."""
    appointments = list(appointments)
    if not appointments:
        return {}
    # The one rule (children/visibility.py): the placement's household once the placement has begun, a respite
    # household whose stay covers the appointment's own day.
    seeing = households_seeing_each({a.id: (a.child_id, _agency_day(a.starts_at)) for a in appointments},
                                    agency_today())
    households = {appointment_id: {household for household, _access in pairs}
                  for appointment_id, pairs in seeing.items()}
    all_households = set().union(*households.values())
    people: dict[int, list[User]] = {}
    if all_households:
        for user in db.session.scalars(select(User).where(User.household_id.in_(all_households),
                                                          User.is_active.is_(True)).order_by(User.id)):
            people.setdefault(user.household_id, []).append(user)
    return {appointment_id: [user for household in sorted(chosen) for user in people.get(household, [])]
            for appointment_id, chosen in households.items()}


def family_languages(child_id: int) -> list[str]:
    """The languages the accounts of the household the child is placed with read (one statement): the coordinator
    writes the title and notes the family reads as typed."""
    languages: list[str] = []
    for locale in db.session.scalars(select(User.preferred_locale).join(
            Placement, Placement.household_id == User.household_id).where(
            Placement.child_id == child_id, Placement.status == PlacementStatus.ACTIVE, User.is_active.is_(True))
            .order_by(User.id)):
        if locale not in languages:
            languages.append(locale)
    return languages


def primary_household_id(child_id: int) -> int | None:
    return db.session.scalar(select(Placement.household_id).where(Placement.child_id == child_id,
                                                                  Placement.status == PlacementStatus.ACTIVE))


def _notify_family(appointment: Appointment, child: Child, template: str, recipients: list[User] | None = None,
                   **context) -> int:
    recipients = family_recipients([appointment])[appointment.id] if recipients is None else recipients
    for person in recipients:
        emails.queue_email(person.email, person.preferred_locale, template, user=person, appointment=appointment,
                           child_name=child.first_name, subject_values={"child": child.first_name},
                           link=emails.portal_url("appointments.family_appointments",
                                                  _anchor=f"appointment-{appointment.id}"), **context)
    return len(recipients)


# --- writes -----------------------------------------------------------------------------------------------------

def schedule_appointment(actor: User, child: Child, data: AppointmentData) -> Appointment:
    """A new appointment of the child; the family that sees it is told (in each person's language)."""
    appointment = Appointment(child_id=child.id, created_by_id=actor.id, updated_by_id=actor.id,
                              **{name: getattr(data, name) for name in (*FAMILY_FIELDS, "internal_notes")})
    db.session.add(appointment)
    db.session.flush()
    audit.record(AppointmentAction.SCHEDULED, actor=actor, target=appointment, child_id=child.id,
                 household_id=primary_household_id(child.id), kind=appointment.kind.value)
    _notify_family(appointment, child, "appointment_new")
    appointment_saved.send(actor, appointment=appointment, today=agency_today())
    return appointment


def change_appointment(actor: User, appointment: Appointment, data: AppointmentData,
                       expected_version: int | None) -> list[str]:
    """Save an edit made on a form opened at `expected_version` (ChangedMeanwhile if someone saved since). A change
    the family sees grows the sequence and is emailed to them; a change of time, place or transport asks them about
    transport again. Returns the names of the fields changed."""
    if appointment.status is AppointmentStatus.CANCELLED:
        raise Refused(_l("A cancelled appointment can't be changed. Schedule a new one."))
    if expected_version is None or appointment.version != expected_version:
        raise ChangedMeanwhile
    if appointment.starts_at < now_utc() and appointment.starts_at != data.starts_at:
        raise PastKeepsItsTime(_l("A past appointment keeps its time. Its notes may still change."))
    family_changed = [name for name in FAMILY_FIELDS if getattr(appointment, name) != getattr(data, name)]
    changed = family_changed + (["internal_notes"] if appointment.internal_notes != data.internal_notes else [])
    if not changed:
        return []
    for name in changed:
        setattr(appointment, name, getattr(data, name))
    if family_changed:
        appointment.sequence += 1
    if set(family_changed) & set(TRANSPORT_FIELDS):
        appointment.transport_answer = TransportAnswer.NONE
        appointment.transport_answer_note = ""
    if "starts_at" in family_changed:
        appointment.reminder_sent_at = None  # a new day gets its own reminder
    appointment.updated_at = now_utc()
    appointment.updated_by_id = actor.id
    db.session.flush()  # StaleDataError if another save got in between
    audit.record(AppointmentAction.CHANGED, actor=actor, target=appointment, child_id=appointment.child_id,
                 household_id=primary_household_id(appointment.child_id), fields=changed)
    if family_changed:
        _notify_family(appointment, appointment.child, "appointment_changed")
        appointment_saved.send(actor, appointment=appointment, today=agency_today())
    return changed


def cancel_appointment(actor: User, appointment: Appointment, reason: str, expected_version: int | None) -> None:
    """Cancel through APPOINTMENT_MOVES with a reason the family reads; the family is told, and calendars that
    subscribed see STATUS:CANCELLED with a higher sequence."""
    if appointment.starts_at < now_utc():
        raise Refused(_l("A past appointment can't be cancelled."))
    transition(APPOINTMENT_MOVES, appointment, AppointmentStatus.CANCELLED, actor=actor,
               household_id=primary_household_id(appointment.child_id), reason=reason,
               expected_version=expected_version, child_id=appointment.child_id)
    appointment.cancel_reason = reason.strip()
    appointment.sequence += 1
    appointment.updated_at = now_utc()
    appointment.updated_by_id = actor.id
    db.session.flush()
    _notify_family(appointment, appointment.child, "appointment_cancelled")
    appointment_saved.send(actor, appointment=appointment, today=agency_today())


def answer_transport(person: User, appointment: Appointment, answer: TransportAnswer, note: str) -> None:
    """The family confirms the transport or asks for a change; the child's coordinator is emailed and sees it on
    their pages."""
    if appointment.status is not AppointmentStatus.SCHEDULED or appointment.starts_at <= now_utc():
        raise Refused(_l("This appointment can no longer be answered. Write to your coordinator instead."))
    appointment.transport_answer = answer
    appointment.transport_answer_note = note.strip()
    db.session.flush()
    action = (AppointmentAction.TRANSPORT_CONFIRMED if answer is TransportAnswer.CONFIRMED
              else AppointmentAction.TRANSPORT_CHANGE_REQUESTED)
    audit.record(action, actor=person, target=appointment, child_id=appointment.child_id,
                 household_id=person.household_id, note=note.strip() or None)
    coordinator = db.session.get(User, appointment.child.coordinator_id) if appointment.child.coordinator_id else None
    if coordinator is not None and coordinator.is_active:
        emails.queue_email(coordinator.email, coordinator.preferred_locale, "appointment_transport_answer",
                           user=coordinator, appointment=appointment, child_name=appointment.child.full_name,
                           family_name=person.full_name, answer=answer.value, note=note.strip(),
                           subject_values={"child": appointment.child.first_name},
                           link=emails.portal_url("appointments.child_appointments", child_id=appointment.child_id,
                                                  _anchor=f"appointment-{appointment.id}"))


# --- staff pages ------------------------------------------------------------------------------------------------

def child_schedule(child_id: int, past_limit: int = 50) -> tuple[list[Appointment], list[Appointment]]:
    """A child's upcoming appointments (soonest first) and the most recent past ones. Two statements."""
    now = now_utc()
    upcoming = db.session.scalars(select(Appointment).where(Appointment.child_id == child_id,
                                                            Appointment.starts_at >= now)
                                  .order_by(Appointment.starts_at, Appointment.id)).all()
    past = db.session.scalars(select(Appointment).where(Appointment.child_id == child_id, Appointment.starts_at < now)
                              .order_by(Appointment.starts_at.desc(), Appointment.id.desc()).limit(past_limit)).all()
    return list(upcoming), list(past)


@dataclass(frozen=True)
class LastAnswer:
    asked_change: bool
    note: str
    answered_at: datetime


def last_transport_answers(child_id: int) -> dict[int, LastAnswer]:
    """The family's last transport answer of each of the child's appointments, from the event log (one statement):
    an edit of the time or place resets the answer on the appointment, but staff still see what the family said."""
    answers: dict[int, LastAnswer] = {}
    for target_id, action, details, occurred_at in db.session.execute(
            select(AuditEvent.target_id, AuditEvent.action, AuditEvent.details, AuditEvent.occurred_at)
            .where(AuditEvent.child_id == child_id, AuditEvent.target_type == Appointment.__name__,
                   AuditEvent.action.in_([AppointmentAction.TRANSPORT_CONFIRMED,
                                          AppointmentAction.TRANSPORT_CHANGE_REQUESTED]))
            .order_by(AuditEvent.id)):
        answers[target_id] = LastAnswer(action == AppointmentAction.TRANSPORT_CHANGE_REQUESTED,
                                        str((details or {}).get("note") or ""), occurred_at)
    return answers


def upcoming_for_staff_query(user: User, *, change_requested_only: bool = False):
    """The upcoming appointments of the children this person works (their caseload), with the child, soonest first:
    for `portal.paging.paginate`."""
    query = (select(Appointment).join(Child, Child.id == Appointment.child_id)
             .where(caseload_clause(user), Appointment.starts_at >= now_utc())
             .options(contains_eager(Appointment.child))
             .order_by(Appointment.starts_at, Appointment.id))
    if change_requested_only:
        query = query.where(Appointment.transport_answer == TransportAnswer.CHANGE_REQUESTED,
                            Appointment.status == AppointmentStatus.SCHEDULED)
    return query


@dataclass(frozen=True)
class CoordinatorCard:
    next_week: int
    change_requests: int
    soonest: list[Appointment]


def coordinator_card(user: User) -> CoordinatorCard:
    """The home page card: scheduled appointments in the next 7 days, transport changes asked for, the next five.
    Two statements."""
    now = now_utc()
    week = now + timedelta(days=7)
    scheduled = Appointment.status == AppointmentStatus.SCHEDULED
    in_week = case((scheduled & (Appointment.starts_at < week), 1), else_=0)
    asked = case((scheduled & (Appointment.transport_answer == TransportAnswer.CHANGE_REQUESTED), 1), else_=0)
    row = db.session.execute(select(func.coalesce(func.sum(in_week), 0), func.coalesce(func.sum(asked), 0))
                             .select_from(Appointment).join(Child, Child.id == Appointment.child_id)
                             .where(caseload_clause(user), Appointment.starts_at >= now)).one()
    soonest = db.session.scalars(upcoming_for_staff_query(user).where(scheduled, Appointment.starts_at < week)
                                 .limit(5)).all()
    return CoordinatorCard(next_week=int(row[0]), change_requests=int(row[1]), soonest=list(soonest))


# --- the family's pages -------------------------------------------------------------------------------------------

@dataclass
class FamilySchedule:
    children: dict[int, str]  # child id -> first name, for the children this household sees today
    upcoming: list[Appointment]
    past: list[Appointment]
    month_start: date
    month_days: dict[date, list[Appointment]]


def month_bounds(month_start: date) -> tuple[datetime, datetime]:
    following = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    zone = agency_zone()
    return (datetime.combine(month_start, time(), zone).astimezone(UTC),
            datetime.combine(following, time(), zone).astimezone(UTC))


def family_schedule(household_id: int | None, month_start: date, *, past_limit: int = 30,
                    upcoming_limit: int = 200) -> FamilySchedule:
    """What a household sees today (the one visibility rule): its children, their upcoming and recent past
    appointments, and those of one month by day. Five statements, whatever the number of children or appointments."""
    views = family_views(household_id)
    if not views:
        return FamilySchedule({}, [], [], month_start, {})
    clause = family_appointments_clause(household_id)
    children = {row[0]: row[1] for row in db.session.execute(
        select(Child.id, Child.first_name).where(Child.id.in_([v.child_id for v in views]))
        .order_by(fold(Child.first_name), Child.id))}
    now = now_utc()
    upcoming = db.session.scalars(select(Appointment).where(clause, Appointment.starts_at >= now)
                                  .order_by(Appointment.starts_at, Appointment.id).limit(upcoming_limit)).all()
    past = db.session.scalars(select(Appointment).where(clause, Appointment.starts_at < now)
                              .order_by(Appointment.starts_at.desc(), Appointment.id.desc()).limit(past_limit)).all()
    first, after = month_bounds(month_start)
    days: dict[date, list[Appointment]] = {}
    for appointment in db.session.scalars(select(Appointment).where(clause, Appointment.starts_at >= first,
                                                                    Appointment.starts_at < after)
                                          .order_by(Appointment.starts_at, Appointment.id)):
        days.setdefault(_agency_day(appointment.starts_at), []).append(appointment)
    return FamilySchedule(children, list(upcoming), list(past), month_start, days)


def family_card(household_id: int | None, limit: int = 3) -> tuple[int, list[tuple[Appointment, str]]]:
    """The family home page card: how many children it sees, and the next few scheduled appointments with the
    child's first name."""
    views = family_views(household_id)
    if not views:
        return 0, []
    rows = db.session.execute(select(Appointment, Child.first_name).join(Child, Child.id == Appointment.child_id)
                              .where(family_appointments_clause(household_id), Appointment.starts_at >= now_utc(),
                                     Appointment.status == AppointmentStatus.SCHEDULED)
                              .order_by(Appointment.starts_at).limit(limit)).all()
    return len(views), [(row[0], row[1]) for row in rows]


# --- calendars ----------------------------------------------------------------------------------------------------

def _host() -> str:
    return urlsplit(current_app.config["PORTAL_URL"]).hostname or "portal"


def calendar_entries(appointments: Iterable[Appointment], child_names: dict[int, str],
                     locale: str) -> list[CalendarEntry]:
    """Calendar events of appointments, in the reader's language. What the family may read only: never the internal
    notes."""
    entries = []
    link = emails.portal_url("appointments.family_appointments")
    with force_locale(locale):
        for appointment in appointments:
            child = child_names.get(appointment.child_id, "")
            # The kind in the reader's language first; the title as staff typed it (maybe in another language).
            what = kind_label(appointment.kind)
            if appointment.title:
                what = f"{what}: {appointment.title}"
            summary = _("%(what)s (%(child)s)", what=what, child=child) if child else what
            lines = [appointment.family_notes] if appointment.family_notes else []
            transport = transporter_label(appointment.transport_by)
            if appointment.transport_note:
                transport = f"{transport}: {appointment.transport_note}"
            lines.append(_("Transport: %(who)s", who=transport))
            if appointment.virtual_link:
                lines.append(_("Video call: %(link)s", link=appointment.virtual_link))
            if appointment.status is AppointmentStatus.CANCELLED and appointment.cancel_reason:
                lines.append(_("Cancelled: %(reason)s", reason=appointment.cancel_reason))
            entries.append(CalendarEntry(
                uid=f"appointment-{appointment.id}@{_host()}", starts_at=appointment.starts_at,
                ends_at=ends_after(appointment.starts_at, appointment.duration_minutes), summary=summary,
                description="\n".join(lines), location=appointment.place or appointment.virtual_link, url=link,
                sequence=appointment.sequence, cancelled=appointment.status is AppointmentStatus.CANCELLED,
                updated_at=appointment.updated_at))
    return entries


def feed_appointments(household_id: int | None, *, past_days: int = 365) -> tuple[list[Appointment], dict[int, str]]:
    """Everything a household's subscription shows, decided now by the visibility rule: the appointments of the
    children it sees today (a year back and everything ahead), with the children's first names. Three statements."""
    views = family_views(household_id)
    if not views:
        return [], {}
    names = dict(db.session.execute(select(Child.id, Child.first_name)
                                    .where(Child.id.in_([v.child_id for v in views]))).all())
    appointments = db.session.scalars(select(Appointment).where(
        family_appointments_clause(household_id), Appointment.starts_at >= now_utc() - timedelta(days=past_days))
        .order_by(Appointment.starts_at, Appointment.id).limit(2000)).all()
    return list(appointments), names
