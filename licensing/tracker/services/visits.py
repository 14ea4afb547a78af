"""Home study visits: the homefinder proposes times, the family chooses one, the homefinder records it completed.
Every status change goes through `change_visit_status`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from licensing.application.models import Application
from licensing.tracker.models import VISIT_MOVES, HomeStudyVisit, VisitKind, VisitSlot, VisitStatus
from portal import audit, emails
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.services import household_accounts
from portal.transitions import transition


def propose_visit(staff: User, application: Application, kind: VisitKind, slots: list[datetime]) -> HomeStudyVisit:
    """Offer the family up to three times; they choose one from their checklist."""
    visit = HomeStudyVisit(application_id=application.id, kind=kind, homefinder_id=staff.id)
    db.session.add(visit)
    db.session.flush()
    db.session.add_all([VisitSlot(visit_id=visit.id, starts_at=slot) for slot in slots])
    audit.record("visit_proposed", actor=staff, target=visit, household_id=application.household_id,
                 kind=kind.value, slots=len(slots))
    for user in household_accounts(application.household_id):
        emails.queue_email(user.email, user.preferred_locale, "visit_proposed", user=user, kind=kind.value,
                           link=emails.portal_url("licensing.family_checklist", _anchor="visits"))
    return visit


def change_visit_status(actor: User | None, visit: HomeStudyVisit, status: VisitStatus, *, household_id: int,
                        reason: str = "", **details: object) -> None:
    """The one way a visit's status changes: only the moves in VISIT_MOVES, each recorded."""
    transition(VISIT_MOVES, visit, status, actor=actor, household_id=household_id, reason=reason,
               kind=visit.kind.value, **details)


def choose_slot(user: User, visit: HomeStudyVisit, slot: VisitSlot, household_id: int) -> None:
    """The family picks one of the offered times; the family and the homefinder get a confirmation."""
    change_visit_status(user, visit, VisitStatus.SCHEDULED, household_id=household_id,
                        starts_at=slot.starts_at.isoformat())
    visit.starts_at = slot.starts_at
    homefinder = db.session.get(User, visit.homefinder_id)
    for person in [*household_accounts(household_id), homefinder]:
        if person is not None:
            emails.queue_email(person.email, person.preferred_locale, "visit_scheduled", user=person,
                               kind=visit.kind.value, when=visit.starts_at)


def complete_visit(staff: User, visit: HomeStudyVisit, notes: str, household_id: int) -> None:
    change_visit_status(staff, visit, VisitStatus.COMPLETED, household_id=household_id)
    visit.completed_at = now_utc()
    visit.notes = notes.strip()


def visits_of(application_id: int) -> list[HomeStudyVisit]:
    """The household's visits with their offered times and homefinder (three queries, whatever the number)."""
    return list(db.session.scalars(select(HomeStudyVisit).options(selectinload(HomeStudyVisit.slots),
                                                                  selectinload(HomeStudyVisit.homefinder))
                                   .where(HomeStudyVisit.application_id == application_id)
                                   .order_by(HomeStudyVisit.id)))


def completed_visit(application_id: int, kind: VisitKind) -> bool:
    """Whether a visit of this kind was completed (what approving an interview or inspection item needs)."""
    return db.session.scalar(select(HomeStudyVisit.id).where(
        HomeStudyVisit.application_id == application_id, HomeStudyVisit.kind == kind,
        HomeStudyVisit.status == VisitStatus.COMPLETED).limit(1)) is not None
