"""The household's checklist: made from the agency's requirement templates, loaded for its pages, and every status
change of an item through its one transition function, `change_item_status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload
from werkzeug.datastructures import FileStorage

from licensing.application.models import (
    Application,
    ApplicationDocument,
    DocumentStatus,
    HouseholdMember,
    MemberRole,
)
from licensing.application.reasons import family_languages
from licensing.application.services import new_document, review_document
from licensing.application.submission import application_submitted
from licensing.tracker.models import (
    ITEM_MOVES,
    BackgroundCheck,
    ChecklistItem,
    HomeStudyReport,
    ItemStatus,
    License,
    LicenseStatus,
    RequirementScope,
    RequirementTemplate,
    RequirementType,
    VisitKind,
)
from licensing.tracker.services.checks import CHECK_DONE, generate_background_checks
from licensing.tracker.services.visits import completed_visit
from licensing.uploads import store_pages
from portal import audit
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.i18n import in_language
from portal.models import User
from portal.transitions import ChangedMeanwhile, TransitionRefused, transition

FINAL = frozenset({ItemStatus.APPROVED, ItemStatus.WAIVED})
# What a family may send a file for: every status from which the item may move to "submitted".
FAMILY_CAN_SEND = frozenset(s for s in ItemStatus if ITEM_MOVES.allows(s, ItemStatus.SUBMITTED))


# -- making the checklist -----------------------------------------------------------------------------------------

def applies(template: RequirementTemplate, answers: dict[str, dict]) -> bool:
    if template.applies_if == "correction":  # made one by one from the home safety inspection
        return False
    if template.applies_if == "pets":
        return answers.get("residence", {}).get("has_pets") == "yes"
    if template.applies_if == "transport":
        return answers.get("preferences", {}).get("will_transport") == "yes"
    return True


def _people_for(template: RequirementTemplate, members: list[HouseholdMember], today: date) -> list[int | None]:
    if template.scope is RequirementScope.EACH_APPLICANT:
        return [m.id for m in members if m.role is not MemberRole.OTHER]
    if template.scope is RequirementScope.EACH_ADULT:
        return [m.id for m in members if m.is_adult_on(today)]
    return [None]


def generate_checklist(application: Application, answers: dict[str, dict], today: date, cycle: int = 0,
                       start: date | None = None) -> int:
    """Create the household's missing items from the active templates (safe to run again, e.g. when someone joins
    the household). Returns how many were added."""
    templates = db.session.scalars(select(RequirementTemplate).where(
        RequirementTemplate.active.is_(True), RequirementTemplate.for_renewal.is_(cycle > 0))
        .order_by(RequirementTemplate.position)).all()
    members = db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application.id)).all()
    existing = {(i.template_id, i.member_id) for i in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.application_id == application.id, ChecklistItem.cycle == cycle))}
    start = start or today
    sent_with_application = _documents_sent_with_application(application.id) if cycle == 0 else {}
    added = 0
    for template in templates:
        if not applies(template, answers):
            continue
        for member_id in _people_for(template, members, today):
            if (template.id, member_id) in existing:
                continue
            due = start + timedelta(days=template.due_days) if template.due_days else None
            # A document already sent with the application (medical statement, pet records) isn't asked twice.
            already_sent = (APPLICATION_DOCUMENT_KINDS.get(template.code), member_id) in sent_with_application
            db.session.add(ChecklistItem(application_id=application.id, template_id=template.id, member_id=member_id,
                                         cycle=cycle, due_date=due,
                                         status=ItemStatus.SUBMITTED if already_sent else ItemStatus.NOT_STARTED))
            added += 1
        if template.type is RequirementType.BACKGROUND_CHECK:
            generate_background_checks(application, members, answers, today)
    db.session.flush()
    if added:
        audit.record("checklist_generated", target=application, household_id=application.household_id,
                     cycle=cycle, items=added)
    return added


@application_submitted.connect
def _checklist_on_submission(application: Application, answers: dict[str, dict], today: date, **_kwargs) -> None:
    """Each submission (again after changes too) makes the items that are missing: someone new gets their items."""
    generate_checklist(application, answers, today)


# Checklist requirements that the application's own document list already covers.
APPLICATION_DOCUMENT_KINDS = {"medical_statement": "medical_statement", "pet_vaccinations": "pet_vaccination",
                              "auto_insurance": "auto_insurance"}


def _documents_sent_with_application(application_id: int) -> set[tuple[str, int | None]]:
    rows = db.session.execute(select(ApplicationDocument.kind, ApplicationDocument.member_id).where(
        ApplicationDocument.application_id == application_id, ApplicationDocument.checklist_item_id.is_(None),
        ApplicationDocument.status != DocumentStatus.RETURNED)).all()
    return {(kind, member_id) for kind, member_id in rows}


def send_item_document(user: User, item: ChecklistItem, upload: FileStorage | list[FileStorage] | None,
                       household_id: int) -> None:
    """The family sends the file an item asks for (a CPR card, this year's pet records), as one file or a photo of
    each page kept together as one document: the item is submitted. Raises TransitionRefused (not a document item,
    or already sent) before anything is stored, or FileRefused (one refused page refuses them all)."""
    template = db.session.get(RequirementTemplate, item.template_id)
    if template.type is not RequirementType.DOCUMENT:
        raise TransitionRefused(_l("This item does not ask for a file."))
    if item.status is ItemStatus.SUBMITTED:
        raise TransitionRefused(_l("We already have a file for this item; the agency is reviewing it."))
    if item.status in FINAL:
        raise TransitionRefused(_l("This item is already done: nothing more to send."))
    ITEM_MOVES.check(item.status, ItemStatus.SUBMITTED)
    first, *more = store_pages(upload if isinstance(upload, list) else [upload] if upload is not None else [])
    change_item_status(user, item, ItemStatus.SUBMITTED, household_id=household_id)
    # Filed under the application's own kind when it has one (pet records), so the application counts it too.
    kind = APPLICATION_DOCUMENT_KINDS.get(template.code, template.code)
    db.session.add(new_document(item.application_id, kind, item.member_id, first, user,
                                checklist_item_id=item.id, more=more))


def item_documents(application_id: int, items: list[ChecklistItem] | None = None) -> dict[int, ApplicationDocument]:
    """The file each document item stands on, with all its pages: the newest sent for the item, else (licensing
    checklist only) the newest sent with the application for the same document, e.g. a medical statement, which is
    what approving the item accepts (two queries; one when the page gives the checklist's items, templates loaded)."""
    if items is not None:
        covered = [(item.id, item.member_id, item.template.code) for item in items
                   if item.cycle == 0 and item.template.code in APPLICATION_DOCUMENT_KINDS]
    else:
        covered = db.session.execute(
            select(ChecklistItem.id, ChecklistItem.member_id, RequirementTemplate.code)
            .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
            .where(ChecklistItem.application_id == application_id, ChecklistItem.cycle == 0,
                   RequirementTemplate.code.in_(list(APPLICATION_DOCUMENT_KINDS)))).all()
    for_item: dict[int, ApplicationDocument] = {}
    with_application: dict[tuple[str, int | None], ApplicationDocument] = {}
    for document in db.session.scalars(select(ApplicationDocument).options(joinedload(ApplicationDocument.more_pages))
                                       .where(ApplicationDocument.application_id == application_id)
                                       .order_by(ApplicationDocument.id)).unique():
        if document.checklist_item_id is not None:
            for_item[document.checklist_item_id] = document
        else:
            with_application[(document.kind, document.member_id)] = document
    for item_id, member_id, code in covered:
        sent = with_application.get((APPLICATION_DOCUMENT_KINDS[code], member_id))
        if item_id not in for_item and sent is not None:
            for_item[item_id] = sent
    return for_item



# -- the checklist as its pages show it ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """How far one cycle of the checklist is: the licensing checklist (cycle 0) or a license year's renewal."""

    done: int
    total: int
    due: date | None = None  # by when the whole cycle is due (its latest due date)

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class ChecklistView:
    items: list[ChecklistItem]
    members: dict[int, HouseholdMember]
    checks: list[BackgroundCheck]

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.status in FINAL)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.items)) if self.items else 0

    def progress(self, cycle: int) -> Progress:
        items = [i for i in self.items if i.cycle == cycle]
        dates = [i.due_date for i in items if i.due_date is not None]
        return Progress(done=sum(1 for i in items if i.status in FINAL), total=len(items),
                        due=max(dates) if dates else None)

    @property
    def licensing(self) -> Progress:
        """The licensing checklist alone: the renewal items made when the license is issued are not counted in it."""
        return self.progress(0)

    @property
    def renewal(self) -> Progress | None:
        """The current license year's renewal items, counted apart; None before a license is issued."""
        cycles = [i.cycle for i in self.items if i.cycle > 0]
        return self.progress(max(cycles)) if cycles else None

    def by_stage(self) -> list[tuple[str, list[ChecklistItem]]]:
        groups: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            groups.setdefault(item.template.stage.value, []).append(item)
        return list(groups.items())

    def whats_next(self, limit: int = 2) -> list[ChecklistItem]:
        """The one or two things to do now: returned items first, then the soonest due."""
        open_items = [i for i in self.items if i.status not in FINAL and i.status is not ItemStatus.SUBMITTED]
        open_items.sort(key=lambda i: (i.status is not ItemStatus.RETURNED, i.due_date or date.max,
                                       i.template.position))
        return open_items[:limit]


