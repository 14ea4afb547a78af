"""Every write of the licensing tracker: checklists, status transitions, background checks, visits, the home
safety checklist, the home study write-up, the license, renewals and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from licensing.models import (
    Application,
    ApplicationStatus,
    BackgroundCheck,
    ChecklistEvent,
    ChecklistItem,
    CheckStatus,
    CheckType,
    HomeStudyReport,
    HomeStudyVisit,
    HouseholdMember,
    ItemStatus,
    License,
    LicenseType,
    MemberRole,
    ReminderSent,
    RequirementScope,
    RequirementTemplate,
    RequirementType,
    SafetyCheck,
    SafetyResult,
    VisitKind,
    VisitSlot,
    VisitStatus,
)
from portal import audit, emails
from portal.database import now_utc
from portal.extensions import db
from portal.models import Role, User, new_session_token

ADULT_AGE = 18
FINAL = {ItemStatus.APPROVED, ItemStatus.WAIVED}
CHECK_DONE = {CheckStatus.CLEARED, CheckStatus.EXEMPTION_GRANTED, CheckStatus.NOT_APPLICABLE}
# Families see these check statuses as they are; every other one only as "in review".
CHECK_SHOWN_TO_FAMILY = {CheckStatus.REQUESTED, CheckStatus.PENDING, CheckStatus.CLEARED}

# Allowed status changes. Reasons are required where marked; approval also needs what the type requires.
TRANSITIONS: dict[ItemStatus, set[ItemStatus]] = {
    ItemStatus.NOT_STARTED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.WAIVED},
    ItemStatus.IN_PROGRESS: {ItemStatus.NOT_STARTED, ItemStatus.SUBMITTED, ItemStatus.APPROVED, ItemStatus.WAIVED},
    ItemStatus.SUBMITTED: {ItemStatus.APPROVED, ItemStatus.RETURNED, ItemStatus.WAIVED},
    ItemStatus.RETURNED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.WAIVED},
    ItemStatus.APPROVED: {ItemStatus.RETURNED, ItemStatus.EXPIRED},
    ItemStatus.WAIVED: {ItemStatus.NOT_STARTED},
    ItemStatus.EXPIRED: {ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED},
}
NEEDS_REASON = {ItemStatus.RETURNED, ItemStatus.WAIVED}

SAFETY_ITEMS = ["smoke_detectors", "co_detectors", "fire_extinguisher", "medications_locked", "chemicals_locked",
                "firearms_locked", "water_safety", "sleeping_space", "emergency_plan"]
REPORT_SECTIONS = ["family_background", "motivation", "parenting", "home_and_community", "recommendation"]
REMINDER_THRESHOLDS = [90, 60, 30, 7]


class TransitionRefused(Exception):
    """A status change that is not allowed, or that lacks what it needs; `message` says why, for staff."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class ChangedMeanwhile(Exception):
    """Someone else saved this record since the form was opened."""


# -- checklists ---------------------------------------------------------------------------------------------------

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
        return [m.id for m in members if m.role is not MemberRole.OTHER or m.age_on(today) >= ADULT_AGE]
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
            _generate_background_checks(application, members, answers, today)
    db.session.flush()
    return added


# Checklist requirements that the application's own document list already covers.
APPLICATION_DOCUMENT_KINDS = {"medical_statement": "medical_statement", "pet_vaccinations": "pet_vaccination",
                              "auto_insurance": "auto_insurance"}


def _documents_sent_with_application(application_id: int) -> set[tuple[str, int | None]]:
    from licensing.models import ApplicationDocument, DocumentStatus

    rows = db.session.execute(select(ApplicationDocument.kind, ApplicationDocument.member_id).where(
        ApplicationDocument.application_id == application_id, ApplicationDocument.checklist_item_id.is_(None),
        ApplicationDocument.status != DocumentStatus.RETURNED)).all()
    return {(kind, member_id) for kind, member_id in rows}


