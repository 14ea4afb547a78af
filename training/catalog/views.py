"""Routes of the catalog: staff keep courses and sessions (and see each session's roster); families browse, enroll,
and see and cancel their own trainings."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from portal.access import roles_required
from portal.clock import agency_today, agency_zone
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import current_language, label_of, local_to_utc
from portal.paging import page_number
from portal.transitions import Refused
from training import bp
from training.catalog import demo as _demo  # noqa: F401  (adds the catalog to `flask seed-demo`)
from training.catalog import emails as _emails  # noqa: F401  (email subjects, event words)
from training.catalog import lists, services
from training.catalog.forms import (
    CancelSessionForm,
    CourseForm,
    EnrollForm,
    StaffCancelEnrollmentForm,
    session_form,
)
from training.catalog.labels import AUDIENCE, CATEGORY, CHILDCARE_STATUS, ENROLLMENT_STATUS, LANGUAGES
from training.catalog.models import CourseCategory, CourseSession, SessionStatus
from training.catalog.permissions import (
    FAMILY,
    TRAINING_STAFF,
    applicants_of,
    get_course_for_family,
    get_course_for_staff,
    get_enrollment_for_family,
    get_enrollment_for_staff,
    get_session_for_family,
    get_session_for_staff,
)

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@bp.app_context_processor
def _catalog_words():
    return {
        "course_category_label": lambda v: label_of(CATEGORY, v),
        "course_audience_label": lambda v: label_of(AUDIENCE, v),
        "enrollment_status_label": lambda v: label_of(ENROLLMENT_STATUS, v),
        "childcare_status_label": lambda v: label_of(CHILDCARE_STATUS, v),
        # The family's home page (a core page) shows the next training; only pages that call it run the query.
        "next_training": lists.next_training,
    }


# -- families -----------------------------------------------------------------------------------------------------


def _filters() -> tuple[lists.CatalogFilters, date]:
    """The catalog's filters from the query string, each ignored when it isn't one of the choices."""
    category = request.args.get("category", "")
    language = request.args.get("language", "")
    match = MONTH.fullmatch(request.args.get("month", ""))
    month = None
    if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
        month = date(int(match[1]), int(match[2]), 1)
    return (lists.CatalogFilters(CourseCategory(category) if category in CATEGORY else None,
                                 language if language in LANGUAGES else None, month),
            month or agency_today().replace(day=1))


@bp.get("/catalog")
@roles_required(*FAMILY, *TRAINING_STAFF)
def catalog():
    filters, month = _filters()
    view = "calendar" if request.args.get("view") == "calendar" else "list"
    # The words of the categories and languages, translated once for the page rather than once per card.
    context = {"filters": filters, "month": month, "view": view,
               "categories": {value: str(label) for value, label in CATEGORY.items()},
               "languages": {value: str(label) for value, label in LANGUAGES.items()},
               "previous_month": (month.replace(day=1) - timedelta(days=1)).replace(day=1),
               "next_month": (month.replace(day=28) + timedelta(days=4)).replace(day=1)}
    if view == "calendar":
        context["weeks"] = lists.calendar_weeks(filters, month)
    else:
        context["page"] = lists.catalog_sessions(filters, page_number())
    return render_template("training/catalog/catalog.html", **context)


@bp.get("/courses/<int:course_id>")
@roles_required(*FAMILY, *TRAINING_STAFF, hidden=True)
def catalog_course(course_id: int):
    course = get_course_for_family(current_user, course_id)
    rows, mine = lists.course_sessions(course.id, current_user.household_id)
    is_family = current_user.role in FAMILY
    # A session where everyone on the application has a place offers no "Enroll" (it led to a refusal).
    applicants = {person.id for person in applicants_of(current_user)} if is_family else set()
    everyone_placed = {session_id for session_id, enrollments in mine.items()
                       if applicants and applicants <= {enrollment.member_id for enrollment in enrollments}}
    return render_template("training/catalog/course.html", course=course, rows=rows, mine=mine,
                           language=current_language(), is_family=is_family, everyone_placed=everyone_placed)


def _enroll_form(session: CourseSession, people, taken: set[int]) -> EnrollForm:
    """`taken`: the people of `people` who already have a seat or a place on the waitlist. Still choices (a second
    tab sending them again gets the rule's own words), named as such and never ticked for the family."""
    form = EnrollForm()
    form.people.choices = [SelectChoice(person.id, _("%(name)s (already enrolled or waiting)", name=person.full_name)
                                        if person.id in taken else person.full_name) for person in people]
    if session.course.meeting_count > 1:
        form.makeup.choices = [SelectChoice("", _l("Every meeting of this session"))] + [
            SelectChoice(str(meeting.number), _("Only meeting %(number)s (a make-up for a meeting I missed)",
                                    number=meeting.number)) for meeting in session.meetings]
    if not session.offers_childcare:
        del form.childcare_children
        del form.childcare_ages
    still_open = [person for person in people if person.id not in taken]
    if request.method == "GET" and len(still_open) == 1:
        form.people.data = [still_open[0].id]
    return form


@bp.route("/sessions/<int:session_id>/enroll", methods=["GET", "POST"])
@roles_required(*FAMILY, hidden=True)
@keeps_input
def enroll(session_id: int):
    session = get_session_for_family(current_user, session_id)
    people = applicants_of(current_user)
    taken = lists.members_with_a_place(session.id, [person.id for person in people])
    form = _enroll_form(session, people, taken)
    if form.validate_on_submit():
        chosen = [person for person in people if person.id in (form.people.data or [])]
        children = form.childcare_children.data or 0 if session.offers_childcare else 0
        try:
            placed = services.enroll(
                current_user, session, session.course, chosen, household_id=current_user.household_id,
                today=agency_today(), children=children,
                ages=form.childcare_ages.data or "" if session.offers_childcare else "",
                makeup_meeting=int(form.makeup.data) if form.makeup.data else None)
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            seated = sum(1 for enrollment in placed if enrollment.status.value == "enrolled")
            if seated == len(placed):
                flash(_("You are enrolled."), "success")
            elif seated == 0:
                flash(_("The session is full: you are on the waitlist. We will email you if a seat opens up."),
                      "warning")
            else:
                flash(_("Only part of your household got a seat; the others are on the waitlist."), "warning")
            return redirect(url_for("training.my_trainings"), code=303)
    return render_form("training/catalog/enroll.html", form, session=session, course=session.course,
                       has_applicants=bool(people), everyone_placed=bool(people) and len(taken) == len(people),
                       language=current_language(),
                       closed=agency_today() > session.enroll_by or session.status is SessionStatus.CANCELLED)


@bp.get("/mine")
@roles_required(*FAMILY)
def my_trainings():
    live, past = lists.my_trainings(current_user.household_id) if current_user.household_id else ([], [])
    return render_template("training/catalog/mine.html", live=live, past=past, language=current_language(),
                           today=agency_today(), button_form=ConfirmForm())


@bp.post("/enrollments/<int:enrollment_id>/cancel")
@roles_required(*FAMILY, hidden=True)
def cancel_enrollment(enrollment_id: int):
    enrollment = get_enrollment_for_family(current_user, enrollment_id)
    try:
        services.cancel_enrollment(current_user, enrollment, by_staff=False, today=agency_today())
    except Refused as refused:
        flash(str(refused.message), "danger")
    else:
        flash(_("The enrollment is cancelled."), "success")
    return redirect(url_for("training.my_trainings"), code=303)


# -- staff --------------------------------------------------------------------------------------------------------


@bp.get("/staff/courses")
@roles_required(*TRAINING_STAFF)
def staff_courses():
    return render_template("training/catalog/staff_courses.html", page=lists.staff_courses())


@bp.route("/staff/courses/new", methods=["GET", "POST"])
@roles_required(*TRAINING_STAFF)
@keeps_input
def staff_new_course():
    form = CourseForm()
    if form.validate_on_submit():
        course = services.save_course(current_user, None, form.values())
        flash(_("The course is saved. Add its sessions below."), "success")
        return redirect(url_for("training.staff_course", course_id=course.id), code=303)
    return render_form("training/catalog/staff_course.html", form, course=None, sessions=[])


@bp.route("/staff/courses/<int:course_id>", methods=["GET", "POST"])
@roles_required(*TRAINING_STAFF, hidden=True)
@keeps_input
def staff_course(course_id: int):
    course = get_course_for_staff(current_user, course_id)
    form = CourseForm(obj=None if request.method == "POST" else _course_data(course))
    if form.validate_on_submit():
        services.save_course(current_user, course, form.values())
        flash(_("The course is saved."), "success")
        return redirect(url_for("training.staff_course", course_id=course.id), code=303)
    return render_form("training/catalog/staff_course.html", form, course=course,
                       sessions=lists.staff_course_sessions(course.id))


def _course_data(course):
    return SimpleNamespace(
        title_en=course.title_en, title_es=course.title_es, description_en=course.description_en,
        description_es=course.description_es, category=course.category.value, audience=course.audience.value,
        credit_hours=f"{course.credit_tenths / 10:g}", fee=f"{course.fee_cents / 100:.2f}".removesuffix(".00"),
        meeting_count=course.meeting_count, valid_months=course.valid_months, active=course.active)


def _meetings(form) -> list[services.MeetingPlan]:
    return [services.MeetingPlan(local_to_utc(datetime.combine(entry.form.day.data, entry.form.start.data)),
                                 entry.form.duration_minutes.data, entry.form.place.data or "",
                                 entry.form.virtual_link.data or "") for entry in form.meetings]


def _session_values(form) -> dict:
    return {"language": form.language.data, "instructor": form.instructor.data or "",
            "capacity": form.capacity.data, "childcare_capacity": form.childcare_capacity.data,
            "enroll_by": form.enroll_by.data, "cancel_by": form.cancel_by.data}


@bp.route("/staff/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@roles_required(*TRAINING_STAFF, hidden=True)
@keeps_input
def staff_new_session(course_id: int):
    course = get_course_for_staff(current_user, course_id)
    form = session_form(course.meeting_count)
    if form.validate_on_submit():
        session = services.save_session(current_user, course, None, _session_values(form), _meetings(form))
        flash(_("The session is saved."), "success")
        return redirect(url_for("training.staff_session", session_id=session.id), code=303)
    return render_form("training/catalog/staff_session_form.html", form, course=course, session=None)


@bp.route("/staff/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*TRAINING_STAFF, hidden=True)
@keeps_input
def staff_edit_session(session_id: int):
    session = get_session_for_staff(current_user, session_id)
    course = session.course
    form = session_form(course.meeting_count, **({} if request.method == "POST" else {"data": _session_data(session)}))
    if form.validate_on_submit():
        try:
            services.save_session(current_user, course, session, _session_values(form), _meetings(form))
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            flash(_("The session is saved."), "success")
            return redirect(url_for("training.staff_session", session_id=session.id), code=303)
    return render_form("training/catalog/staff_session_form.html", form, course=course, session=session)


def _session_data(session: CourseSession) -> dict:
    zone = agency_zone()
    return {"language": session.language, "instructor": session.instructor, "capacity": session.capacity,
            "childcare_capacity": session.childcare_capacity, "enroll_by": session.enroll_by,
            "cancel_by": session.cancel_by,
            "meetings": [{"day": m.starts_at.astimezone(zone).date(), "start": m.starts_at.astimezone(zone).time(),
                          "duration_minutes": m.duration_minutes, "place": m.place, "virtual_link": m.virtual_link}
                         for m in session.meetings]}


@bp.get("/staff/sessions/<int:session_id>")
@roles_required(*TRAINING_STAFF, hidden=True)
def staff_session(session_id: int):
    session = get_session_for_staff(current_user, session_id)
    seated, waiting, childcare = lists.roster(session)
    return render_template("training/catalog/staff_session.html", session=session, course=session.course,
                           seated=seated, waiting=waiting, childcare=childcare, cancel_form=CancelSessionForm(),
                           enrollment_form=StaffCancelEnrollmentForm())


@bp.post("/staff/sessions/<int:session_id>/cancel")
@roles_required(*TRAINING_STAFF, hidden=True)
@keeps_input
def staff_cancel_session(session_id: int):
    session = get_session_for_staff(current_user, session_id)
    if session.status is SessionStatus.CANCELLED:
        raise Refused(_l("This session is cancelled already."))
    form = CancelSessionForm()
    if not form.validate_on_submit():
        seated, waiting, childcare = lists.roster(session)
        return render_form("training/catalog/staff_session.html", form, session=session, course=session.course,
                           seated=seated, waiting=waiting, childcare=childcare, cancel_form=form,
                           enrollment_form=StaffCancelEnrollmentForm())
    count = services.cancel_session(current_user, session, session.course, form.reason.data)
    flash(ngettext("The session is cancelled. %(num)d enrollment was cancelled and the family was emailed.",
                   "The session is cancelled. %(num)d enrollments were cancelled and the families were emailed.",
                   count), "success")
    return redirect(url_for("training.staff_session", session_id=session.id), code=303)


@bp.post("/staff/enrollments/<int:enrollment_id>/cancel")
@roles_required(*TRAINING_STAFF, hidden=True)
def staff_cancel_enrollment(enrollment_id: int):
    enrollment = get_enrollment_for_staff(current_user, enrollment_id)
    form = StaffCancelEnrollmentForm()
    if not form.validate_on_submit():
        flash(_("The reason is too long."), "danger")
    else:
        try:
            services.cancel_enrollment(current_user, enrollment, by_staff=True, today=agency_today(),
                                       reason=form.reason.data or "")
        except Refused as refused:
            flash(str(refused.message), "danger")
        else:
            flash(_("The enrollment is cancelled and the family was emailed."), "success")
    return redirect(url_for("training.staff_session", session_id=enrollment.session_id), code=303)
