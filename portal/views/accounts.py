"""Sign-in, registration, email confirmation, password reset, invitations, profile."""

from __future__ import annotations

import hashlib

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal import bp, services, signing_in
from portal.access import public, signed_in
from portal.database import keep_on_refusal
from portal.extensions import limiter
from portal.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResendConfirmationForm,
    SetPasswordForm,
    keeps_input,
    render_form,
)
from portal.i18n import current_language, suggest_locale
from portal.services import SignInResult
from portal.tokens import TokenInvalid, TokenPurpose


def _account_key() -> str:
    """Failed sign-ins are counted per account: per typed email at the password, whether or not it has an account
    (no enumeration), and per the email that passed the password at the second step. One counter for both steps:
    a wrong code counts like a wrong password."""
    if request.endpoint == "portal.login":
        typed = request.form.get("email", "")
    elif signing_in.pending_email():  # between the steps: the account that passed the password
        typed = signing_in.pending_email()
    else:  # signed in, turning the second step on: the person's own account
        typed = current_user.email if current_user.is_authenticated else ""
    return "login-account:" + hashlib.sha256(typed.strip().lower()[:254].encode()).hexdigest()


def _lockout_limit() -> str:
    config = current_app.config
    return f"{config['LOGIN_FAILURES_BEFORE_LOCKOUT']} per {config['LOGIN_LOCKOUT_MINUTES']} minutes"


def _failed(_response) -> bool:
    """Only a wrong password or code counts toward the lockout: not a refusal of the per-address limit (429), which
    would lock out the rightful owner behind a shared office address, nor a form sent empty."""
    return bool(g.get("wrong_password"))


# The same limit, under one scope, on every step of signing in (portal/views/second_step.py uses it too).
sign_in_lockout = limiter.shared_limit(_lockout_limit, scope="sign-in-lockout", key_func=_account_key,
                                       methods=["POST"], deduct_when=_failed)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@sign_in_lockout
@keeps_input
def login():
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"))
    form = LoginForm(next=request.args.get("next"))
    unconfirmed = False
    if form.validate_on_submit():
        result, user = services.authenticate(form.email.data, form.password.data)
        if result == SignInResult.OK:
            return signing_in.after_password(user, form.next.data)
        keep_on_refusal()  # the failed attempt stays recorded, though the page answers 422
        g.wrong_password = result == SignInResult.INVALID
        if result == SignInResult.UNCONFIRMED:
            unconfirmed = True
            form.form_errors.append(_("Please confirm your email address first. We sent you a link when you "
                                      "created your account."))
        else:
            form.form_errors.append(_("That email and password don't match an account. Check them and try again."))
    return render_form("portal/login.html", form, unconfirmed=unconfirmed,
                       resend_form=ResendConfirmationForm(email=form.email.data))


@bp.post("/logout")
@signed_in
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.sign_out(current_user._get_current_object())
        logout_user()
        signing_in.forget_half_done()
        flash(_("You are signed out."), "info")
    return redirect(url_for("portal.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
@keeps_input
def register():
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"))
    form = RegistrationForm(preferred_locale=current_language())
    if form.validate_on_submit():
        services.register_applicant(form.full_name.data, form.email.data, form.password.data,
                                    form.preferred_locale.data)
        # Same page whether the address was new or already had an account.
        return render_template("portal/check_email.html", email=form.email.data.strip())
    return render_form("portal/register.html", form)


@bp.get("/confirm/<token>")
@public
def confirm_email(token: str):
    try:
        user = services.confirm_email(token)
    except TokenInvalid:
        return render_template("portal/token_invalid.html", resend_form=ResendConfirmationForm()), 400
    suggest_locale(user.preferred_locale)  # the email's language, kept on the sign-in page that follows
    flash(_("Thank you, your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for("portal.login"))


@bp.route("/confirm/resend", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["EMAIL_RATE_LIMIT"], methods=["POST"])
@keeps_input
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        return render_template("portal/check_email.html", email=form.email.data.strip())
    return render_form("portal/resend_confirmation.html", form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["EMAIL_RATE_LIMIT"], methods=["POST"])
@keeps_input
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("portal/reset_sent.html", email=form.email.data.strip())
    return render_form("portal/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@keeps_input
def reset_password(token: str):
    return _set_password_page(TokenPurpose.RESET_PASSWORD, token, "portal/reset_password.html",
                              _l("Your password is changed. Sign in with your new password."))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@keeps_input
def accept_invitation(token: str):
    return _set_password_page(TokenPurpose.INVITATION, token, "portal/accept_invitation.html",
                              _l("Welcome! Your password is set. Sign in to start."))


def _set_password_page(purpose: TokenPurpose, token: str, template: str, done_message):
    try:
        user = services.user_for_token(purpose, token)
    except TokenInvalid:
        return render_template("portal/token_invalid.html", purpose=purpose.value), 400
    suggest_locale(user.preferred_locale)  # the email's language, here and on the sign-in page that follows
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password_from_token(purpose, token, form.password.data)
        logout_user()  # no automatic sign-in: the person signs in with the new password
        flash(str(done_message), "success")
        return redirect(url_for("portal.login"))
    return render_form(template, form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
@keeps_input
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.full_name.data, form.preferred_locale.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("portal.profile"))
    return render_form("portal/profile.html", form)


@bp.get("/account/signed-in")
@signed_in
def signed_in_check():
    """Who is signed in on this browser, and nothing else: the base template with the session and the user loaded.
    The benchmark's baseline page (tests/performance/bench.py): every main page is timed against it."""
    return render_template("portal/signed_in.html")


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@keeps_input
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.change_password(user, form.current_password.data, form.password.data):
            # This session is kept; every other one ended.
            flash(_("Your password is changed. Other devices were signed out."), "success")
            return redirect(url_for("portal.profile"))
        form.current_password.errors.append(_("That is not your current password."))
    return render_form("portal/change_password.html", form)
