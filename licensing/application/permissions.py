"""Named loaders for application records: the household's own, or staff who work applications; 404 otherwise."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.application.models import Application, ApplicationDocument, DocumentPage, ReturnReason
from licensing.application.services import (
    load_application,
    load_household_application,
    load_household_application_for_section,
    load_household_application_for_stage,
)
from licensing.roles import can_work_applications, is_active_admin
from portal.extensions import db
from portal.models import User


def application_for_household(user: User) -> Application | None:
    """The signed-in family's own application, fully loaded, or None when it isn't open yet."""
    if user.household_id is None:
        return None
    return load_household_application(user.household_id)


def application_for_stage(user: User) -> Application | None:
    """The signed-in family's own application with only what `services.stage_of` reads: for the home page. None when
    it isn't open yet."""
    if user.household_id is None:
        return None
    return load_household_application_for_stage(user.household_id)


def application_row_for_household(user: User) -> Application | None:
    """The signed-in family's own application alone, none of its sections, people or documents (one query): for
    pages that show none of them, such as the checklist. None when it isn't open yet."""
    if user.household_id is None:
        return None
    return db.session.scalar(select(Application).where(Application.household_id == user.household_id))


def get_own_application(user: User) -> Application:
    """The signed-in family's own application; 404 when it isn't open (there is nothing of theirs to act on)."""
    application = application_for_household(user)
    if application is None:
        abort(404)
    return application


def get_own_application_for_section(user: User) -> Application:
    """The signed-in family's own application with what opening a section shows (sections, people, references);
    404 when it isn't open. Saving loads it whole (get_own_application)."""
    application = load_household_application_for_section(user.household_id) if user.household_id else None
    if application is None:
        abort(404)
    return application


def get_application_for_staff(user: User, application_id: int) -> Application:
    if not can_work_applications(user):
        abort(404)
    application = load_application(application_id)
    if application is None:
        abort(404)
    return application


def get_document_for(user: User, document_id: int) -> tuple[ApplicationDocument, int]:
    """Staff who work applications, or the household the document belongs to; anyone else gets 404. Gives the
    document with its household's id (every read of it is recorded under that household)."""
    query = (select(ApplicationDocument, Application.household_id)
             .join(Application, Application.id == ApplicationDocument.application_id)
             .where(ApplicationDocument.id == document_id))
    if not can_work_applications(user):
        if user.household_id is None:
            abort(404)
        query = query.where(Application.household_id == user.household_id)
    row = db.session.execute(query).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def get_return_reason_for_admin(user: User, reason_id: int) -> ReturnReason:
    """A saved return reason, for the administrators who keep them; 404 for anyone else."""
    reason = db.session.get(ReturnReason, reason_id) if is_active_admin(user) else None
    if reason is None:
        abort(404)
    return reason
def get_document_page_for(user: User, document_id: int, page: int) -> tuple[ApplicationDocument, DocumentPage | None,
                                                                              int]:
    """A page of a document, for whoever may read the document (get_document_for; 404 otherwise): page 1 is the
    document's own file (None here), further pages come from its DocumentPage rows; a page it hasn't is 404."""
    document, household_id = get_document_for(user, document_id)
    if page == 1:
        return document, None, household_id
    more = db.session.scalar(select(DocumentPage).where(DocumentPage.document_id == document.id,
                                                        DocumentPage.position == page))
    if more is None:
        abort(404)
    return document, more, household_id
