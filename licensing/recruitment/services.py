"""Recruitment: inquiries become leads, leads come to information sessions, attendees are invited to apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from licensing.application import services as applications
from licensing.application.models import Application, ApplicationStatus
from licensing.recruitment.labels import closed_reason_label
from licensing.recruitment.models import (
    LEAD_MOVES,
    PIPELINE,
    ClosedReason,
    ContactKind,
    ContactOutcome,
    InfoSession,
    Interest,
    Lead,
    LeadContact,
    LeadInquiry,
    LeadSource,
    LeadStatus,
    RecruitmentEvent,
    SessionRsvp,
)
from licensing.tracker.models import License, LicenseStatus
from portal import audit, emails
from portal.clock import agency_now
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password
from portal.services import find_user_by_email, normalize_email
from portal.signals import email_confirmed
from portal.tokens import TokenInvalid, fingerprint, make_token, new_nonce, read_token
from portal.transitions import Refused, transition

LEAD_LINK_PURPOSE = "lead-link"
LEAD_LINK_MAX_AGE = 90 * 24 * 3600


@dataclass
class InquiryInput:
    first_name: str
    last_name: str
    email: str
    phone: str
    preferred_locale: str
    county: str
    zip_code: str
    interest: str
    source: str
    questions: str
    # The recruitment event whose code came with the inquiry (a `?source=` link or a typed code), when known.
    event_id: int | None = None


def lead_token(lead: Lead) -> str:
    return make_token(LEAD_LINK_PURPOSE, lead.id, lead.link_nonce)


def lead_for_token(token: str) -> Lead:
    lead_id, state = read_token(LEAD_LINK_PURPOSE, token, LEAD_LINK_MAX_AGE)
    lead = db.session.get(Lead, lead_id)
    if lead is None or fingerprint(lead.link_nonce) != state:
        raise TokenInvalid
    return lead


def upcoming_sessions(limit: int = 6) -> list[tuple[InfoSession, int]]:
    """Sessions still to come, each with how many places are taken (one query). The places are counted by a
    correlated subquery, so only for the sessions returned, not over every RSVP ever made before the limit."""
    taken = (select(func.count(SessionRsvp.id)).where(SessionRsvp.session_id == InfoSession.id)
             .correlate(InfoSession).scalar_subquery())
    rows = db.session.execute(
        select(InfoSession, taken)
        .where(InfoSession.starts_at > now_utc())
        .order_by(InfoSession.starts_at).limit(limit)
    ).all()
    return [(session, count) for session, count in rows]


def record_inquiry(data: InquiryInput) -> tuple[Lead, bool]:
    """Create the lead, or attach this inquiry to the existing one with the same email. Returns (lead, is_new)."""
    email = normalize_email(data.email)
    lead = db.session.scalar(select(Lead).where(Lead.email == email))
    is_new = lead is None
    if lead is None:
        lead = Lead(email=email, first_name=data.first_name.strip(), last_name=data.last_name.strip(),
                    source=LeadSource(data.source), interest=Interest(data.interest), created_at=now_utc())
        lead.set_first_contact_due()  # one business day from now: the deadline the dashboard and metrics read
        db.session.add(lead)
    else:
        lead.first_name, lead.last_name = data.first_name.strip(), data.last_name.strip()
        lead.interest = Interest(data.interest)
        if lead.status is LeadStatus.CLOSED:  # they came back: back into the pipeline
            transition(LEAD_MOVES, lead, LeadStatus.NEW, actor=None, household_id=lead.household_id,
                       action="inquiry_received")
    lead.phone = data.phone.strip()
    lead.preferred_locale = data.preferred_locale
    lead.county = data.county.strip()
    lead.zip_code = data.zip_code.strip()
    source = LeadSource.EVENT if data.event_id is not None else LeadSource(data.source)
    if data.event_id is not None and lead.event_id is None:  # the first event a family names is the one it came from
        lead.event_id, lead.source = data.event_id, LeadSource.EVENT
    db.session.add(LeadInquiry(lead=lead, interest=Interest(data.interest), source=source,
                               questions=data.questions.strip()))
    db.session.flush()
    if is_new:
        audit.record("inquiry_received", target=lead, source=lead.source.value, event_id=lead.event_id)
    emails.queue_email(lead.email, lead.preferred_locale, "inquiry_received", user=lead,
                       sessions=[s for s, taken in upcoming_sessions() if taken < s.capacity],
                       rsvp_base=emails.portal_url("licensing.rsvp", token=lead_token(lead)),
                       sessions_link=emails.portal_url("licensing.public_sessions"))
    return lead, is_new


def _lead_event(actor: User | None, lead: Lead, action: str, moves_to: LeadStatus | None = None,
               **details: object) -> bool:
    """Record `action` about the lead; when `moves_to` is further along the pipeline than the lead is, the lead moves
    there in the same event (through LEAD_MOVES). A lead never moves back this way. Returns whether it moved."""
    if moves_to is not None and lead.status in PIPELINE and PIPELINE.index(moves_to) > PIPELINE.index(lead.status):
        transition(LEAD_MOVES, lead, moves_to, actor=actor, household_id=lead.household_id, action=action, **details)
        return True
    audit.record(action, actor=actor, target=lead, household_id=lead.household_id, **details)
    return False


class SessionFull(Exception):
    pass


def rsvp(lead: Lead, session: InfoSession) -> SessionRsvp:
    """Reserve a place; raises SessionFull. Reserving twice is harmless."""
    existing = db.session.scalar(select(SessionRsvp).where(SessionRsvp.lead_id == lead.id,
                                                           SessionRsvp.session_id == session.id))
    if existing is not None:
        return existing
    taken = db.session.scalar(select(func.count()).select_from(SessionRsvp)
                              .where(SessionRsvp.session_id == session.id))
    if taken >= session.capacity:
        raise SessionFull
    reservation = SessionRsvp(lead=lead, session=session)
    db.session.add(reservation)
    db.session.flush()
    _lead_event(None, lead, "rsvp_made", LeadStatus.RSVPED, session_id=session.id)
    emails.queue_email(lead.email, lead.preferred_locale, "rsvp_confirmed", user=lead, session=session)
    return reservation


def next_open_session(after: InfoSession) -> InfoSession | None:
    for session, taken in upcoming_sessions(limit=20):
        if session.starts_at > after.starts_at and taken < session.capacity:
            return session
    return None


def create_session(staff: User, **values) -> InfoSession:
    session = InfoSession(created_by_id=staff.id, **values)
    db.session.add(session)
    db.session.flush()
    audit.record("session_published", actor=staff, target=session, starts_at=session.starts_at.isoformat())
    return session


def record_attendance(staff: User, session: InfoSession, attended_lead_ids: set[int]) -> None:
    """Mark who came. A lead who came and already has an account gets their application opened. Coming to a session
    is not a contact of the lead: it leaves the first contact alone. Refused before the session has started."""
    if session.starts_at > agency_now():
        raise Refused(_l("This session has not started yet: attendance can be recorded once it has begun."))
    rsvps = db.session.scalars(select(SessionRsvp).options(selectinload(SessionRsvp.lead))
                               .where(SessionRsvp.session_id == session.id)).all()
    for reservation in rsvps:
        newly = reservation.lead_id in attended_lead_ids and not reservation.attended
        reservation.attended = reservation.lead_id in attended_lead_ids
        lead = reservation.lead
        moved = newly and _lead_event(staff, lead, "attended_session", LeadStatus.ATTENDED, session_id=session.id)
        if moved and lead.household_id is not None:
            open_application_for(lead, db.session.get(Household, lead.household_id), opened_by=staff)
    db.session.flush()
    audit.record("attendance_recorded", actor=staff, target=session, attended=len(attended_lead_ids))


# "Contacted within one business day" means the family heard from us and we heard from them: a conversation
# (call, text or email exchange, visit) counts, including one where they said they are not interested. A voicemail
# left or a call not answered is an attempt, as agencies count it (and as state recruitment measures do): it moves a
# new inquiry on (someone reached out) but doesn't stop the one-business-day clock.
FIRST_CONTACT_OUTCOMES = frozenset({ContactOutcome.REACHED, ContactOutcome.NOT_INTERESTED})


def log_contact(staff: User, lead: Lead, kind: ContactKind, outcome: ContactOutcome, notes: str,
                contacted_at: datetime, next_follow_up_on: date | None) -> LeadContact:
    """A call, text, email or visit with the family, its outcome and the next follow-up. The one thing that sets the
    lead's first contact (the hours to first contact) when it reached the family; a new lead becomes contacted on
    any attempt (the homefinder did reach out); the lead's follow-up is the newest contact's (none clears it). One
    event. Refused for a time before the family's inquiry arrived."""
    # Typed times have minutes only: a call logged in the minute the inquiry arrived is not before it.
    if contacted_at < lead.created_at.replace(second=0, microsecond=0):
        raise Refused(_l("The contact can't be before the inquiry arrived."))
    newest_before = db.session.scalar(select(func.max(LeadContact.contacted_at))
                                      .where(LeadContact.lead_id == lead.id))
    contact = LeadContact(lead_id=lead.id, homefinder_id=staff.id, kind=kind, outcome=outcome, notes=notes.strip(),
                          contacted_at=contacted_at, next_follow_up_on=next_follow_up_on)
    db.session.add(contact)
    if outcome in FIRST_CONTACT_OUTCOMES:
        # The earliest contact that reached them, whenever it is logged: a call typed in late, back-dated, lowers it.
        reached_at = max(contacted_at, lead.created_at)
        lead.first_contact_at = min(lead.first_contact_at or reached_at, reached_at)
    if newest_before is None or contacted_at >= newest_before:
        # A contact logged late for last week doesn't replace the follow-up today's call asked for.
        lead.next_follow_up_on = next_follow_up_on
    lead.assigned_homefinder_id = lead.assigned_homefinder_id or staff.id
    db.session.flush()
    _lead_event(staff, lead, "lead_contact_logged", LeadStatus.CONTACTED, contact_id=contact.id, kind=kind.value,
                outcome=outcome.value, follow_up=next_follow_up_on.isoformat() if next_follow_up_on else None)
    return contact