def load_checklist(application_id: int, cycle: int | None = None) -> ChecklistView:
    """The checklist with templates, people and checks: three queries whatever its size (each item's template and
    last editor joined in: one query whether or not anyone edited an item yet)."""
    query = (select(ChecklistItem).options(joinedload(ChecklistItem.template),
                                           joinedload(ChecklistItem.updated_by))
             .where(ChecklistItem.application_id == application_id))
    if cycle is not None:
        query = query.where(ChecklistItem.cycle == cycle)
    items = list(db.session.scalars(query))
    items.sort(key=lambda i: (i.cycle, list(type(i.template.stage)).index(i.template.stage), i.template.position,
                              i.member_id or 0, i.id))
    members = {m.id: m for m in db.session.scalars(select(HouseholdMember)
                                                   .where(HouseholdMember.application_id == application_id))}
    checks = list(db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application_id)
                                     .order_by(BackgroundCheck.member_id, BackgroundCheck.id)))
    return ChecklistView(items=items, members=members, checks=checks)


# Made once (as licensing/pipeline/board.py's): an alias built per call costs about a millisecond, its column
# proxies made again at every request, more than the rest of the query.
_YEAR_ITEMS = aliased(ChecklistItem)


def household_renewal(household_id: int | None) -> Progress | None:
    """The household's current renewal progress, for the family's home page (one query): the renewal items of the
    application its license was issued on (the newest license not closed), of that license's current year only.
    None before a license, or once it is closed."""
    if household_id is None:
        return None
    licensed = (select(License.application_id).where(License.household_id == household_id,
                                                     License.status != LicenseStatus.CLOSED)
                .order_by(License.id.desc()).limit(1).scalar_subquery())
    year_items = _YEAR_ITEMS
    current_year = select(func.max(year_items.cycle)).where(year_items.application_id == licensed).scalar_subquery()
    items = list(db.session.scalars(select(ChecklistItem).where(
        ChecklistItem.application_id == licensed, ChecklistItem.cycle > 0, ChecklistItem.cycle == current_year)))
    return ChecklistView(items=items, members={}, checks=[]).renewal


