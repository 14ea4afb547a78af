"""Administration: people and roles, staff invitations, the mail outbox and the audit log."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload, load_only

from portal import bp, emails, services, sessions, two_step
from portal.access import roles_required
from portal.children.permissions import get_child_for_audit
from portal.devices import describe_user_agent
from portal.extensions import db
from portal.folding import fold
from portal.forms import InviteStaffForm, ResetSecondStepForm, UserAccessForm, keeps_input, render_form
from portal.models import AuditEvent, OutboxMessage, OutboxStatus, Role, User
from portal.paging import matches, paginate, search_text
from portal.permissions import can_read_mail_bodies, get_user_for_admin
from portal.routing import parse_id


@bp.get("/admin/people")
@roles_required(Role.ADMIN)
def admin_people():
    """Everyone with an account, a page at a time: search by name or email, filter by role."""
    role, q = request.args.get("role", ""), search_text()
    # Whether a password is set is all the list says ("Invited"): asked of the database, so no password hash is
    # loaded into the page's objects.
    query = (select(User, User.password_hash.is_not(None).label("has_password"))
             .options(load_only(User.id, User.full_name, User.email, User.role, User.is_active,
                                User.email_confirmed_at))
             .order_by(User.role, fold(User.full_name), User.id))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    if q:
        query = query.where(matches(q, User.full_name, User.email))
    page = paginate(query, scalars=False)
    return render_template("admin/people.html", page=page, people=page.items, role=role, q=q, roles=list(Role))


@bp.route("/admin/people/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@keeps_input
def admin_invite_staff():
    form = InviteStaffForm()
    if form.validate_on_submit():
        user = services.invite_staff(current_user, form.full_name.data, form.email.data, Role(form.role.data),
                                     form.preferred_locale.data)
        if user is None:
            form.email.errors.append(_("Someone already has an account with this email address."))
        else:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("portal.admin_people"))
    return render_form("admin/invite_staff.html", form)


@bp.route("/admin/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, hidden=True)
@keeps_input
def admin_person(user_id: int):
    person = get_user_for_admin(current_user, user_id)
    form = UserAccessForm(role=person.role.value, active=person.is_active)
    if form.validate_on_submit():
        if person.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.active.data):
            form.role.errors.append(_("You can't remove your own administrator access."))
        else:
            services.change_role(current_user, person, Role(form.role.data))
            services.set_active(current_user, person, form.active.data)
            flash(_("Saved."), "success")
            return redirect(url_for("portal.admin_person", user_id=person.id))
    return _person_page(person, form=form)


def _person_page(person: User, form=None, reset_form=None, ending_form=None):
    form = form or UserAccessForm(role=person.role.value, active=person.is_active, formdata=None)
    events = db.session.scalars(_events_of(person.id).limit(50)).all()
    page, status = render_form("admin/person.html", form, person=person, events=events,
                               sessions=sessions.sessions_of(person), describe=describe_user_agent,
                               has_passkeys=two_step.has_passkeys(person),
                               reset_form=reset_form or ResetSecondStepForm(formdata=None, prefix="reset"),
                               ending_form=ending_form or ResetSecondStepForm(formdata=None, prefix="end"))
    # render_form sees only the access form: a refused reset or ending form is a refusal (422) too.
    refused = any(extra is not None and extra.errors for extra in (reset_form, ending_form))
    return page, 422 if refused else status


def _events_of(user_id: int):
    """Everything a person did, and everything done to their account."""
    return (select(AuditEvent).options(joinedload(AuditEvent.actor).load_only(User.id, User.full_name))
            .where((AuditEvent.actor_id == user_id)
                   | ((AuditEvent.target_type == "User") & (AuditEvent.target_id == user_id)))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))


@bp.post("/admin/people/<int:user_id>/sessions/end")
@roles_required(Role.ADMIN, hidden=True)
@keeps_input
def admin_end_sessions(user_id: int):
    """A lost laptop, someone leaving: every session of this person ends at once (their next click signs in)."""
    person = get_user_for_admin(current_user, user_id)
    form = ResetSecondStepForm(prefix="end")
    if not form.validate_on_submit():
        return _person_page(person, ending_form=form)
    keep = sessions.current_session() if person.id == current_user.id else None
    count = sessions.end_all(person, current_user, sessions.EndReason.BY_ADMIN, keep=keep, note=form.reason.data)
    flash(_("Sessions of %(name)s ended: %(count)d.", count=count, name=person.full_name), "success")
    return redirect(url_for("portal.admin_person", user_id=person.id), code=303)


@bp.post("/admin/people/<int:user_id>/second-step/reset")
@roles_required(Role.ADMIN, hidden=True)
@keeps_input
def admin_reset_second_step(user_id: int):
    """A lost phone, checked by a call: the app, recovery codes and passkeys go; every session ends; a staff member
    sets up the second step again at the next sign-in."""
    person = get_user_for_admin(current_user, user_id)
    form = ResetSecondStepForm(prefix="reset")
    if not form.validate_on_submit():
        return _person_page(person, reset_form=form)
    two_step.reset(current_user, person, form.reason.data.strip())
    flash(_("The second step of %(name)s is reset. They set it up again at their next sign-in.",
            name=person.full_name), "success")
    return redirect(url_for("portal.admin_person", user_id=person.id), code=303)


@bp.get("/admin/outbox")
@roles_required(Role.ADMIN)
def admin_outbox():
    """The mail written, newest first: search by recipient or subject, filter by status. The bodies are loaded only
    where they are shown (no mail server: the log is the only place to read them)."""
    status, q = request.args.get("status", ""), search_text()
    show_bodies = can_read_mail_bodies(current_user, bool(current_app.config["MAIL_SERVER"]))
    columns = [OutboxMessage.id, OutboxMessage.created_at, OutboxMessage.recipient, OutboxMessage.subject,
               OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error]
    query = (select(OutboxMessage).options(load_only(*columns, *([OutboxMessage.body_text] if show_bodies else [])))
             .order_by(OutboxMessage.id.desc()))
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    if q:
        query = query.where(matches(q, OutboxMessage.recipient, OutboxMessage.subject))
    page = paginate(query)
    return render_template("admin/outbox.html", page=page, messages=page.items, show_bodies=show_bodies,
                           linkify=emails.linkify, status=status, q=q, statuses=list(OutboxStatus))


# The audit search's actor, made once: an alias built per request costs about a millisecond.
_ACTOR = aliased(User)


@bp.get("/admin/audit")
@roles_required(Role.ADMIN)
def admin_audit():
    """The newest events, or one person's (`?person=<id>`: what they did and what was done to their account), or one
    child's (`?child=<id>`: every event about the child, reads of the record included); `?q=` searches the event's
    name, reason and the actor's name or email."""
    person_id = parse_id(request.args.get("person"))
    person = get_user_for_admin(current_user, person_id) if person_id is not None else None
    child_id = parse_id(request.args.get("child"))
    child = get_child_for_audit(current_user, child_id) if "child" in request.args else None
    q = search_text()
    query = _events_of(person.id) if person is not None else (
        select(AuditEvent).options(joinedload(AuditEvent.actor).load_only(User.id, User.full_name))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if child is not None:
        query = query.where(AuditEvent.child_id == child.id)
    if q:
        actor = _ACTOR
        query = (query.outerjoin(actor, actor.id == AuditEvent.actor_id)
                 .where(matches(q, AuditEvent.action, AuditEvent.reason, AuditEvent.target_type, actor.full_name,
                                actor.email)))
    page = paginate(query)
    return render_template("admin/audit.html", page=page, events=page.items, person=person, child=child, q=q)
