"""Without an account: the interest form, the list of information sessions, RSVP and the invitation to apply."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from licensing import bp, services
from licensing.forms import InquiryForm, RsvpForm
from licensing.models import InfoSession
from licensing.services import InquiryInput, SessionFull
from portal.access import public
from portal.database import now_utc
from portal.extensions import db, limiter
from portal.forms import SetPasswordForm, keeps_input, render_form
from portal.services import find_user_by_email


@bp.route("/inquiry", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
@keeps_input
def inquiry():
    form = InquiryForm(session_id=request.args.get("session", ""))
    if form.validate_on_submit():
        values = {name: (form[name].data or "") for name in InquiryInput.__dataclass_fields__}
        lead, _is_new = services.record_inquiry(InquiryInput(**values))
        chosen = _open_session(form.session_id.data)
        full = False
        if chosen is not None:
            try:
                services.rsvp(lead, chosen)
            except SessionFull:
                full = True
        db.commit()
        return render_template("licensing/inquiry_thanks.html", lead=lead, chosen=chosen, full=full,
                               sessions=services.upcoming_sessions(), token=services.lead_token(lead))
    return render_form("licensing/inquiry.html", form, sessions=services.upcoming_sessions())


def _open_session(session_id: str | None) -> InfoSession | None:
    if not session_id or not session_id.isdigit():
        return None
    session = db.session.get(InfoSession, int(session_id))
    return session if session is not None and session.starts_at > now_utc() else None


@bp.get("/sessions")
@public
def public_sessions():
    return render_template("licensing/public_sessions.html", sessions=services.upcoming_sessions(limit=20))


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token: str):
    lead = services.lead_for_token(token)  # a bad link answers 400 (views/__init__.py)
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
        db.commit()
        return render_template("licensing/rsvp_done.html", lead=lead, session=session)
    return render_template("licensing/rsvp_confirm.html", lead=lead, session=session, form=form, token=token)


@bp.route("/start/<token>", methods=["GET", "POST"])
@public
@keeps_input
def start_application(token: str):
    """The invited lead chooses a password; the account and the application open together."""
    lead = services.lead_for_token(token)  # a bad link answers 400 (views/__init__.py)
    if find_user_by_email(lead.email) is not None:
        flash(_("You already have an account. Sign in to continue your application."), "info")
        return redirect(url_for("portal.login"))
    if current_user.is_authenticated:
        abort(400)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.create_account_for_lead(lead, form.password.data)
        db.commit()
        login_user(user)
        return redirect(url_for("licensing.application_overview"))
    return render_form("licensing/start_application.html", form, lead=lead)