def lead_contacts(lead: Lead) -> list[tuple[LeadContact, str | None]]:
    """The lead's logged contacts, newest first, each with the name of who made it (one query)."""
    return [(contact, name) for contact, name in db.session.execute(
        select(LeadContact, User.full_name).outerjoin(User, User.id == LeadContact.homefinder_id)
        .where(LeadContact.lead_id == lead.id)
        .order_by(LeadContact.contacted_at.desc(), LeadContact.id.desc()))]


def can_be_invited(lead: Lead) -> bool:
    """Not invited yet, and not already applying or closed."""
    return lead.invited_at is None and lead.status not in (LeadStatus.APPLYING, LeadStatus.CLOSED)


def invite_to_apply(staff: User, lead: Lead) -> None:
    """Email the lead a link to create their account; the application opens with it. Once only: refused when the lead
    was already invited, is applying or closed. An invitation is not a logged contact (first contact stays)."""
    already = Refused(_l("%(name)s was already invited to apply.", name=lead.full_name))
    if lead.invited_at is not None:
        raise already
    if not can_be_invited(lead):
        raise Refused(_l("%(name)s is applying already or the inquiry is closed: no invitation is needed.",
                         name=lead.full_name))
    # Claimed in one conditional UPDATE: of two clicks at the same moment (two tabs, two homefinders), one invites.
    claimed = db.session.execute(update(Lead).where(Lead.id == lead.id, Lead.invited_at.is_(None))
                                 .values(invited_at=now_utc())).rowcount
    if not claimed:
        raise already
    _lead_event(staff, lead, "invited_to_apply", LeadStatus.INVITED)
    lead.assigned_homefinder_id = lead.assigned_homefinder_id or staff.id
    _send_invitation(staff, lead)


