"""Routes of training.hours: attendance, training records, outside hours and their approval, certificates, and the
agency's training rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from licensing.roles import FAMILY, LICENSING_STAFF
from licensing.uploads import FileRefused, open_stored, send_stored
from portal import audit
from portal.access import roles_required
from portal.clock import agency_today, agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import label_of, number_filter
from portal.models import Role
from portal.paging import paginate
from portal.transitions import TransitionRefused
from portal.uploads import closed_on_error
from training import bp
from training.catalog.models import Course, CourseCategory, CourseSession, SessionMeeting
from training.hours import checklist as _checklist  # noqa: F401  (hears credits_changed; the checklist's hook)
from training.hours import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from training.hours import emails as _emails  # noqa: F401  (email subjects, event words)
from training.hours import services
from training.hours.certificates import certificate_for, certificate_pdf, find_certificate
from training.hours.forms import (
    AttendanceForm,
    CertificateCheckForm,
    DecisionForm,
    OutsideHoursForm,
    TrainingRuleForm,
)
from training.hours.labels import CATEGORY, CREDIT_STATUS, FORMAT, SOURCE
from training.hours.models import CreditFormat, TrainingCredit
from training.hours.permissions import (
    get_certificate_for_family,
    get_credit_for_staff,
    get_household_for_staff,
    get_meeting_for_staff,
    get_proof_for_family,
    get_rule_for_admin,
)
from training.hours.record import load_household_record


@bp.app_template_filter("hours")
def hours_filter(tenths: int | None) -> str:
    """Tenths of an hour as the reader writes hours: 7.5, 7,5."""
    return number_filter(Decimal(tenths or 0) / 10)


@bp.context_processor
def _words() -> dict:
    return {"category_label": lambda v: label_of(CATEGORY, v), "source_label": lambda v: label_of(SOURCE, v),
            "credit_status_label": lambda v: label_of(CREDIT_STATUS, v), "format_label": lambda v: label_of(FORMAT, v)}


# -- attendance (staff) ---------------------------------------------------------------------------------------------

@bp.get("/staff/attendance")
@roles_required(*LICENSING_STAFF)
def attendance_meetings():
    """Meetings of the last sixty days and the next two weeks, to take attendance (paged: two statements)."""
    now = now_utc()
    page = paginate(select(SessionMeeting, CourseSession, Course)
                    .join(CourseSession, CourseSession.id == SessionMeeting.session_id)
                    .join(Course, Course.id == CourseSession.course_id)
                    .where(SessionMeeting.starts_at >= now - timedelta(days=60),
                           SessionMeeting.starts_at <= now + timedelta(days=14))
                    .order_by(SessionMeeting.starts_at.desc(), SessionMeeting.id), scalars=False)
    return render_template("training/hours/attendance_meetings.html", page=page)


@bp.route("/staff/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def take_attendance(meeting_id: int):
    meeting = get_meeting_for_staff(current_user, meeting_id)
    session = db.session.get(CourseSession, meeting.session_id)
    course = db.session.get(Course, session.course_id)
    lines = services.roster(meeting)
    form = AttendanceForm()
    form.present.choices = [(line.member.id, line.member.full_name) for line in lines]
    if request.method == "GET":
        form.present.data = [line.member.id for line in lines if line.present]
    if form.validate_on_submit():
        if meeting.starts_at > now_utc() + timedelta(hours=12):
            form.form_errors.append(_("This meeting hasn't happened yet: take attendance on the day."))
        else:
            completed = services.record_attendance(current_user, meeting, set(form.present.data or []),
                                                   agency_today())
            flash(_("Attendance saved.") + (" " + _("%(count)s completed the course: their hours are credited.",
                                                  count=completed) if completed else ""), "success")
            return redirect(url_for("training.take_attendance", meeting_id=meeting.id), code=303)
    return render_form("training/hours/attendance.html", form, meeting=meeting, session=session, course=course,
                       lines=lines, starts=meeting.starts_at.astimezone(agency_zone()))


# -- training records -----------------------------------------------------------------------------------------------

@bp.get("/hours")
@roles_required(*FAMILY)
def family_record():
    record = load_household_record(current_user.household_id, agency_today()) if current_user.household_id else None
    return render_template("training/hours/family_record.html", record=record)


@bp.get("/staff/households/<int:household_id>/hours")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_record(household_id: int):
    household = get_household_for_staff(current_user, household_id)
    return render_template("training/hours/staff_record.html", household=household,
                           record=load_household_record(household.id, agency_today()))


# -- outside hours --------------------------------------------------------------------------------------------------

def _outside_form(household_id: int) -> OutsideHoursForm:
    form = OutsideHoursForm()
    form.member.choices = [(m.id, m.full_name) for m in services.applicants_of(household_id)]
    return form


def _outside_hours(form: OutsideHoursForm) -> services.OutsideHours:
    return services.OutsideHours(
        member_id=form.member.data, title=form.title.data, provider=form.provider.data or "",
        category=CourseCategory(form.category.data), format=CreditFormat(form.format.data),
        hours_tenths=int(form.hours.data * 10), completed_on=form.completed_on.data, expires_on=form.expires_on.data)


@bp.route("/hours/outside", methods=["GET", "POST"])
@roles_required(*FAMILY)
@keeps_input
def family_submit_outside():
    if current_user.household_id is None or not services.applicants_of(current_user.household_id):
        return render_template("training/hours/no_application.html")
    form = _outside_form(current_user.household_id)
    proof_error = ""
    if form.validate_on_submit():
        try:
            services.submit_outside_hours(current_user, _outside_hours(form), request.files.get("proof"))
        except FileRefused as refused:
            proof_error = str(refused.message)
        else:
            flash(_("Thank you. The agency will review your hours and email you."), "success")
            return redirect(url_for("training.family_record"), code=303)
    page, status = render_form("training/hours/outside_form.html", form, proof_error=proof_error, household=None)
    return page, 422 if proof_error else status


@bp.route("/staff/households/<int:household_id>/hours/outside", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def staff_add_outside(household_id: int):
    household = get_household_for_staff(current_user, household_id)
    form = _outside_form(household.id)
    proof_error = ""
    if form.validate_on_submit():
        try:
            services.record_outside_hours(current_user, household.id, _outside_hours(form),
                                          request.files.get("proof"))
        except FileRefused as refused:
            proof_error = str(refused.message)
        else:
            flash(_("The hours are recorded."), "success")
            return redirect(url_for("training.staff_record", household_id=household.id), code=303)
    page, status = render_form("training/hours/outside_form.html", form, proof_error=proof_error,
                               household=household)
    return page, 422 if proof_error else status


@bp.get("/staff/hours/pending")
@roles_required(*LICENSING_STAFF)
def pending_hours():
    return render_template("training/hours/pending.html", page=paginate(services.pending_submissions_query(),
                                                                        scalars=False), form=DecisionForm())


@bp.post("/staff/hours/<int:credit_id>/decide")
@roles_required(*LICENSING_STAFF, hidden=True)
def decide_hours(credit_id: int):
    credit = get_credit_for_staff(current_user, credit_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_outside_hours(current_user, credit, form.decision.data == "approve", form.reason.data or "")
        except TransitionRefused as refused:
            form.decision.errors = [*form.decision.errors, str(refused.message)]
        else:
            flash(_("Saved. The family is told by email."), "success")
            return redirect(url_for("training.pending_hours"), code=303)
    return render_template("training/hours/pending.html", page=paginate(services.pending_submissions_query(),
                                                                        scalars=False), form=form,
                           failed=credit.id), 422


def _send_proof(credit: TrainingCredit):
    try:
        stored = open_stored(credit.proof_path)
    except FileNotFoundError:
        abort(404)
    with closed_on_error(stored):
        audit.record("training_proof_downloaded", actor=current_user, target=credit, household_id=credit.household_id)
        # The type is read from the name (the credit keeps no content type), as before.
        return send_stored(stored, mimetype=None, download_name=credit.proof_filename or "proof")


@bp.get("/staff/hours/<int:credit_id>/proof")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_proof(credit_id: int):
    credit = get_credit_for_staff(current_user, credit_id)
    if not credit.proof_path:
        abort(404)
    return _send_proof(credit)


@bp.get("/hours/<int:credit_id>/proof")
@roles_required(*FAMILY, hidden=True)
def family_proof(credit_id: int):
    return _send_proof(get_proof_for_family(current_user, credit_id))


# -- certificates ---------------------------------------------------------------------------------------------------

@bp.get("/hours/<int:credit_id>/certificate.pdf")
@roles_required(*FAMILY, hidden=True)
def family_certificate(credit_id: int):
    credit = get_certificate_for_family(current_user, credit_id)
    response = make_response(certificate_pdf(certificate_for(credit)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{credit.certificate_code}.pdf"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.get("/staff/certificates")
@roles_required(*LICENSING_STAFF)
def verify_certificate():
    form = CertificateCheckForm(request.args)
    found = None
    if form.code.data and form.validate():
        found = find_certificate(form.code.data)
    return render_template("training/hours/verify.html", form=form, found=found, searched=bool(form.code.data))


# -- the agency's rule ----------------------------------------------------------------------------------------------

@bp.route("/admin/rules", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@keeps_input
def admin_rules():
    rule = get_rule_for_admin(current_user)
    form = TrainingRuleForm(obj=rule if request.method == "GET" else None)
    if form.validate_on_submit():
        if form.version.data != (rule.version or 1):
            form.form_errors.append(_("Someone else changed the rules meanwhile. Check them and save again."))
        else:
            services.save_rule(current_user, rule, preservice_hours=form.preservice_hours.data,
                               inservice_hours=form.inservice_hours.data,
                               inservice_categories=list(form.inservice_categories.data or []),
                               support_groups_count=form.support_groups_count.data,
                               cpr_valid_months=form.cpr_valid_months.data,
                               online_cpr_counts=form.online_cpr_counts.data)
            flash(_("Saved. Training records and checklists count with these rules from now on."), "success")
            return redirect(url_for("training.admin_rules"), code=303)
    return render_form("training/hours/admin_rules.html", form, rule=rule, button_form=ConfirmForm())


__all__ = ["bp"]
