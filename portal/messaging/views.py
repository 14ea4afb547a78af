"""Routes of portal.messaging: the thread list, a new thread, a thread with its messages and the reply, an
administrator's reason to read, attachments, and the administrators' handover of threads."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from portal.access import roles_required
from portal.children.models import Child
from portal.extensions import db
from portal.folding import fold
from portal.forms import render_form
from portal.messaging import bp, services
from portal.messaging import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from portal.messaging import emails as _emails  # noqa: F401  (email subject, event words)
from portal.messaging.assignments import (
    THREAD_STAFF_ROLES,
    caseload_children_placed,
    households_for_staff,
    staff_for_household,
)
from portal.messaging.forms import FamilyThreadForm, HandoverForm, ReadReasonForm, ReplyForm, StaffThreadForm
from portal.messaging.labels import ACCESS_LABELS
from portal.messaging.lists import (
    ChildNames,
    Summary,
    menu_unread,
    messages_page,
    summary,
    thread_header,
    threads_page,
)
from portal.messaging.models import MessageThread
from portal.messaging.permissions import (
    ThreadAccess,
    get_attachment_for,
    get_thread_for,
    get_thread_to_write,
    reason_given,
    remember_reason,
)
from portal.messaging.services import (
    hand_over_threads,
    is_family_side,
    mark_read,
    no_longer_assigned_note,
    placed_children_ids,
    post_message,
    record_download,
    record_staff_read,
    start_thread,
    works_with_household,
)
from portal.models import Role, User
from portal.navigation import register_menu_count
from portal.transitions import Refused
from portal.uploads import FileRefused, closed_on_error, open_stored, send_stored

PEOPLE = ("family", "coordinator", "homefinder", "admin")


# The menu's unread badge is one of the menu's counts, read together in one statement (portal/navigation.py), except
# on the home page: its messages card reads the same count with its threads (`lists.summary`), and the badge takes
# it from there (templates/messaging/_nav.html) rather than asking the database twice.


def _menu_unread(person):
    return None if person.on_home_page else menu_unread(person)


register_menu_count("unread_threads", _menu_unread)


@bp.app_context_processor
def _messaging_words():
    """The dashboard cards' threads and counts: one statement per page (`lists.summary`, kept on `g`); only pages
    that call them run it."""

    def current_summary() -> Summary:
        if "messaging_summary" not in g:
            g.messaging_summary = summary(current_user)
        return g.messaging_summary

    return {"messaging_summary": current_summary}


@bp.get("/")
@roles_required(*PEOPLE)
def threads():
    page = threads_page(current_user)
    return render_template("messaging/threads.html", page=page, names=ChildNames.for_user(current_user),
                           family_side=is_family_side(current_user), admin_list=current_user.role is Role.ADMIN)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("family", "coordinator", "homefinder")
def new_thread():
    if is_family_side(current_user):
        household_id = current_user.household_id
        placed = placed_children_ids(household_id)
        children = db.session.scalars(select(Child).where(Child.id.in_(placed))
                                      .order_by(fold(Child.first_name), Child.id)).all() if placed else []
        form = FamilyThreadForm(staff=staff_for_household(household_id), children=children)
    else:
        form = StaffThreadForm(households=households_for_staff(current_user),
                               children=caseload_children_placed(current_user))
    if form.validate_on_submit():
        try:
            if is_family_side(current_user):
                thread = start_thread(current_user, household_id=current_user.household_id,
                                      staff_id=form.staff_id.data, child_id=form.child_id.data or None,
                                      subject=form.subject.data, body=form.body.data,
                                      upload=request.files.get("attachment"))
            else:
                thread = start_thread(current_user, household_id=form.household_id.data, staff_id=current_user.id,
                                      child_id=form.child_id.data or None, subject=form.subject.data,
                                      body=form.body.data,
                                      upload=request.files.get("attachment"))
        except FileRefused as refused:
            form.body.errors = [*form.body.errors, str(refused.message)]
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            flash(_("Your message is sent."), "success")
            return redirect(url_for("messaging.thread", thread_id=thread.id), code=303)
    return render_form("messaging/new_thread.html", form, family_side=is_family_side(current_user))


def _render_thread(thread: MessageThread, access: ThreadAccess, form: ReplyForm | None = None):
    page, files = messages_page(thread)
    # The family writes only while the thread's staff member still works with it; the staff member may still answer
    # (to close the loop), told that the family can no longer write back here.
    still_assigned = works_with_household(thread) if access in (ThreadAccess.FAMILY, ThreadAccess.STAFF) else True
    return render_form("messaging/thread.html", form or ReplyForm(), thread=thread, access=access, page=page,
                       files=files, header=thread_header(thread), names=ChildNames.for_user(current_user),
                       access_label=ACCESS_LABELS[access],
                       may_write=access is ThreadAccess.STAFF or (access is ThreadAccess.FAMILY and still_assigned),
                       closed_note=no_longer_assigned_note(thread) if access is ThreadAccess.FAMILY
                       and not still_assigned else None,
                       family_closed=access is ThreadAccess.STAFF and not still_assigned)


@bp.get("/<int:thread_id>")
@roles_required(*PEOPLE, hidden=True)
def thread(thread_id: int):
    found, access = get_thread_for(current_user, thread_id)
    if access is ThreadAccess.ADMIN_NEEDS_REASON:
        return render_template("messaging/read_reason.html", thread_id=found.id, form=ReadReasonForm())
    if access is ThreadAccess.ADMIN_WITH_REASON:
        try:
            record_staff_read(found, current_user, reason_given(found.id))
        except Refused:
            return render_template("messaging/read_reason.html", thread_id=found.id, form=ReadReasonForm())
    else:
        mark_read(found, current_user)
    return _render_thread(found, access)


@bp.post("/<int:thread_id>")
@roles_required(*PEOPLE, hidden=True)
def reply(thread_id: int):
    found = get_thread_to_write(current_user, thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post_message(found, current_user, form.body.data, request.files.get("attachment"))
        except FileRefused as refused:
            form.body.errors = [*form.body.errors, str(refused.message)]
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            flash(_("Your message is sent."), "success")
            return redirect(url_for("messaging.thread", thread_id=found.id), code=303)
    access = ThreadAccess.FAMILY if is_family_side(current_user) else ThreadAccess.STAFF
    return _render_thread(found, access, form)


@bp.post("/<int:thread_id>/reason")
@roles_required("admin", hidden=True)
def give_read_reason(thread_id: int):
    found, access = get_thread_for(current_user, thread_id)
    if access not in (ThreadAccess.ADMIN_NEEDS_REASON, ThreadAccess.ADMIN_WITH_REASON):
        return redirect(url_for("messaging.thread", thread_id=found.id), code=303)
    form = ReadReasonForm()
    if not form.validate_on_submit():
        return render_form("messaging/read_reason.html", form, thread_id=found.id)
    remember_reason(found.id, services.give_read_reason(found, current_user, form.reason.data))
    return redirect(url_for("messaging.thread", thread_id=found.id), code=303)


@bp.get("/files/<int:attachment_id>")
@roles_required(*PEOPLE, hidden=True)
def download_attachment(attachment_id: int):
    attachment, found = get_attachment_for(current_user, attachment_id)
    try:
        stored = open_stored(attachment.stored_name)
    except FileNotFoundError:
        abort(404)
    with closed_on_error(stored):
        record_download(attachment, found, current_user)
        return send_stored(stored, mimetype=attachment.content_type, download_name=attachment.original_name)


def _staff_people() -> list[User]:
    """Coordinators and homefinders, those who left (deactivated) included: their threads are the ones to move."""
    return list(db.session.scalars(select(User).where(User.role.in_(THREAD_STAFF_ROLES))
                                   .order_by(fold(User.full_name), User.id)))


@bp.route("/admin/handover", methods=["GET", "POST"])
@roles_required("admin", hidden=True)
def admin_handover():
    people = _staff_people()
    form = HandoverForm(leaving=people, successors=[person for person in people if person.is_active])
    if form.validate_on_submit():
        leaving = db.session.get(User, form.leaving_id.data)
        successor = db.session.get(User, form.successor_id.data)
        try:
            moved = hand_over_threads(leaving, successor, current_user)
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            flash(ngettext("%(num)d thread was handed over.", "%(num)d threads were handed over.", moved),
                  "success")
            return redirect(url_for("messaging.admin_handover"), code=303)
    return render_form("messaging/admin_handover.html", form)