# -- status changes -----------------------------------------------------------------------------------------------

def change_item_status(actor: User | None, item: ChecklistItem, new_status: ItemStatus, *, household_id: int,
                       expected_version: int | None = None, reason: str = "", hours: int | None = None,
                       payment_method: str = "", receipt_number: str = "", today: date | None = None) -> None:
    """The one way an item's status changes (staff, families sending a file, the reminder job, the inspection,
    the demo): the move must be in ITEM_MOVES, approval needs what the requirement's type asks for, and one event
    records who, when, from, to and why. Raises TransitionRefused or ChangedMeanwhile."""
    if expected_version is not None and item.version != expected_version:
        raise ChangedMeanwhile
    template = db.session.get(RequirementTemplate, item.template_id)
    if new_status is item.status:  # only the hours or the payment recorded, the status stays (12 of 30 hours)
        _record_item_details(actor, item, template, household_id, hours, payment_method, receipt_number)
        return
    ITEM_MOVES.check(item.status, new_status, reason)
    if hours is not None:
        item.hours_completed = hours
    if payment_method:
        item.payment_method, item.receipt_number = payment_method, receipt_number.strip()
    if new_status is ItemStatus.APPROVED:
        _check_approval_data(item, template)
        if template.renews_every_months:
            item.expires_on = _add_months(today or agency_today(), template.renews_every_months)
    item.reason = reason.strip() if new_status in ITEM_MOVES.needs_reason else ""
    item.updated_at, item.updated_by_id = now_utc(), actor.id if actor else None
    transition(ITEM_MOVES, item, new_status, actor=actor, household_id=household_id, reason=reason,
               requirement=template.code)
    if (new_status is ItemStatus.APPROVED and template.type is RequirementType.DOCUMENT and actor is not None
            and item.cycle == 0):
        _accept_the_file_approved(actor, item, template)
    db.session.flush()  # a stale version (someone else saved meanwhile) shows here, not at commit


