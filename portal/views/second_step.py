"""The second sign-in step: the code page, setting up an authenticator app, recovery codes, and the account's
two-step settings. The sign-in flow itself is portal/signing_in.py; the checks are portal/two_step.py."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, bp, passkeys, signing_in, two_step
from portal.access import public, signed_in
from portal.audit import AuditAction
from portal.database import keep_on_refusal
from portal.extensions import limiter
from portal.forms import (
    ConfirmForm,
    ConfirmWithPasswordForm,
    EnrolAuthenticatorForm,
    SignInCodeForm,
    keeps_input,
    render_form,
)
from portal.passwords import verify_password
from portal.two_step import CodeResult
from portal.views.accounts import sign_in_lockout

ENROLLING = "enrolling_secret"


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@sign_in_lockout
def second_step():
    user = signing_in.pending_user()
    if user is None:
        return redirect(url_for("portal.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        result, method = two_step.verify_code(user, form.code.data)
        if result == CodeResult.OK:
            if method == two_step.SecondStep.RECOVERY:
                flash(_("You signed in with a recovery code; it can't be used again. You have %(count)d left.",
                        count=two_step.recovery_codes_left(user)), "warning")
            return signing_in.finish(user, method)
        keep_on_refusal()  # the failed attempt stays recorded, though the page answers 422
        g.wrong_password = True  # counts toward the same lockout as a wrong password
        audit.record(AuditAction.SECOND_STEP_FAILED, target=user, used_again=result == CodeResult.USED or None)
        if result == CodeResult.USED:
            form.code.errors.append(_("That code was already used. Wait for the next code in your app, or use "
                                      "another recovery code."))
        else:
            form.code.errors.append(_("That code isn't right. Check the code your app shows now and try again."))
    return render_form("portal/second_step.html", form, user=user,
                       has_app=user.has_authenticator, has_passkeys=two_step.has_passkeys(user))


def _person_setting_up():
    """Someone signed in turning the second step on, or staff who passed the password and must set it up now."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    user = signing_in.pending_user()
    return user, True


@bp.route("/login/set-up", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@sign_in_lockout
def set_up_second_step():
    user, signing_in_now = _person_setting_up()
    if user is None:
        return redirect(url_for("portal.login"))
    if user.has_authenticator:
        return redirect(url_for("portal.two_step_settings" if not signing_in_now else "portal.second_step"))
    secret = session.get(ENROLLING)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROLLING] = two_step.new_secret()
    form = EnrolAuthenticatorForm()
    if form.validate_on_submit():
        codes = two_step.enrol(user, secret, form.code.data)
        if codes is not None:
            session.pop(ENROLLING, None)
            if signing_in_now:
                signing_in.finish(user, two_step.SecondStep.TOTP)
            flash(_("Two-step sign-in is on."), "success")
            return render_template("portal/recovery_codes.html", codes=codes, first_time=True)
        keep_on_refusal()
        g.wrong_password = True
        form.code.errors.append(_("That code doesn't match. Check that the app shows this portal, type the code it "
                                  "shows now, and try again."))
    uri = two_step.provisioning_uri(user, secret)
    return render_form("portal/set_up_second_step.html", form, user=user, signing_in_now=signing_in_now,
                       qr=two_step.qr_svg(uri), secret=two_step.format_secret(secret))


@bp.get("/account/two-step")
@signed_in
def two_step_settings():
    user = current_user._get_current_object()
    return render_template("portal/two_step.html", has_app=user.has_authenticator,
                           codes_left=two_step.recovery_codes_left(user) if user.has_authenticator else 0,
                           password_form=ConfirmWithPasswordForm(), **_passkeys_context(user))


@bp.post("/account/two-step/recovery-codes")
@signed_in
@keeps_input
def new_recovery_codes():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm()
    if form.validate_on_submit() and user.has_authenticator:
        if verify_password(user.password_hash, form.password.data):
            return render_template("portal/recovery_codes.html", codes=two_step.new_recovery_codes(user),
                                   first_time=False)
        form.password.errors.append(_("That is not your password."))
    return _settings_with(form)


@bp.post("/account/two-step/off")
@signed_in
@keeps_input
def turn_off_second_step():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm()
    if user.is_staff:
        flash(_("Staff accounts always sign in in two steps. An administrator can reset yours if you lost your "
                "phone."), "warning")
        return redirect(url_for("portal.two_step_settings"), code=303)
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.password.data):
            two_step.turn_off(user)
            flash(_("Two-step sign-in is off."), "info")
            return redirect(url_for("portal.two_step_settings"), code=303)
        form.password.errors.append(_("That is not your password."))
    return _settings_with(form)


def _settings_with(form: ConfirmWithPasswordForm):
    user = current_user._get_current_object()
    return render_form("portal/two_step.html", form, has_app=user.has_authenticator,
                       codes_left=two_step.recovery_codes_left(user) if user.has_authenticator else 0,
                       password_form=form, refused_action=request.endpoint, **_passkeys_context(user))


def _passkeys_context(user) -> dict:
    """The passkeys part of the two-step page (its list, and the remove buttons' form)."""
    return {"passkeys": passkeys.passkeys_of(user), "remove_passkey_form": ConfirmForm(),
            "passkey_name_max": passkeys.NAME_MAX_LENGTH}
