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
    EnrolWhileSignedInForm,
    SignInCodeForm,
    keeps_input,
    render_form,
)
from portal.passwords import verify_password
from portal.two_step import CodeResult
from portal.views.accounts import sign_in_lockout

ENROLLING = signing_in.ENROLLING


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@sign_in_lockout
def second_step():
    if current_user.is_authenticated:  # already signed in here: the pending state is not theirs to finish
        return redirect(url_for("portal.dashboard"))
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
    """Someone signed in turning the second step on, or a staff member who passed the password and has no second
    step at all (a first sign-in, or after a reset) and must set one up now. Anyone else who is between the steps
    owes their existing second step: setting up a new one instead would skip it."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    user = signing_in.pending_user()
    if user is not None and not (user.is_staff and not user.has_authenticator and not two_step.has_passkeys(user)):
        return None, True
    return user, True


def _enrolling_secret(user) -> str:
    """The secret being set up, kept in the session for this person only (and encrypted: the cookie is signed,
    not secret). Someone else in the same browser later gets a new one."""
    kept = session.get(ENROLLING)
    if isinstance(kept, dict) and kept.get("u") == user.id and isinstance(kept.get("s"), str):
        secret = two_step.decrypt_secret(kept["s"])
        if secret is not None and len(secret) == 32:
            return secret
    secret = two_step.new_secret()
    session[ENROLLING] = {"u": user.id, "s": two_step.encrypt_secret(secret)}
    return secret


@bp.route("/login/set-up", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@sign_in_lockout
def set_up_second_step():
    user, signing_in_now = _person_setting_up()
    if user is None:
        return redirect(url_for("portal.second_step" if signing_in.pending_user() else "portal.login"))
    if user.has_authenticator:
        return redirect(url_for("portal.two_step_settings"))
    secret = _enrolling_secret(user)
    # Signed in, turning it on asks for the password again: an unattended open session must not be enough to
    # lock the person out of their own account.
    form = EnrolAuthenticatorForm() if signing_in_now else EnrolWhileSignedInForm()
    if form.validate_on_submit():
        if not signing_in_now and not verify_password(user.password_hash, form.password.data):
            _wrong_password(form, user)
            return _set_up_page(form, user, signing_in_now, secret)
        codes = two_step.enrol(user, secret, form.code.data)
        if codes is not None:
            session.pop(ENROLLING, None)
            if signing_in_now:
                signing_in.finish(user, two_step.SecondStep.TOTP)
            flash(_("Two-step sign-in is on."), "success")
            return render_template("portal/recovery_codes.html", codes=codes, first_time=True,
                                   continue_url=url_for("portal.dashboard" if signing_in_now
                                                        else "portal.two_step_settings"))
        keep_on_refusal()
        g.wrong_password = True  # counts toward the lockout: recorded, so an admin can see why someone is locked out
        audit.record(AuditAction.SECOND_STEP_FAILED, target=user, setting_up=True)
        form.code.errors.append(_("That code doesn't match. Check that the app shows this portal, type the code it "
                                  "shows now, and try again."))
    return _set_up_page(form, user, signing_in_now, secret)


def _set_up_page(form, user, signing_in_now: bool, secret: str):
    uri = two_step.provisioning_uri(user, secret)
    return render_form("portal/set_up_second_step.html", form, user=user, signing_in_now=signing_in_now,
                       qr=two_step.qr_svg(uri), secret=two_step.format_secret(secret), otpauth_uri=uri)


@bp.get("/account/two-step")
@signed_in
def two_step_settings():
    user = current_user._get_current_object()
    return render_template("portal/two_step.html", has_app=user.has_authenticator,
                           codes_left=two_step.recovery_codes_left(user) if user.has_authenticator else 0,
                           codes_form=ConfirmWithPasswordForm(prefix="codes"),
                           off_form=ConfirmWithPasswordForm(prefix="off"), **_passkeys_context(user))


@bp.post("/account/two-step/recovery-codes")
@signed_in
@sign_in_lockout
@keeps_input
def new_recovery_codes():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm(prefix="codes")
    if form.validate_on_submit() and user.has_authenticator:
        if verify_password(user.password_hash, form.password.data):
            return render_template("portal/recovery_codes.html", codes=two_step.new_recovery_codes(user),
                                   first_time=False, continue_url=url_for("portal.two_step_settings"))
        _wrong_password(form, user)
    return _settings_with(form)


def _wrong_password(form, user) -> None:
    """A wrong password typed to confirm a change: recorded, and counted toward the same lockout as at sign-in, so
    an open browser is no place to guess it."""
    keep_on_refusal()
    g.wrong_password = True
    audit.record(AuditAction.SIGN_IN_FAILED, target=user, confirming=request.endpoint)
    form.password.errors.append(_("That is not your password."))


@bp.post("/account/two-step/off")
@signed_in
@sign_in_lockout
@keeps_input
def turn_off_second_step():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm(prefix="off")
    if user.is_staff:
        flash(_("Staff accounts always sign in in two steps. An administrator can reset yours if you lost your "
                "phone."), "warning")
        return redirect(url_for("portal.two_step_settings"), code=303)
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.password.data):
            two_step.turn_off(user)
            flash(_("Two-step sign-in is off."), "info")
            return redirect(url_for("portal.two_step_settings"), code=303)
        _wrong_password(form, user)
    return _settings_with(form)


def _settings_with(form: ConfirmWithPasswordForm):
    """The page again with the refusal beside the form that was used (each form has its own prefix and ids)."""
    user = current_user._get_current_object()
    forms = {"codes_form": ConfirmWithPasswordForm(prefix="codes", formdata=None),
             "off_form": ConfirmWithPasswordForm(prefix="off", formdata=None), f"{form._prefix[:-1]}_form": form}
    return render_form("portal/two_step.html", form, has_app=user.has_authenticator,
                       codes_left=two_step.recovery_codes_left(user) if user.has_authenticator else 0,
                       **forms, **_passkeys_context(user))


def _passkeys_context(user) -> dict:
    """The passkeys part of the two-step page (its list, and the remove buttons' form)."""
    return {"passkeys": passkeys.passkeys_of(user), "remove_passkey_form": ConfirmForm(),
            "passkey_name_max": passkeys.NAME_MAX_LENGTH}