def _send_invitation(staff: User, lead: Lead) -> None:
    emails.queue_email(lead.email, lead.preferred_locale, "invited_to_apply", user=lead, inviter=staff,
                       link=emails.portal_url("licensing.start_application", token=lead_token(lead)))


def invitation_state(lead: Lead) -> str:
    """What the "Send the invitation again" button carries: the link it would retire. A second click, made from the
    same page after the first one sent a new link, no longer matches and sends nothing."""
    return fingerprint(lead.link_nonce)


def can_resend_invitation(lead: Lead) -> bool:
    """Invited, and not applying or closed since (their account is made: the link has done its work)."""
    return lead.invited_at is not None and lead.status not in (LeadStatus.APPLYING, LeadStatus.CLOSED)


def resend_invitation(staff: User, lead: Lead, state: str) -> None:
    """Send the invitation to apply again, in the lead's language, with a new link: the earlier link stops working
    (it may have expired, or the email got lost). The day of the first invitation stays. `state` is what the page
    showed (`invitation_state`): a double click, or two homefinders at once, send it once; the other is refused."""
    if not can_resend_invitation(lead):
        raise Refused(_l("%(name)s has not been invited, is applying already or the inquiry is closed: there is no "
                         "invitation to send again.", name=lead.full_name))
    already = Refused(_l("The invitation to %(name)s was just sent again.", name=lead.full_name))
    if state != invitation_state(lead):
        raise already
    # One conditional UPDATE: of two clicks that saw the same link, one retires it and sends.
    nonce, sent_at = new_nonce(), now_utc()
    claimed = db.session.execute(update(Lead).where(Lead.id == lead.id, Lead.link_nonce == lead.link_nonce)
                                 .values(link_nonce=nonce, invitation_resent_at=sent_at)).rowcount
    if not claimed:
        raise already
    _lead_event(staff, lead, "invitation_sent_again")
    _send_invitation(staff, lead)


