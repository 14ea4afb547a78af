"""Administration: people and roles, staff invitations, the mail outbox and the audit log."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import bp, emails, services
from portal.access import roles_required
from portal.extensions import db
from portal.forms import InviteStaffForm, UserAccessForm, keeps_input, render_form
from portal.models import AuditEvent, OutboxMessage, Role, User
from portal.permissions import can_read_mail_bodies, get_user_for_admin

PAGE_SIZE = 200


@bp.get("/admin/people")
@roles_required(Role.ADMIN)
def admin_people():
    people = db.session.scalars(select(User).order_by(User.role, User.full_name)).all()
    return render_template("admin/people.html", people=people)


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
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.target_type == "User", AuditEvent.target_id == person.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(50)
    ).all()
    return render_form("admin/person.html", form, person=person, events=events)


@bp.get("/admin/outbox")
@roles_required(Role.ADMIN)
def admin_outbox():
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)).all()
    show_bodies = can_read_mail_bodies(current_user, bool(current_app.config["MAIL_SERVER"]))
    return render_template("admin/outbox.html", messages=messages, show_bodies=show_bodies, linkify=emails.linkify)


@bp.get("/admin/audit")
@roles_required(Role.ADMIN)
def admin_audit():
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE)
    ).all()
    return render_template("admin/audit.html", events=events)
