"""Passkeys: added and removed on the two-step page, used at the second step of signing in. The ceremonies are
portal/passkeys.py; the browser's half is static/js/passkeys.js, which sends JSON with the CSRF token in the
X-CSRFToken header. Every refusal answers 400 with {"error": a sentence in the reader's language}."""

from __future__ import annotations

from flask import current_app, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, bp, passkeys, signing_in
from portal.access import public, signed_in
from portal.audit import AuditAction
from portal.database import keep_on_refusal
from portal.extensions import limiter
from portal.forms import ConfirmForm
from portal.permissions import get_own_passkey
from portal.two_step import SecondStep
from portal.views.accounts import sign_in_lockout


def _options(options_json: str):
    return current_app.response_class(options_json, mimetype="application/json",
                                      headers={"Cache-Control": "no-store"})


def _refused(message: str):
    return jsonify(error=message), 400


def _credential() -> dict | None:
    body = passkeys.parse_body(request.get_data(cache=False))
    credential = body.get("credential") if body is not None else None
    return credential if isinstance(credential, dict) else None


@bp.post("/account/passkeys/options")
@signed_in
def passkey_registration_options():
    return _options(passkeys.registration_options(current_user._get_current_object()))


@bp.post("/account/passkeys")
@signed_in
def add_passkey():
    user = current_user._get_current_object()
    body = passkeys.parse_body(request.get_data(cache=False))
    credential = body.get("credential") if body is not None else None
    if not isinstance(credential, dict):
        return _refused(_("The passkey wasn't added. Reload the page and try again."))
    name = passkeys.clean_name(body.get("name"))
    if name is None:
        return _refused(_("A passkey's name can have at most %(max)d characters.", max=passkeys.NAME_MAX_LENGTH))
    passkey = passkeys.register(user, credential, name)
    if passkey is None:
        return _refused(_("The passkey wasn't added. Try again, or use another passkey."))
    flash(_("Passkey “%(name)s” added. You can use it to sign in instead of a code.", name=passkey.name), "success")
    return jsonify(redirect=url_for("portal.two_step_settings"))


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@signed_in
def remove_passkey(passkey_id: int):
    user = current_user._get_current_object()
    passkey = get_own_passkey(user, passkey_id)
    if ConfirmForm().validate_on_submit():
        name = passkey.name
        passkeys.remove(user, passkey)
        flash(_("Passkey “%(name)s” removed. It can't sign in to your account any more.", name=name), "info")
    return redirect(url_for("portal.two_step_settings"), code=303)


@bp.post("/login/passkey/options")
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def passkey_sign_in_options():
    user = signing_in.pending_user()
    if user is None:
        return _refused(_("Your sign-in has expired. Start again with your email and password."))
    return _options(passkeys.authentication_options(user))


@bp.post("/login/passkey")
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@sign_in_lockout
def passkey_sign_in():
    user = signing_in.pending_user()
    if user is None:
        return _refused(_("Your sign-in has expired. Start again with your email and password."))
    credential = _credential()
    if credential is None:
        return _refused(_("The passkey didn't answer. Try again."))
    if passkeys.authenticate(user, credential) is None:
        keep_on_refusal()  # the failed attempt stays recorded, though the answer is a 400
        g.wrong_password = True  # counts toward the same lockout as a wrong password or code
        audit.record(AuditAction.SECOND_STEP_FAILED, target=user, method=SecondStep.PASSKEY)
        return _refused(_("That passkey didn't work. Try again, or use another way to sign in."))
    response = signing_in.finish(user, SecondStep.PASSKEY)
    return jsonify(redirect=response.headers["Location"])