def session_attendees(session: InfoSession) -> list[Lead]:
    """The leads who came to the session, in the order they signed up (one query)."""
    return list(db.session.scalars(select(Lead).join(SessionRsvp, SessionRsvp.lead_id == Lead.id)
                                   .where(SessionRsvp.session_id == session.id, SessionRsvp.attended.is_(True))
                                   .order_by(SessionRsvp.id)))


def invite_attendees(staff: User, session: InfoSession) -> list[Lead]:
    """Invite everyone who came to the session and can still be invited (each once); returns who was invited."""
    invited = []
    for lead in session_attendees(session):
        if can_be_invited(lead):
            try:
                invite_to_apply(staff, lead)
            except Refused:  # invited meanwhile by someone else: once is enough
                continue
            invited.append(lead)
    return invited


def create_account_for_lead(lead: Lead, password: str) -> User:
    """The invited lead's account: email already proven by the link, a household, and the application opened."""
    existing = find_user_by_email(lead.email)
    if existing is not None:
        raise ValueError("account exists")
    household = (db.session.get(Household, lead.household_id) if lead.household_id else None) \
        or Household(name=lead.full_name)
    user = User(email=lead.email, full_name=lead.full_name, role=Role.APPLICANT,
                preferred_locale=lead.preferred_locale, password_hash=hash_password(password),
                email_confirmed_at=now_utc(), household=household)
    db.session.add_all([household, user])
    db.session.flush()
    lead.household_id = household.id
    lead.link_nonce = lead.link_nonce + "-used"  # the account link works once
    db.session.flush()
    audit.record(audit.AuditAction.REGISTERED, actor=user, target=user, lead_id=lead.id)
    open_application_for(lead, household, opened_by=user)
    return user


def open_application_for(lead: Lead, household: Household, opened_by: User | None) -> Application:
    """The lead's household gets its application; the lead is now applying."""
    application = applications.open_application(household, lead, opened_by=opened_by)
    lead.household_id = household.id
    _lead_event(opened_by, lead, "lead_applying", LeadStatus.APPLYING)
    return application


@email_confirmed.connect
def link_account_to_lead(user: User, **_signal_kwargs) -> None:
    """An applicant who registered on their own with the email of a lead: link them, and open the application
    when the lead came to an information session or was invited."""
    lead = db.session.scalar(select(Lead).where(Lead.email == user.email))
    if lead is None or user.household_id is None:
        return
    if lead.household_id is None:
        lead.household_id = user.household_id
        audit.record("lead_linked", actor=user, target=lead, household_id=lead.household_id)
    if lead.status in (LeadStatus.ATTENDED, LeadStatus.INVITED):
        household = db.session.get(Household, user.household_id)
        open_application_for(lead, household, opened_by=user)


# -- the pipeline board's bulk actions ----------------------------------------------------------------------------

def assign_homefinder(staff: User, leads: list[Lead], homefinder: User) -> int:
    """Give these families to `homefinder` (one `lead_assigned` event each). A family that applied has its
    application assigned too, through the application's own step, so both pages name the same person. Returns how
    many changed hands."""
    by_household = _applications_of(leads)
    changed = 0
    for lead in leads:
        application = by_household.get(lead.household_id)
        if lead.assigned_homefinder_id == homefinder.id and (
                application is None or application.assigned_homefinder_id == homefinder.id):
            continue
        lead.assigned_homefinder_id = homefinder.id
        audit.record("lead_assigned", actor=staff, target=lead, household_id=lead.household_id,
                     homefinder=homefinder.full_name, homefinder_id=homefinder.id)
        if application is not None and application.assigned_homefinder_id != homefinder.id:
            applications.assign(staff, application, homefinder)
        changed += 1
    return changed


