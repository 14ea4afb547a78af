"""Recruitment's routes: without an account, the interest form, the sessions, RSVP and the invitation to apply;
for homefinders, the leads and the information sessions with their attendance."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from licensing import bp
from licensing.pipeline.stages import Stage, stage_label, stage_of
from licensing.pipeline.work_queue import follow_up_due
from licensing.recruitment import lists, services
from licensing.recruitment.forms import InfoSessionForm, InquiryForm, LeadContactForm, ResendInvitationForm, RsvpForm
from licensing.recruitment.models import (
    ContactKind,
    ContactOutcome,
    InfoSession,
    Lead,
    LeadStatus,
    RecruitmentEvent,
    SessionRsvp,
)
from licensing.recruitment.permissions import get_attendee_for_staff, get_lead_for_staff, get_session_for_staff
from licensing.recruitment.services import InquiryInput, SessionFull
from licensing.roles import LICENSING_STAFF as STAFF
from portal import signing_in
from portal.access import public, roles_required
from portal.clock import agency_now
from portal.database import now_utc
from portal.extensions import db, limiter
from portal.forms import ConfirmForm, SetPasswordForm, keeps_input, render_form
from portal.i18n import local_to_utc, suggest_locale
from portal.models import User
from portal.paging import paginate, search_text
from portal.routing import parse_id
from portal.services import find_user_by_email
from portal.transitions import Refused


@bp.route("/inquiry", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
@keeps_input
def inquiry():
    linked = services.event_for_code(request.args.get("source")) if request.method == "GET" else None
    if linked is not None:
        # A flyer's link from a Spanish-language event opens the form in Spanish (the switcher still wins).
        suggest_locale(linked.language)
    form = InquiryForm(session_id=request.args.get("session", ""), source_code=request.args.get("source", "")[:40])
    if form.validate_on_submit():
        values = {name: (form[name].data or "") for name in InquiryInput.__dataclass_fields__ if name != "event_id"}
        event = form.event()
        lead, _is_new = services.record_inquiry(InquiryInput(**values, event_id=event.id if event else None))
        chosen = _open_session(form.session_id.data)
        full = False
        if chosen is not None:
            try:
                services.rsvp(lead, chosen)
            except SessionFull:
                full = True
        return render_template("licensing/inquiry_thanks.html", lead=lead, chosen=chosen, full=full,
                               sessions=services.upcoming_sessions(), token=services.lead_token(lead))
    return render_form("licensing/inquiry.html", form, sessions=services.upcoming_sessions(), linked_event=linked)


def _open_session(session_id: str | None) -> InfoSession | None:
    session_id = parse_id(session_id)
    if session_id is None:
        return None
    session = db.session.get(InfoSession, session_id)
    return session if session is not None and session.starts_at > now_utc() else None


@bp.get("/sessions")
@public
def public_sessions():
    return render_template("licensing/public_sessions.html", sessions=services.upcoming_sessions(limit=20))


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token: str):
    lead = services.lead_for_token(token)  # a bad link answers 400 (licensing/views.py)
    suggest_locale(lead.preferred_locale)  # the language of the email the link came in
    session = _open_session(request.args.get("session"))
    if session is None:
        return render_template("licensing/rsvp_choose.html", lead=lead, token=token,
                               sessions=services.upcoming_sessions(limit=20))
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            services.rsvp(lead, session)
        except SessionFull:
            return render_template("licensing/session_full.html", session=session, token=token,
                                   next_session=services.next_open_session(session)), 409
        return render_template("licensing/rsvp_done.html", lead=lead, session=session)
    return render_template("licensing/rsvp_confirm.html", lead=lead, session=session, form=form, token=token)


@bp.route("/start/<token>", methods=["GET", "POST"])
@public
@keeps_input
def start_application(token: str):
    """The invited lead chooses a password; the account and the application open together."""
    lead = services.lead_for_token(token)  # a bad link answers 400 (licensing/views.py)
    suggest_locale(lead.preferred_locale)  # the email's language, kept on the sign-in page it may lead to
    if find_user_by_email(lead.email) is not None:
        flash(_("You already have an account. Sign in to continue your application."), "info")
        return redirect(url_for("portal.login"))
    if current_user.is_authenticated:
        abort(400)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.create_account_for_lead(lead, form.password.data)
        signing_in.start_signed_in(user, "")  # a new applicant's account: no second step yet
        return redirect(url_for("licensing.application_overview"))
    return render_form("licensing/start_application.html", form, lead=lead)


@bp.get("/staff/leads")
@roles_required(*STAFF)
def staff_leads():
    status, q, due = request.args.get("status", ""), search_text(), request.args.get("due", "")
    queue = request.args.get("queue", "")
    queue = queue if queue in lists.LEAD_QUEUES else ""
    query = lists.leads_query(status, q, queue)
    if due == "today":  # the work queue's "follow-ups due": today's and the ones still waiting from before
        query = query.where(follow_up_due())
    page = paginate(query)
    # Late: no first contact and the lead's stored deadline (one business day after it arrived) is past.
    return render_template("licensing/staff_leads.html", page=page, leads=page.items, status=status, q=q, due=due,
                           queue=queue, statuses=list(LeadStatus), now=now_utc())


@bp.route("/staff/leads/<int:lead_id>", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
def staff_lead(lead_id: int):
    lead = get_lead_for_staff(current_user, lead_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        # A contact is logged with its form (staff_log_contact): how, how it went, the next follow-up.
        if request.form.get("action") != "invite":
            abort(400)
        _invite(lead)
        return redirect(url_for("licensing.staff_lead", lead_id=lead.id), code=303)
    return _render_lead(lead, form, LeadContactForm())


@bp.post("/staff/leads/<int:lead_id>/contacts")
@roles_required(*STAFF, hidden=True)
@keeps_input
def staff_log_contact(lead_id: int):
    """Log a call, text, email or visit with the family; errors are said beside the fields on the lead's page."""
    lead = get_lead_for_staff(current_user, lead_id)
    contact_form = LeadContactForm()
    if contact_form.validate_on_submit():
        try:
            services.log_contact(current_user, lead, ContactKind(contact_form.kind.data),
                                 ContactOutcome(contact_form.outcome.data), contact_form.notes.data or "",
                                 local_to_utc(contact_form.contacted_at.data), contact_form.next_follow_up_on.data)
        except Refused as refused:
            contact_form.contacted_at.errors.append(refused.message)
        else:
            flash(_("Contact logged."), "success")
            return redirect(url_for("licensing.staff_lead", lead_id=lead.id), code=303)
    return _render_lead(lead, ConfirmForm(), contact_form), 422


