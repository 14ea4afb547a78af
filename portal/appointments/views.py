"""Routes of appointments: the coordinator's pages (a child's appointments, new, edit, cancel, the caseload's
upcoming list), the family's (list and month, .ics, transport answer, subscription URL) and the public feed, whose
secret token is its only key."""

from __future__ import annotations

import calendar
import re
from datetime import date

from babel import dates
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal import calendars
from portal.access import public, roles_required
from portal.appointments import bp, services
from portal.appointments import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from portal.appointments import emails as _emails  # noqa: F401  (subjects, event words)
from portal.appointments import reminders as _reminders  # noqa: F401  (`flask send-appointment-reminders`)
from portal.appointments.forms import AppointmentForm, CancelForm, TransportAnswerForm
from portal.appointments.labels import TEMPLATE_LABELS
from portal.appointments.permissions import (
    get_appointment_for_family,
    get_appointment_for_staff,
    get_child_for_scheduling,
)
from portal.children.models import TransportAnswer
from portal.clock import agency_today, agency_zone
from portal.emails import portal_url
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import FORMAT_LOCALES, current_language, in_language, language_label, month_text
from portal.models import Role
from portal.paging import paginate
from portal.transitions import ChangedMeanwhile, Refused

STAFF = (Role.COORDINATOR, Role.ADMIN)
FEED_SCOPE = "children"
FEED_SHOWN = "appointments_feed_url"  # the new subscription URL, shown once on the next page view


@bp.app_context_processor
def _appointment_words():
    return {**TEMPLATE_LABELS, "coordinator_appointments_card": services.coordinator_card,
            "appointment_month": lambda moment: moment.astimezone(agency_zone()).strftime("%Y-%m"),
            "family_appointments_card": services.family_card}


# --- coordinators -----------------------------------------------------------------------------------------------

@bp.get("/child/<int:child_id>")
@roles_required(*STAFF, hidden=True)
def child_appointments(child_id: int):
    child = get_child_for_scheduling(current_user, child_id, record_read=True)
    upcoming, past = services.child_schedule(child.id)
    return render_template("appointments/child.html", child=child, upcoming=upcoming, past=past,
                           last_answers=services.last_transport_answers(child.id))


def _family_languages(child_id: int) -> str:
    """The placed family's languages, in the reader's words ("Spanish"), for the hint beside the title and notes."""
    return ", ".join(language_label(code) for code in services.family_languages(child_id))