def send_item_document(user: User, item: ChecklistItem, stored) -> None:
    """The family sends the file an item asks for (a CPR card, this year's pet records): the item is submitted."""
    from licensing.models import ApplicationDocument

    template = db.session.get(RequirementTemplate, item.template_id)
    db.session.add(ApplicationDocument(application_id=item.application_id, kind=template.code,
                                       member_id=item.member_id, checklist_item_id=item.id,
                                       original_name=stored.original_name, stored_name=stored.stored_name,
                                       content_type=stored.content_type, size_bytes=stored.size_bytes,
                                       sha256=stored.sha256, uploaded_by_id=user.id))
    old = item.status
    item.status, item.reason = ItemStatus.SUBMITTED, ""
    item.updated_at, item.updated_by_id = now_utc(), user.id
    db.session.add(ChecklistEvent(item_id=item.id, application_id=item.application_id, actor_id=user.id,
                                  from_status=old.value, to_status=ItemStatus.SUBMITTED.value))


FAMILY_CAN_SEND = {ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.RETURNED, ItemStatus.EXPIRED}


def item_documents(application_id: int) -> dict[int, object]:
    """The newest file sent for each checklist item (one query)."""
    from licensing.models import ApplicationDocument

    latest: dict[int, object] = {}
    for document in db.session.scalars(select(ApplicationDocument).where(
            ApplicationDocument.application_id == application_id, ApplicationDocument.checklist_item_id.is_not(None))
            .order_by(ApplicationDocument.id)):
        latest[document.checklist_item_id] = document
    return latest


def _generate_background_checks(application: Application, members: list[HouseholdMember], answers: dict,
                                today: date) -> None:
    """Every adult: state and FBI fingerprints, the state registry, the sex offender registry, and one registry
    check per other state they lived in during the past five years (from the addresses they gave)."""
    existing = {(c.member_id, c.check_type, c.state) for c in db.session.scalars(
        select(BackgroundCheck).where(BackgroundCheck.application_id == application.id))}
    household_states = _states(answers.get("residence", {}).get("other_states", ""))
    for member in members:
        if member.role is MemberRole.OTHER and member.age_on(today) < ADULT_AGE:
            continue
        states = household_states | _states(member.own_part.get("other_states", ""))
        wanted = [(t, "") for t in (CheckType.STATE_CRIMINAL, CheckType.FBI, CheckType.STATE_REGISTRY,
                                    CheckType.SEX_OFFENDER)]
        wanted += [(CheckType.OUT_OF_STATE_REGISTRY, state) for state in sorted(states)]
        for check_type, state in wanted:
            if (member.id, check_type, state) not in existing:
                db.session.add(BackgroundCheck(application_id=application.id, member_id=member.id,
                                               check_type=check_type, state=state, requested_on=today))


def _states(text: str) -> set[str]:
    return {part.strip().upper()[:2] for part in text.replace(";", ",").split(",")
            if len(part.strip()) == 2 and part.strip().isalpha()}


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
    """The checklist with templates, people and checks: a fixed number of queries whatever its size."""
    query = (select(ChecklistItem).options(selectinload(ChecklistItem.template),
                                           selectinload(ChecklistItem.updated_by))
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


# -- status changes -----------------------------------------------------------------------------------------------

def change_status(staff: User, item: ChecklistItem, expected_version: int, new_status: ItemStatus, reason: str = "",
                  hours: int | None = None, payment_method: str = "", receipt_number: str = "",
                  today: date | None = None) -> None:
    """Apply one validated status change (raises TransitionRefused or ChangedMeanwhile)."""
    from flask_babel import lazy_gettext as _l

    if item.version != expected_version:
        raise ChangedMeanwhile
    today = today or date.today()
    if new_status not in TRANSITIONS[item.status]:
        raise TransitionRefused(_l("This change is not allowed from the item's current status."))
    if new_status in NEEDS_REASON and not reason.strip():
        raise TransitionRefused(_l("Give a reason the family will see."))
    template = db.session.get(RequirementTemplate, item.template_id)
    if hours is not None:
        item.hours_completed = hours
    if payment_method:
        item.payment_method, item.receipt_number = payment_method, receipt_number.strip()
    if new_status is ItemStatus.APPROVED:
        _check_approval_data(item, template)
        if template.renews_every_months:
            item.expires_on = _add_months(today, template.renews_every_months)
    old = item.status
    item.status = new_status
    item.reason = reason.strip() if new_status in NEEDS_REASON else ""
    item.updated_at = now_utc()
    item.updated_by_id = staff.id if staff else None
    db.session.add(ChecklistEvent(item_id=item.id, application_id=item.application_id,
                                  actor_id=staff.id if staff else None, from_status=old.value,
                                  to_status=new_status.value, reason=item.reason))


def _check_approval_data(item: ChecklistItem, template: RequirementTemplate) -> None:
    from flask_babel import lazy_gettext as _l

    kind = template.type
    if kind is RequirementType.TRAINING_HOURS and (item.hours_completed or 0) < (template.hours_required or 0):
        raise TransitionRefused(_l("Record at least %(hours)s hours before approving.", hours=template.hours_required))
    if kind is RequirementType.FEE and not (item.payment_method and item.receipt_number):
        raise TransitionRefused(_l("Record how the fee was paid and the receipt number, or waive it with a reason."))
    if kind is RequirementType.BACKGROUND_CHECK:
        checks = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.member_id == item.member_id)).all()
        if not checks or any(c.status not in CHECK_DONE for c in checks):
            raise TransitionRefused(_l("Every background check of this person must be cleared first."))
    if kind is RequirementType.INSPECTION and not _completed_visit(item.application_id,
                                                                   VisitKind.HOME_SAFETY_INSPECTION):
        raise TransitionRefused(_l("Record the completed home safety inspection first."))
    if kind is RequirementType.VISIT:
        visit_kind = VisitKind.INDIVIDUAL_INTERVIEW if item.member_id else VisitKind.JOINT_INTERVIEW
        if not _completed_visit(item.application_id, visit_kind):
            raise TransitionRefused(_l("Record the completed interview first."))
    if kind is RequirementType.SIGNATURE:
        report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id
                                                                 == item.application_id))
        if report is None or report.approved_at is None:
            raise TransitionRefused(_l("The home study write-up must be approved first."))


