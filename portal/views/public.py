"""Public pages, the agency's icon, the language switcher, the role-aware dashboard and the health check."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from portal import bp
from portal.access import public, signed_in
from portal.assets import agency_icon_response
from portal.extensions import db
from portal.forms import LanguageForm
from portal.i18n import LANGUAGE_COOKIE
from portal.navigation import safe_next


@bp.get("/")
@public
def home():
    return render_template("portal/home.html")


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("The language could not be changed. Please try again."), "warning")
        return redirect(safe_next(request.form.get("next"), "portal.home"))
    response = redirect(safe_next(form.next.data, "portal.home"))
    response.set_cookie(LANGUAGE_COOKIE, form.language.data, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    if current_user.is_authenticated and current_user.preferred_locale != form.language.data:
        # The profile choice wins over the cookie, so the switcher updates it too (emails follow it).
        current_user.preferred_locale = form.language.data
    return response


@bp.get("/favicon.ico")
@public
def favicon():
    """The agency's icon; browsers also ask for /favicon.ico on their own."""
    return agency_icon_response()


@bp.get("/dashboard")
@signed_in
def dashboard():
    return render_template(f"dashboard/{current_user.role.value}.html")


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database_ok = True
    except Exception:  # any driver error means "not answering"
        current_app.logger.exception("health check: database did not answer")
        database_ok = False
    body = {"status": "ok" if database_ok else "degraded", "database": database_ok}
    return jsonify(body), 200 if database_ok else 503