@bp.route("/child/<int:child_id>/new", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def new_appointment(child_id: int):
    child = get_child_for_scheduling(current_user, child_id)
    form = AppointmentForm()
    if form.validate_on_submit():
        appointment = services.schedule_appointment(current_user, child, services.AppointmentData.from_form(form))
        flash(_("The appointment is scheduled. The family was told."), "success")
        return redirect(url_for("appointments.child_appointments", child_id=child.id,
                                _anchor=f"appointment-{appointment.id}"), code=303)
    return render_form("appointments/form.html", form, child=child, appointment=None,
                       family_languages=_family_languages(child.id))


@bp.route("/<int:appointment_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def edit_appointment(appointment_id: int):
    appointment = get_appointment_for_staff(current_user, appointment_id, record_read=request.method == "GET")
    child = appointment.child
    form = AppointmentForm(data=services.form_data_of(appointment))
    if form.validate_on_submit():
        try:
            services.change_appointment(current_user, appointment, services.AppointmentData.from_form(form),
                                        form.version.data)
        except services.PastKeepsItsTime as refused:
            form.day.errors.append(str(refused.message))
            return render_form("appointments/form.html", form, child=child, appointment=appointment,
                               family_languages=_family_languages(child.id))
        except (ChangedMeanwhile, StaleDataError):
            db.rollback()
            appointment = get_appointment_for_staff(current_user, appointment_id)
            return render_template("appointments/form.html", form=form, child=appointment.child,
                                   appointment=appointment, conflict=True,
                                   family_languages=_family_languages(appointment.child_id)), 409
        flash(_("The appointment is saved."), "success")
        return redirect(url_for("appointments.child_appointments", child_id=child.id,
                                _anchor=f"appointment-{appointment.id}"), code=303)
    return render_form("appointments/form.html", form, child=child, appointment=appointment,
                       family_languages=_family_languages(child.id))


@bp.route("/<int:appointment_id>/cancel", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def cancel_appointment(appointment_id: int):
    appointment = get_appointment_for_staff(current_user, appointment_id, record_read=request.method == "GET")
    form = CancelForm(data={"version": appointment.version})
    if form.validate_on_submit():
        try:
            services.cancel_appointment(current_user, appointment, form.reason.data, form.version.data)
        except (ChangedMeanwhile, StaleDataError):
            db.rollback()
            appointment = get_appointment_for_staff(current_user, appointment_id)
            return render_template("appointments/cancel.html", form=form, appointment=appointment,
                                   conflict=True), 409
        flash(_("The appointment is cancelled. The family was told."), "success")
        return redirect(url_for("appointments.child_appointments", child_id=appointment.child_id,
                                _anchor=f"appointment-{appointment.id}"), code=303)
    return render_form("appointments/cancel.html", form, appointment=appointment)


@bp.get("/upcoming")
@roles_required(*STAFF)
def upcoming():
    changes_only = request.args.get("show") == "changes"
    page = paginate(services.upcoming_for_staff_query(current_user, change_requested_only=changes_only))
    return render_template("appointments/upcoming.html", page=page, changes_only=changes_only)


# --- families -------------------------------------------------------------------------------------------------

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _month_asked(value: str | None) -> date:
    """`?month=YYYY-MM`, between 2000 and 2100; anything else is this month."""
    match = _MONTH.fullmatch((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    return agency_today().replace(day=1)


def _month_page_words(month_start: date) -> dict:
    locale = FORMAT_LOCALES.get(current_language(), "en_US")
    names = dates.get_day_names("abbreviated", locale=locale)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(month_start.year, month_start.month)
    previous = (month_start.replace(day=1) - date.resolution).replace(day=1)
    following = (month_start.replace(day=28) + 4 * date.resolution).replace(day=1)
    return {"weeks": weeks, "day_names": [names[(6 + i) % 7] for i in range(7)],
            "month_title": month_text(month_start),
            "previous_month": previous.strftime("%Y-%m"), "next_month": following.strftime("%Y-%m"),
            "today": agency_today()}


@bp.get("/family")
@roles_required(Role.FAMILY)
def family_appointments():
    month_start = _month_asked(request.args.get("month"))
    schedule = services.family_schedule(current_user.household_id, month_start)
    return render_template("appointments/family.html", schedule=schedule, answer_form=TransportAnswerForm(),
                           button_form=ConfirmForm(), feed_url=session.pop(FEED_SHOWN, None),
                           has_feed=calendars.has_live_feed(current_user, FEED_SCOPE),
                           **_month_page_words(month_start))


@bp.get("/<int:appointment_id>/calendar.ics")
@roles_required(Role.FAMILY, hidden=True)
def appointment_ics(appointment_id: int):
    appointment = get_appointment_for_family(current_user, appointment_id)
    entries = services.calendar_entries([appointment], {appointment.child_id: appointment.child.first_name},
                                        current_user.preferred_locale)
    body = calendars.build_calendar(entries, _("Appointments"))
    return calendars.calendar_response(body, f"appointment-{appointment.id}.ics", download=True)


@bp.post("/<int:appointment_id>/transport")
@roles_required(Role.FAMILY, hidden=True)
def answer_transport(appointment_id: int):
    appointment = get_appointment_for_family(current_user, appointment_id)
    form = TransportAnswerForm()
    if not form.validate_on_submit():
        schedule = services.family_schedule(current_user.household_id, agency_today().replace(day=1))
        return render_template("appointments/family.html", schedule=schedule, answer_form=form,
                               answering=appointment.id, button_form=ConfirmForm(), feed_url=None,
                               has_feed=calendars.has_live_feed(current_user, FEED_SCOPE),
                               **_month_page_words(schedule.month_start)), 422
    try:
        services.answer_transport(current_user, appointment, TransportAnswer(form.answer.data), form.note.data or "")
    except Refused as refused:
        flash(str(refused.message), "danger")
        return redirect(url_for("appointments.family_appointments", _anchor=f"appointment-{appointment.id}"),
                        code=303)
    flash(_("Thank you. Your coordinator has your answer."), "success")
    return redirect(url_for("appointments.family_appointments", _anchor=f"appointment-{appointment.id}"), code=303)


@bp.post("/calendar-feed")
@roles_required(Role.FAMILY)
def issue_feed():
    token = calendars.issue_feed(current_user, FEED_SCOPE)
    session[FEED_SHOWN] = portal_url("appointments.feed", token=token)
    flash(_("Your calendar address is ready. Any older address stops working."), "success")
    return redirect(url_for("appointments.family_appointments", _anchor="subscribe"), code=303)


@bp.post("/calendar-feed/revoke")
@roles_required(Role.FAMILY)
def revoke_feed():
    calendars.revoke_feed(current_user, FEED_SCOPE)
    flash(_("Your calendar address is turned off."), "success")
    return redirect(url_for("appointments.family_appointments", _anchor="subscribe"), code=303)


@bp.get("/feed/<token>.ics")
@public
def feed(token: str):
    """The private subscription: computed on each fetch through the visibility rule. 404 for an unknown or revoked
    token, and for a person who no longer sees any child (an ended placement ends the feed at once)."""
    person = calendars.user_for_feed(FEED_SCOPE, token)
    if person is None:
        abort(404)
    appointments, names = services.feed_appointments(person.household_id)
    if not names:
        abort(404)
    entries = services.calendar_entries(appointments, names, person.preferred_locale)
    body = calendars.build_calendar(entries, in_language(person.preferred_locale, _l("Appointments")))
    return calendars.calendar_response(body, "appointments.ics", download=False)