def _completed_visit(application_id: int, kind: VisitKind) -> bool:
    return db.session.scalar(select(HomeStudyVisit.id).where(
        HomeStudyVisit.application_id == application_id, HomeStudyVisit.kind == kind,
        HomeStudyVisit.status == VisitStatus.COMPLETED).limit(1)) is not None


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 28):
        try:
            return date(year, month, min(candidate, 31))
        except ValueError:
            continue
    return date(year, month, 28)


# -- background checks --------------------------------------------------------------------------------------------

def update_check(staff: User, check: BackgroundCheck, expected_version: int, status: CheckStatus) -> None:
    if check.version != expected_version:
        raise ChangedMeanwhile
    check.status = status
    check.updated_at = now_utc()
    check.updated_by_id = staff.id


def family_check_status(check: BackgroundCheck) -> str:
    """What a family may see of a check: requested, pending, cleared — anything else is "in review"."""
    return check.status.value if check.status in CHECK_SHOWN_TO_FAMILY else "in_review"


# -- home study visits --------------------------------------------------------------------------------------------

def propose_visit(staff: User, application: Application, kind: VisitKind, slots: list[datetime]) -> HomeStudyVisit:
    visit = HomeStudyVisit(application_id=application.id, kind=kind, homefinder_id=staff.id)
    db.session.add(visit)
    db.session.flush()
    db.session.add_all([VisitSlot(visit_id=visit.id, starts_at=slot) for slot in slots])
    for user in household_users(application.household_id):
        emails.queue_email(user.email, user.preferred_locale, "visit_proposed", user=user, kind=kind.value,
                           link=url_for("licensing.family_checklist", _external=True, _anchor="visits"))
    return visit


def choose_slot(user: User, visit: HomeStudyVisit, slot: VisitSlot) -> None:
    visit.starts_at = slot.starts_at
    visit.status = VisitStatus.SCHEDULED
    homefinder = db.session.get(User, visit.homefinder_id)
    for person in [*household_users(user.household_id), homefinder]:
        if person is not None:
            emails.queue_email(person.email, person.preferred_locale, "visit_scheduled", user=person,
                               kind=visit.kind.value, when=visit.starts_at)


def complete_visit(staff: User, visit: HomeStudyVisit, notes: str) -> None:
    visit.status = VisitStatus.COMPLETED
    visit.completed_at = now_utc()
    visit.notes = notes.strip()


def household_users(household_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.household_id == household_id, User.is_active.is_(True))))


# -- home safety --------------------------------------------------------------------------------------------------