def _accept_the_file_approved(staff: User, item: ChecklistItem, template: RequirementTemplate) -> None:
    """Approving a document item of the licensing checklist (cycle 0) accepts the file it was approved on: the newest
    sent for it, or sent with the application for the same document (a medical statement), so the application's list
    says "accepted" too, with the day, instead of waiting for a second review there. Never for a renewal item: the
    application's files are the first licensing's, not a license year's."""
    kind = APPLICATION_DOCUMENT_KINDS.get(template.code)
    sent_for_item = ApplicationDocument.checklist_item_id == item.id
    if kind is not None:
        member = (ApplicationDocument.member_id.is_(None) if item.member_id is None
                  else ApplicationDocument.member_id == item.member_id)
        sent_for_item = or_(sent_for_item, and_(ApplicationDocument.kind == kind, member))
    newest = db.session.scalar(select(ApplicationDocument).where(
        ApplicationDocument.application_id == item.application_id, sent_for_item)
        .order_by(ApplicationDocument.id.desc()).limit(1))
    if newest is not None and newest.status is DocumentStatus.PENDING:
        review_document(staff, db.session.get(Application, item.application_id), newest, accept=True, reason="")


def _record_item_details(actor: User | None, item: ChecklistItem, template: RequirementTemplate, household_id: int,
                         hours: int | None, payment_method: str, receipt_number: str) -> None:
    changed = {}
    if hours is not None and hours != item.hours_completed:
        item.hours_completed = changed["hours"] = hours
    if payment_method and (payment_method, receipt_number.strip()) != (item.payment_method, item.receipt_number):
        item.payment_method, item.receipt_number = payment_method, receipt_number.strip()
        changed["payment_method"] = payment_method
    if not changed:
        raise TransitionRefused(_l("Nothing changed: choose a new status, or record hours or a payment."))
    item.updated_at, item.updated_by_id = now_utc(), actor.id if actor else None
    audit.record("item_details_recorded", actor=actor, target=item, household_id=household_id,
                 requirement=template.code, **changed)
    db.session.flush()


def _check_approval_data(item: ChecklistItem, template: RequirementTemplate) -> None:
    kind = template.type
    if kind is RequirementType.TRAINING_HOURS and (item.hours_completed or 0) < (template.hours_required or 0):
        raise TransitionRefused(_l("Record at least %(hours)s hours before approving.", hours=template.hours_required))
    if kind is RequirementType.FEE and not (item.payment_method and item.receipt_number):
        raise TransitionRefused(_l("Record how the fee was paid and the receipt number, or waive it with a reason."))
    if kind is RequirementType.BACKGROUND_CHECK:
        checks = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.member_id == item.member_id)).all()
        if not checks or any(c.status not in CHECK_DONE for c in checks):
            raise TransitionRefused(_l("Every background check of this person must be cleared first."))
    if kind is RequirementType.INSPECTION and not completed_visit(item.application_id,
                                                                   VisitKind.HOME_SAFETY_INSPECTION):
        raise TransitionRefused(_l("Record the completed home safety inspection first."))
    if kind is RequirementType.VISIT:
        visit_kind = VisitKind.INDIVIDUAL_INTERVIEW if item.member_id else VisitKind.JOINT_INTERVIEW
        if not completed_visit(item.application_id, visit_kind):
            raise TransitionRefused(_l("Record the completed interview first."))
    if kind is RequirementType.SIGNATURE:
        report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id
                                                                 == item.application_id))
        if report is None or not report.is_approved:
            raise TransitionRefused(_l("The home study write-up must be approved first."))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 28):
        try:
            return date(year, month, min(candidate, 31))
        except ValueError:
            continue
    return date(year, month, 28)


def open_correction_item(actor: User, application: Application, template: RequirementTemplate, code: str,
                         note: str, today: date) -> None:
    """A line of the home safety inspection that needs correcting is an item of its own, told apart by `source`.
    Found again after it was approved, it is returned to the family with the inspector's note."""
    source = f"safety:{code}"
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.application_id == application.id,
                                                         ChecklistItem.source == source))
    if item is None:
        item = ChecklistItem(application_id=application.id, template_id=template.id, member_id=None, source=source,
                             due_date=today + timedelta(days=template.due_days or 30))
        db.session.add(item)
        audit.record("correction_added", actor=actor, target=item, household_id=application.household_id,
                     safety_item=code)
    elif item.status is ItemStatus.APPROVED:
        # The family reads the reason: the inspector's note, or words in the family's language.
        reason = note.strip() or in_language(family_languages(application.household_id)[0],
                                             _l("Found again at the home safety inspection."))
        change_item_status(actor, item, ItemStatus.RETURNED, household_id=application.household_id, reason=reason)
    elif item.status is ItemStatus.WAIVED:
        change_item_status(actor, item, ItemStatus.NOT_STARTED, household_id=application.household_id)
    item.custom_title = note.strip()[:300]
