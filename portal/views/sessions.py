"""Where a person is signed in: their sessions, ended one by one or all at once, and the "it wasn't me" link of a
new-device email. The records and their rules are portal/sessions.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import bp, sessions
from portal.access import public, signed_in
from portal.devices import describe_user_agent
from portal.forms import ConfirmForm
from portal.permissions import get_own_session
from portal.tokens import TokenInvalid


@bp.get("/account/sessions")
@signed_in
def account_sessions():
    user = current_user._get_current_object()
    current = sessions.current_session()
    return render_template("portal/sessions.html", sessions=sessions.sessions_of(user), current=current,
                           describe=describe_user_agent, form=ConfirmForm())


@bp.post("/account/sessions/<int:session_id>/end")
@signed_in
def end_own_session(session_id: int):
    user = current_user._get_current_object()
    signed_in_session = get_own_session(user, session_id)
    if ConfirmForm().validate_on_submit():
        current = sessions.current_session()
        sessions.end(signed_in_session, user, sessions.EndReason.BY_OWNER)
        if current is not None and current.id == signed_in_session.id:
            logout_user()
            flash(_("You are signed out."), "info")
            return redirect(url_for("portal.home"), code=303)
        flash(_("That session is ended: it is signed out."), "success")
    return redirect(url_for("portal.account_sessions"), code=303)


@bp.post("/account/sessions/end-others")
@signed_in
def end_other_sessions():
    user = current_user._get_current_object()
    if ConfirmForm().validate_on_submit():
        count = sessions.end_all(user, user, sessions.EndReason.BY_OWNER, keep=sessions.current_session())
        flash(_("Every other session is signed out (%(count)d).", count=count), "success")
    return redirect(url_for("portal.account_sessions"), code=303)


@bp.route("/account/sessions/end/<token>", methods=["GET", "POST"])
@public
def end_session_from_email(token: str):
    """The link of a new-device email. Opening it only asks (mail scanners open links); the button ends it."""
    try:
        signed_in_session = sessions.session_for_end_link(token)
    except TokenInvalid:
        return render_template("portal/token_invalid.html", purpose="end-session"), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        sessions.end_from_email(signed_in_session)
        return render_template("portal/session_ended.html")
    return render_template("portal/end_session.html", form=form, signed_in_session=signed_in_session,
                           device=describe_user_agent(signed_in_session.user_agent),
                           live=sessions.is_live(signed_in_session))