def _render_lead(lead: Lead, form: ConfirmForm, contact_form: LeadContactForm) -> str:
    lead = db.session.scalars(select(Lead).options(selectinload(Lead.inquiries),
                                                   selectinload(Lead.rsvps).selectinload(SessionRsvp.session))
                              .where(Lead.id == lead.id)).one()
    event = db.session.get(RecruitmentEvent, lead.event_id) if lead.event_id is not None else None
    stage, homefinder_id = stage_of(lead.id)
    homefinder_name = (db.session.scalar(select(User.full_name).where(User.id == homefinder_id))
                       if homefinder_id is not None else None)
    return render_template("licensing/staff_lead.html", lead=lead, form=form, contact_form=contact_form, event=event,
                           homefinder_name=homefinder_name, stage=stage, stage_text=stage_label(stage),
                           # How long a family has waited for a first call matters until it applies.
                           waiting=stage in (Stage.INQUIRY, Stage.CONTACTED, Stage.ORIENTATION, Stage.INVITED),
                           contacts=services.lead_contacts(lead), now=now_utc(), **_invitation_helpers())


def _invitation_helpers() -> dict:
    return {"can_be_invited": services.can_be_invited, "can_resend_invitation": services.can_resend_invitation,
            "invitation_state": services.invitation_state}


def _invite(lead: Lead) -> None:
    """Invite one lead; a second click (two tabs, a double tap) is told, not sent twice."""
    try:
        services.invite_to_apply(current_user, lead)
    except Refused as refused:
        flash(str(refused.message), "warning")
    else:
        flash(_("Invitation to apply sent to %(email)s.", email=lead.email), "success")


