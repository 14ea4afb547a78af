"""Routes of the caregiver report: the family's list and report, the coordinator's list and receipt, and the
`send-court-report-requests` command (cron, daily or hourly)."""

from __future__ import annotations

import click
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.access import roles_required
from portal.appointments.permissions import get_appointment_for_staff
from portal.clock import agency_today
from portal.court_reports import bp, services
from portal.court_reports import emails as _emails  # noqa: F401  (email subjects, event words)
from portal.court_reports.forms import CaregiverReportForm
from portal.court_reports.labels import FIELD_TITLES, REPORT_STATUS, WITHDRAWN_REASONS
from portal.court_reports.models import REPORT_FIELDS, CaregiverReport, ReportStatus
from portal.court_reports.permissions import (
    family_reports_query,
    get_report_for_family,
    get_report_for_staff,
    placed_children,
    record_staff_read,
    staff_reports_query,
)
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import label_of
from portal.jobs import runs_alone
from portal.models import Role, User
from portal.paging import paginate
from portal.transitions import Refused

FAMILY = (Role.FAMILY,)
STAFF = (Role.COORDINATOR, Role.ADMIN)


@bp.context_processor
def _words():
    return {"report_status_label": lambda value: label_of(REPORT_STATUS, value), "field_titles": FIELD_TITLES,
            "report_fields": REPORT_FIELDS,
            "withdrawn_reason_label": lambda value: label_of(WITHDRAWN_REASONS, value)}


@bp.app_context_processor
def _family_card_words():
    return {"court_report_due_on": _court_report_due_on}


def _court_report_due_on(user: User):
    """The soonest due date of a report the family is asked for and hasn't sent (one statement), or None."""
    return db.session.scalar(select(func.min(CaregiverReport.due_on)).where(
        CaregiverReport.household_id == user.household_id, CaregiverReport.status == ReportStatus.REQUESTED,
        CaregiverReport.child_id.in_(placed_children(user))))


@bp.get("/")
@roles_required(*FAMILY)
def family_reports():
    reports = db.session.scalars(family_reports_query(current_user)
                                 .order_by(CaregiverReport.hearing_at.desc())).unique().all()
    return render_template("court_reports/family_reports.html", reports=reports)


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@roles_required(*FAMILY, hidden=True)
@keeps_input
def family_report(report_id: int):
    report = get_report_for_family(current_user, report_id)
    if request.method == "POST" and not report.editable:
        flash(_("This report was already sent and can no longer be changed."), "warning")
        return redirect(url_for("court_reports.family_report", report_id=report.id), code=303)
    form = CaregiverReportForm(obj=report)
    if report.editable and form.validate_on_submit():
        try:
            if form.send.data:
                coordinator = db.session.get(User, report.child.coordinator_id) \
                    if report.child.coordinator_id else None
                services.submit(current_user, report, form.answers(), coordinator, report.child.first_name)
                flash(_("Thank you. Your report was sent to the coordinator."), "success")
            else:
                services.save_draft(current_user, report, form.answers())
                flash(_("Your draft is saved. Send it when it is ready."), "success")
        except Refused as refused:
            form.form_errors.append(str(refused.message))
            return render_form("court_reports/family_report.html", form, report=report)
        return redirect(url_for("court_reports.family_report", report_id=report.id), code=303)
    return render_form("court_reports/family_report.html", form, report=report)


@bp.get("/staff")
@roles_required(*STAFF)
def staff_reports():
    status = request.args.get("status", "")
    query = staff_reports_query(current_user).order_by(CaregiverReport.due_on.desc(), CaregiverReport.id.desc())
    if status in {s.value for s in ReportStatus}:
        query = query.where(CaregiverReport.status == ReportStatus(status))
    page = paginate(query)
    return render_template("court_reports/staff_reports.html", page=page, reports=page.items, status=status,
                           statuses=list(ReportStatus))


@bp.get("/staff/<int:report_id>")
@roles_required(*STAFF, hidden=True)
def staff_report(report_id: int):
    report = get_report_for_staff(current_user, report_id)
    record_staff_read(current_user, report)
    household = db.session.scalar(select(User.full_name).where(User.household_id == report.household_id)
                                  .order_by(User.id).limit(1))
    return render_template("court_reports/staff_report.html", report=report, family_name=household,
                           form=ConfirmForm())


@bp.post("/staff/<int:report_id>/receive")
@roles_required(*STAFF, hidden=True)
def staff_confirm_receipt(report_id: int):
    report = get_report_for_staff(current_user, report_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_receipt(current_user, report, report.child.first_name)
        flash(_("Receipt confirmed. The family sees the date on its page."), "success")
    return redirect(url_for("court_reports.staff_report", report_id=report.id), code=303)


@bp.post("/staff/ask/<int:appointment_id>")
@roles_required(*STAFF, hidden=True)
def staff_ask_now(appointment_id: int):
    """The coordinator asks the placed family for its report for this hearing now (before the usual lead days)."""
    appointment = get_appointment_for_staff(current_user, appointment_id)
    if ConfirmForm().validate_on_submit():
        if services.ask_now(appointment, agency_today()):
            flash(_("The family is asked for its report for the court."), "success")
        else:
            flash(_("There is nothing to ask: the family was already asked, or the hearing is past or cancelled, "
                    "or the child is not placed with a family."), "info")
    return redirect(url_for("appointments.child_appointments", child_id=appointment.child_id,
                            _anchor=f"appointment-{appointment.id}"), code=303)


@bp.cli.command("send-court-report-requests")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (for checking what would be sent).")
@runs_alone("send-court-report-requests")
def send_court_report_requests_command(today) -> None:
    """Ask placed families for their caregiver report before each court hearing, remind once, follow moved and
    cancelled hearings. Safe to run every hour."""
    with db.unit_of_work():
        counts = services.send_requests(today.date() if today else agency_today())
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