def record_safety(user: User, application: Application, results: dict[str, tuple[str, str]], self_check: bool,
                  correction_template: RequirementTemplate | None, today: date) -> None:
    """Store the inspection (or the family's self-check). Inspection lines needing correction become checklist
    items for the family."""
    existing = {c.item_code: c for c in db.session.scalars(select(SafetyCheck).where(
        SafetyCheck.application_id == application.id, SafetyCheck.self_check.is_(self_check)))}
    for code, (result, note) in results.items():
        line = existing.get(code) or SafetyCheck(application_id=application.id, item_code=code,
                                                 self_check=self_check)
        line.result, line.note = SafetyResult(result), note.strip()
        line.recorded_at, line.recorded_by_id = now_utc(), user.id
        db.session.add(line)
        if not self_check and line.result is SafetyResult.NEEDS_CORRECTION and correction_template is not None:
            _correction_item(application, correction_template, code, note, today)
    db.session.flush()


def _correction_item(application: Application, template: RequirementTemplate, code: str, note: str,
                     today: date) -> None:
    source = f"safety:{code}"
    item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.application_id == application.id,
                                                         ChecklistItem.source == source))
    if item is None:
        # Each correction is its own household item, told apart by `source`.
        item = ChecklistItem(application_id=application.id, template_id=template.id, member_id=None, source=source,
                             due_date=today + timedelta(days=template.due_days or 30))
        db.session.add(item)
    elif item.status in FINAL:
        item.status = ItemStatus.NOT_STARTED
    item.custom_title = note.strip()[:300]


# -- home study write-up ------------------------------------------------------------------------------------------

def save_report(staff: User, application: Application, expected_version: int | None, sections: dict) -> None:
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application.id))
    if report is None:
        report = HomeStudyReport(application_id=application.id, sections={})
        db.session.add(report)
    elif expected_version is not None and report.version != expected_version:
        raise ChangedMeanwhile
    report.sections = {key: sections.get(key, "").strip() for key in REPORT_SECTIONS}
    report.updated_at, report.updated_by_id = now_utc(), staff.id
    report.approved_at = report.approved_by_id = None  # a changed write-up needs approval again


def approve_report(admin: User, report: HomeStudyReport) -> None:
    report.approved_at, report.approved_by_id = now_utc(), admin.id


# -- license and renewals -----------------------------------------------------------------------------------------

def ready_for_license(view: ChecklistView) -> bool:
    initial = [i for i in view.items if i.cycle == 0]
    return bool(initial) and all(i.status in FINAL for i in initial)


def issue_license(admin: User, application: Application, number: str, license_type: LicenseType, capacity: int,
                  age_min: int, age_max: int, effective_on: date, expires_on: date, answers: dict) -> License:
    """Issue the license: the household becomes a licensed family and its renewal items are created."""
    license_ = License(application_id=application.id, household_id=application.household_id, number=number.strip(),
                       type=license_type, capacity=capacity, age_min=age_min, age_max=age_max,
                       effective_on=effective_on, expires_on=expires_on, issued_by_id=admin.id)
    db.session.add(license_)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise TransitionRefused(_license_number_taken()) from error
    application.status = ApplicationStatus.APPROVED
    for user in household_users(application.household_id):
        if user.role is Role.APPLICANT:
            old = user.role
            user.role = Role.FAMILY
            user.session_token = new_session_token()  # the new role takes effect at the next sign-in
            audit.record(audit.AuditAction.ROLE_CHANGED, actor=admin, target=user, old=old.value, new="family")
        emails.queue_email(user.email, user.preferred_locale, "license_issued", user=user, license=license_,
                           link=url_for("licensing.family_checklist", _external=True))
    generate_checklist(application, answers, effective_on, cycle=1, start=effective_on)
    _set_renewal_due_dates(application.id, expires_on)
    audit.record("license_issued", actor=admin, target=license_, number=license_.number)
    return license_


def _license_number_taken():
    from flask_babel import lazy_gettext as _l

    return _l("This license number is already used.")


def _set_renewal_due_dates(application_id: int, expires_on: date) -> None:
    """Renewal items are due before the license expires, so nothing is rushed at the end."""
    for item in db.session.scalars(select(ChecklistItem).options(selectinload(ChecklistItem.template))
                                   .where(ChecklistItem.application_id == application_id, ChecklistItem.cycle == 1)):
        latest = expires_on - timedelta(days=60)
        item.due_date = min(item.due_date, latest) if item.due_date else latest


