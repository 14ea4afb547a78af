"""Routes of the support groups: families browse, join and answer meetings; homefinders and supervisors run the
groups, see each meeting's answers and childcare, take attendance and cancel a meeting. The training calendar's
routes are in calendar_views.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from licensing.roles import FAMILY, LICENSING_STAFF
from portal.access import roles_required
from portal.clock import agency_today
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import current_language
from portal.routing import parse_id
from portal.transitions import Refused
from training import bp
from training.groups import calendar_views as _calendar_views  # noqa: F401  (registers the calendar's routes)
from training.groups import demo as _demo  # noqa: F401  (connects the demo data)
from training.groups import emails as _emails  # noqa: F401  (registers the subjects)
from training.groups import lists, services
from training.groups import reminders as _reminders  # noqa: F401  (registers the commands)
from training.groups.forms import CancelMeetingForm, GroupForm, GroupRsvpForm
from training.groups.labels import group_words
from training.groups.permissions import (
    get_group_for_family,
    get_group_for_staff,
    get_meeting_for_family,
    get_meeting_for_staff,
    get_own_rsvp,
)

bp.context_processor(group_words)


def _rsvp_form(meeting_id: int, **kwargs) -> GroupRsvpForm:
    return GroupRsvpForm(prefix=f"m{meeting_id}", **kwargs)


# -- families ------------------------------------------------------------------------------------------------------


@bp.get("/groups")
@roles_required(*FAMILY)
def groups():
    lines = lists.groups_for_family(current_user.household_id or 0, current_language())
    return render_template("training/groups/groups.html", lines=lines, language=current_language())


def _render_group(group, failed_form: GroupRsvpForm | None = None, failed_meeting: int | None = None):
    meetings = lists.coming_meetings(group.id)
    answers = lists.household_answers(current_user.household_id, [meeting.id for meeting in meetings])
    membership = services.membership_of(current_user.household_id, group.id)
    forms = {meeting.id: failed_form if meeting.id == failed_meeting else _rsvp_form(meeting.id)
             for meeting in meetings if meeting.id not in answers and not meeting.is_cancelled}
    status = 422 if failed_form is not None else 200
    return render_template("training/groups/group.html", group=group, meetings=meetings, answers=answers,
                           member=membership is not None and membership.left_at is None, forms=forms,
                           button_form=ConfirmForm(), language=current_language()), status


@bp.get("/groups/<int:group_id>")
@roles_required(*FAMILY, hidden=True)
def group_page(group_id: int):
    return _render_group(get_group_for_family(current_user, group_id))


@bp.post("/groups/<int:group_id>/join")
@roles_required(*FAMILY, hidden=True)
def join_group(group_id: int):
    group = get_group_for_family(current_user, group_id)
    if ConfirmForm().validate_on_submit():
        services.join_group(current_user, group)
        flash(_("You joined the group. Tell us which meetings you are coming to."), "success")
    return redirect(url_for("training.group_page", group_id=group.id), code=303)


@bp.post("/groups/<int:group_id>/leave")
@roles_required(*FAMILY, hidden=True)
def leave_group(group_id: int):
    group = get_group_for_family(current_user, group_id)
    if ConfirmForm().validate_on_submit():
        services.leave_group(current_user, group)
        flash(_("You left the group. Your answers to its coming meetings are cancelled."), "success")
    return redirect(url_for("training.group_page", group_id=group.id), code=303)


@bp.post("/groups/meetings/<int:meeting_id>/rsvp")
@roles_required(*FAMILY, hidden=True)
def rsvp_group_meeting(meeting_id: int):
    meeting, group = get_meeting_for_family(current_user, meeting_id)
    form = _rsvp_form(meeting.id)
    if not form.validate_on_submit():
        return _render_group(group, form, meeting.id)
    services.rsvp(current_user, meeting, group, people=form.people.data, children=form.children.data or 0,
                  ages=form.ages_text())
    flash(_("Thank you, we saved your answer."), "success")
    return redirect(url_for("training.group_page", group_id=group.id, _anchor=f"meeting-{meeting.id}"), code=303)


@bp.post("/groups/meetings/<int:meeting_id>/rsvp/cancel")
@roles_required(*FAMILY, hidden=True)
def cancel_group_rsvp(meeting_id: int):
    answer = get_own_rsvp(current_user, meeting_id)
    meeting, group = get_meeting_for_family(current_user, meeting_id)
    if ConfirmForm().validate_on_submit():
        services.cancel_rsvp(current_user, answer, meeting)
        flash(_("Your answer is cancelled."), "success")
    return redirect(url_for("training.group_page", group_id=group.id, _anchor=f"meeting-{meeting_id}"), code=303)


# -- staff -----------------------------------------------------------------------------------------------------------


@bp.get("/staff/groups")
@roles_required(*LICENSING_STAFF)
def staff_groups():
    page, lines = lists.groups_for_staff()
    return render_template("training/groups/staff_groups.html", page=page, lines=lines)


@bp.route("/staff/groups/new", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF)
@keeps_input
def staff_new_group():
    form = GroupForm(data={"starts_on": agency_today(), "active": True})
    if form.validate_on_submit():
        group = services.save_group(current_user, None, form.values(), agency_today())
        flash(_("The group is saved and its meetings of the next three months are on the calendar."), "success")
        return redirect(url_for("training.staff_edit_group", group_id=group.id), code=303)
    return render_form("training/groups/staff_group.html", form, group=None, meetings=[], counts={})


@bp.route("/staff/groups/<int:group_id>", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
@keeps_input
def staff_edit_group(group_id: int):
    group = get_group_for_staff(current_user, group_id)
    form = GroupForm(obj=group, data={"hours": f"{group.credit_tenths / 10:g}"} if request.method == "GET" else None)
    if form.validate_on_submit():
        services.save_group(current_user, group, form.values(), agency_today())
        flash(_("The group is saved."), "success")
        return redirect(url_for("training.staff_edit_group", group_id=group.id), code=303)
    meetings = lists.coming_meetings(group.id)
    return render_form("training/groups/staff_group.html", form, group=group, meetings=meetings,
                       counts=lists.answer_counts([meeting.id for meeting in meetings]))


def _render_meeting(meeting, group, *, cancel_form=None, refused=None, status=200):
    return render_template("training/groups/staff_meeting.html", meeting=meeting, group=group,
                           roster=lists.meeting_roster(meeting), form=ConfirmForm(),
                           cancel_form=cancel_form or CancelMeetingForm(), refused=refused), status


@bp.route("/staff/groups/meetings/<int:meeting_id>", methods=["GET", "POST"])
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_group_meeting(meeting_id: int):
    meeting, group = get_meeting_for_staff(current_user, meeting_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        present = {number for number in map(parse_id, request.form.getlist("present")) if number is not None}
        try:
            credited = services.record_attendance(current_user, meeting, group, present)
        except Refused as refused:
            return _render_meeting(meeting, group, refused=refused.message, status=422)
        flash(_("Attendance saved.") + (" " + _("Hours credited: %(count)d.", count=credited) if credited else ""),
              "success")
        return redirect(url_for("training.staff_group_meeting", meeting_id=meeting.id), code=303)
    return _render_meeting(meeting, group, status=422 if request.method == "POST" else 200)


@bp.post("/staff/groups/meetings/<int:meeting_id>/cancel")
@roles_required(*LICENSING_STAFF, hidden=True)
def staff_cancel_group_meeting(meeting_id: int):
    meeting, group = get_meeting_for_staff(current_user, meeting_id)
    form = CancelMeetingForm()
    if not form.validate_on_submit():
        return _render_meeting(meeting, group, cancel_form=form, status=422)
    services.cancel_meeting(current_user, meeting, group, form.reason.data.strip())
    flash(_("The meeting is cancelled and the families are told."), "success")
    return redirect(url_for("training.staff_group_meeting", meeting_id=meeting.id), code=303)
