"""Who may see which recruitment and application records. Loaders answer 404 for anything not yours."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.applications import load_application
from licensing.models import Application, ApplicationDocument, InfoSession, Lead
from portal.extensions import db
from portal.models import Role, User

STAFF_WHO_WORK_APPLICATIONS = (Role.HOMEFINDER, Role.ADMIN)


def can_work_applications(user: User) -> bool:
    """Homefinders and supervisors review applications; coordinators work children's cases, not licensing."""
    return user.is_authenticated and user.is_active and user.role in STAFF_WHO_WORK_APPLICATIONS


def application_for_household(user: User) -> Application | None:
    """The signed-in family's own application, fully loaded, or None when it isn't open yet."""
    if user.household_id is None:
        return None
    application_id = db.session.scalar(select(Application.id).where(Application.household_id == user.household_id))
    return load_application(application_id) if application_id is not None else None


def get_application_for_staff(user: User, application_id: int) -> Application:
    if not can_work_applications(user):
        abort(404)
    application = load_application(application_id)
    if application is None:
        abort(404)
    return application


def get_document_for(user: User, document_id: int) -> ApplicationDocument:
    """Staff who work applications, or the household the document belongs to; anyone else gets 404."""
    document = db.session.get(ApplicationDocument, document_id)
    if document is None:
        abort(404)
    if can_work_applications(user):
        return document
    owner = db.session.scalar(select(Application.household_id).where(Application.id == document.application_id))
    if user.household_id is None or owner != user.household_id:
        abort(404)
    return document


def get_lead_for_staff(user: User, lead_id: int) -> Lead:
    lead = db.session.get(Lead, lead_id) if can_work_applications(user) else None
    if lead is None:
        abort(404)
    return lead


def get_session_for_staff(user: User, session_id: int) -> InfoSession:
    session = db.session.get(InfoSession, session_id) if can_work_applications(user) else None
    if session is None:
        abort(404)
    return session