# -- reminders ----------------------------------------------------------------------------------------------------

def _threshold(days_left: int) -> str | None:
    if days_left < 0:
        return "overdue"
    for limit in sorted(REMINDER_THRESHOLDS):
        if days_left <= limit:
            return str(limit)
    return None


def send_reminders(today: date) -> dict[str, int]:
    """Email families about items and licenses due in 90, 60, 30 and 7 days, and overdue ones; each at most once
    per item and threshold (a unique row records it). Also the day-before reminders of scheduled visits. Safe to
    run every hour."""
    counts = {"items": 0, "licenses": 0, "visits": 0, "expired": 0}
    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS))
    sent = {(r.item_key, r.threshold) for r in db.session.scalars(select(ReminderSent))}
    items = db.session.scalars(
        select(ChecklistItem).options(selectinload(ChecklistItem.template))
        .where(ChecklistItem.status.not_in([ItemStatus.WAIVED]))
    ).all()
    applications = {a.id: a for a in db.session.scalars(select(Application).where(
        Application.id.in_({i.application_id for i in items} | {0})))}
    users_by_household: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.household_id.is_not(None), User.is_active.is_(True))):
        users_by_household.setdefault(user.household_id, []).append(user)
    for item in items:
        if item.status is ItemStatus.APPROVED and item.expires_on is not None and item.expires_on < today:
            # Past its expiry (CPR card, pet vaccinations): the item is open again until renewed.
            db.session.add(ChecklistEvent(item_id=item.id, application_id=item.application_id, actor_id=None,
                                          from_status=item.status.value, to_status=ItemStatus.EXPIRED.value))
            item.status = ItemStatus.EXPIRED
            counts["expired"] += 1
        # An approved item reminds about its expiry (CPR, pet vaccinations); an open one about its due date.
        when = item.expires_on if item.status in (ItemStatus.APPROVED, ItemStatus.EXPIRED) and item.expires_on \
            else item.due_date
        if when is None or when > horizon:
            continue
        threshold = _threshold((when - today).days)
        key = f"item:{item.id}"
        if threshold is None or (key, threshold) in sent:
            continue
        db.session.add(ReminderSent(item_key=key, threshold=threshold))
        application = applications[item.application_id]
        for user in users_by_household.get(application.household_id, []):
            emails.queue_email(user.email, user.preferred_locale, "item_reminder", user=user, item=item,
                               when=when, overdue=threshold == "overdue",
                               expiring=item.status in (ItemStatus.APPROVED, ItemStatus.EXPIRED))
        counts["items"] += 1
    for license_ in db.session.scalars(select(License).where(License.expires_on <= horizon)):
        threshold = _threshold((license_.expires_on - today).days)
        key = f"license:{license_.id}"
        if threshold is None or (key, threshold) in sent:
            continue
        db.session.add(ReminderSent(item_key=key, threshold=threshold))
        for user in users_by_household.get(license_.household_id, []):
            emails.queue_email(user.email, user.preferred_locale, "license_reminder", user=user, license=license_,
                               overdue=threshold == "overdue")
        counts["licenses"] += 1
    # Visits starting within the next day and a half get their day-before reminder (once).
    visits = db.session.scalars(select(HomeStudyVisit).options(selectinload(HomeStudyVisit.homefinder)).where(
        HomeStudyVisit.status == VisitStatus.SCHEDULED, HomeStudyVisit.reminder_sent_at.is_(None),
        HomeStudyVisit.starts_at <= now_utc() + timedelta(hours=36), HomeStudyVisit.starts_at > now_utc())).all()
    households = dict(db.session.execute(select(Application.id, Application.household_id).where(
        Application.id.in_({v.application_id for v in visits} | {0}))).all())
    for visit in visits:
        for person in [*users_by_household.get(households[visit.application_id], []), visit.homefinder]:
            emails.queue_email(person.email, person.preferred_locale, "visit_reminder", user=person,
                               kind=visit.kind.value, when=visit.starts_at)
        visit.reminder_sent_at = now_utc()
        counts["visits"] += 1
    db.session.flush()
    return counts