@dataclass
class ClosedLeads:
    closed: list[Lead]
    # Left open: licensed families (their license is closed on its own page) and families closed already.
    licensed: list[Lead]
    already_closed: list[Lead]


def close_leads(staff: User, leads: list[Lead], reason: ClosedReason, note: str) -> ClosedLeads:
    """Close these families' pipeline with the reason (LEAD_MOVES to CLOSED; closed_reason and closed_at kept for the
    closures-by-reason report). Closing the family closes all of it: an application not yet decided (in progress,
    sent or returned) is withdrawn through its own transition, with the same reason, so it doesn't linger in the
    review lists. A licensed family is left alone: a license is closed on the license's page, not from the board."""
    reason = ClosedReason(reason)
    said = note.strip() or closed_reason_label(reason)
    by_household = _applications_of(leads)
    licensed_ids = set(db.session.scalars(select(License.application_id).where(
        License.application_id.in_([a.id for a in by_household.values()]),
        License.status.in_([LicenseStatus.ACTIVE, LicenseStatus.EXPIRED]))))
    outcome = ClosedLeads([], [], [])
    for lead in leads:
        application = by_household.get(lead.household_id)
        if application is not None and (application.id in licensed_ids
                                        or application.status is ApplicationStatus.APPROVED):
            outcome.licensed.append(lead)
            continue
        if lead.status is LeadStatus.CLOSED:
            outcome.already_closed.append(lead)
            continue
        transition(LEAD_MOVES, lead, LeadStatus.CLOSED, actor=staff, household_id=lead.household_id, reason=said,
                   action="lead_closed", closed_reason=reason.value)
        lead.closed_reason, lead.closed_at = reason, now_utc()
        if application is not None and application.status in UNDECIDED_APPLICATIONS:
            applications.change_application_status(staff, application, ApplicationStatus.WITHDRAWN, reason=said,
                                                    closed_reason=reason.value)
        outcome.closed.append(lead)
    db.session.flush()
    return outcome


UNDECIDED_APPLICATIONS = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)


def _applications_of(leads: list[Lead]) -> dict[int, Application]:
    """The applications of these leads' households, by household (one query)."""
    household_ids = {lead.household_id for lead in leads if lead.household_id is not None}
    if not household_ids:
        return {}
    return {application.household_id: application for application in db.session.scalars(
        select(Application).where(Application.household_id.in_(household_ids)))}


# -- recruitment events -------------------------------------------------------------------------------------------

EVENT_FIELDS = ("name", "kind", "source_code", "starts_on", "ends_on", "language", "county", "notes")


class SourceCodeTaken(Exception):
    """Another event has this source code (two staff saving the same code at once: the form's check missed it)."""


def event_for_code(code: str | None) -> RecruitmentEvent | None:
    """The event with this source code (typed in any case, spaces around it ignored), or None."""
    code = (code or "").strip().upper()
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(RecruitmentEvent).where(RecruitmentEvent.source_code == code))


def create_event(staff: User, **values) -> RecruitmentEvent:
    """A recruitment event (a fair, a talk, a campaign) with its source code; raises SourceCodeTaken."""
    event = RecruitmentEvent(created_by_id=staff.id, **{name: values[name] for name in EVENT_FIELDS})
    _save_event(lambda: db.session.add(event))
    audit.record("recruitment_event_created", actor=staff, target=event, source_code=event.source_code)
    return event


def update_event(staff: User, event: RecruitmentEvent, **values) -> RecruitmentEvent:
    """Change an event's details; what changed is recorded (the code's old value too: flyers may carry it). Raises
    SourceCodeTaken."""
    changed = {name: str(getattr(event, name)) for name in EVENT_FIELDS if getattr(event, name) != values[name]}

    def change() -> None:
        for name in EVENT_FIELDS:
            setattr(event, name, values[name])

    _save_event(change)
    if changed:
        audit.record("recruitment_event_updated", actor=staff, target=event, changed=sorted(changed),
                     previous_code=changed.get("source_code"))
    return event


def _save_event(change) -> None:
    """Make the change and flush it in a savepoint (begin_nested flushes what was pending before it, so the change
    is made inside): a code taken a moment ago by someone else is said beside the field, not a 500."""
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except IntegrityError as error:
        raise SourceCodeTaken from error