@bp.post("/staff/leads/<int:lead_id>/invitation")
@roles_required(*STAFF, hidden=True)
def staff_resend_invitation(lead_id: int):
    """Send the invitation to apply again (a new link; the old one stops working), from the lead's page or from a
    session's attendance page (`session`), and back there."""
    lead = get_lead_for_staff(current_user, lead_id)
    form = ResendInvitationForm()
    if not form.validate_on_submit():
        abort(400)
    session_id = parse_id(form.session.data)
    back = (url_for("licensing.staff_session", session_id=get_session_for_staff(current_user, session_id).id)
            if session_id is not None else url_for("licensing.staff_lead", lead_id=lead.id))
    try:
        services.resend_invitation(current_user, lead, form.state.data or "")
    except Refused as refused:  # sent a moment ago (a double click), or nothing to send again
        flash(str(refused.message), "warning")
    else:
        flash(_("Invitation to apply sent again to %(email)s. The link sent before no longer works.",
                email=lead.email), "success")
    return redirect(back, code=303)


@bp.route("/staff/sessions", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def staff_sessions():
    form = InfoSessionForm()
    if form.validate_on_submit():
        services.create_session(current_user, starts_at=local_to_utc(form.starts_at.data),
                                duration_minutes=form.duration_minutes.data, format=form.format.data,
                                address=(form.address.data or "").strip(),
                                meeting_link=(form.meeting_link.data or "").strip(), language=form.language.data,
                                capacity=form.capacity.data)
        flash(_("The information session is published."), "success")
        return redirect(url_for("licensing.staff_sessions"), code=303)
    when, q = request.args.get("when", ""), search_text()
    page = paginate(lists.sessions_query(when, q), scalars=False)
    return render_form("licensing/staff_sessions.html", form, page=page, sessions=page.items, when=when, q=q)


@bp.route("/staff/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
def staff_session(session_id: int):
    session = get_session_for_staff(current_user, session_id)
    rsvps = _session_rsvps(session)
    form = ConfirmForm()
    if form.validate_on_submit():
        attended = {number for number in map(parse_id, request.form.getlist("attended")) if number is not None}
        try:
            services.record_attendance(current_user, session, attended & {r.lead_id for r in rsvps})
        except Refused as refused:  # a session still to come: said on the page, nothing stored
            return _render_session(session, rsvps, form, refused=refused.message), 422
        flash(_("Attendance saved."), "success")
        return redirect(url_for("licensing.staff_session", session_id=session.id), code=303)
    return _render_session(session, rsvps, form)


@bp.post("/staff/sessions/<int:session_id>/invite")
@roles_required(*STAFF, hidden=True)
def staff_session_invite(session_id: int):
    """Invite to apply from the attendance page: one lead who came (`lead`), or everyone who came (`all`)."""
    session = get_session_for_staff(current_user, session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("all"):
        invited = services.invite_attendees(current_user, session)
        flash(ngettext("%(num)s invitation to apply sent.", "%(num)s invitations to apply sent.", len(invited))
              if invited else _("Everyone who came is invited already."), "success" if invited else "info")
    else:
        _invite(get_attendee_for_staff(current_user, session, parse_id(request.form.get("lead"))))
    return redirect(url_for("licensing.staff_session", session_id=session.id), code=303)


def _session_rsvps(session: InfoSession) -> list[SessionRsvp]:
    return list(db.session.scalars(select(SessionRsvp).options(selectinload(SessionRsvp.lead))
                                   .where(SessionRsvp.session_id == session.id).order_by(SessionRsvp.id)))


def _render_session(session: InfoSession, rsvps: list[SessionRsvp], form: ConfirmForm, refused=None) -> str:
    return render_template("licensing/staff_session.html", session=session, rsvps=rsvps, form=form,
                           invite_form=ConfirmForm(), refused=refused, started=session.starts_at <= agency_now(),
                           **_invitation_helpers(),
                           invitable=[r for r in rsvps if r.attended and services.can_be_invited(r.lead)])
