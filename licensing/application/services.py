"""Every write about an application: opening it, sections, people, references, documents, review by staff.
Signatures and submission are in submission.py; other people's parts in others.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FieldList, FormField, SelectField

from licensing.application.documents import RequiredDocument, required_documents
from licensing.application.models import (
    APPLICATION_MOVES,
    DOCUMENT_MOVES,
    SECTION_MOVES,
    Application,
    ApplicationDocument,
    ApplicationSection,
    ApplicationStatus,
    DocumentPage,
    DocumentStatus,
    HouseholdMember,
    MemberRole,
    Reference,
    SectionStatus,
    Signature,
    StaffNote,
)
from licensing.application.sections import SECTION_FORMS, SECTION_KEYS
from licensing.recruitment.models import ClosedReason, Interest, Lead, LeadSource, LeadStatus
from licensing.uploads import StoredFile, store_pages
from portal import audit, emails
from portal.clock import agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.forms import field_names
from portal.models import Household, User
from portal.services import household_accounts
from portal.tokens import new_nonce
from portal.transitions import Refused, transition

# -- loading ------------------------------------------------------------------------------------------------------

def load_application(application_id: int) -> Application | None:
    """The application with everything its pages show, in a fixed number of queries."""
    return _fully_loaded(Application.id == application_id)


def load_household_application(household_id: int) -> Application | None:
    """The household's application (one per household), loaded as `load_application` does; no statement more to
    find its id first."""
    return _fully_loaded(Application.household_id == household_id)


def load_household_application_for_stage(household_id: int) -> Application | None:
    """The household's application with its sections and documents only, what `stage_of` reads (three statements;
    the fully loaded one is eight or nine): for the family's home page."""
    return db.session.scalar(select(Application).where(Application.household_id == household_id).options(
        selectinload(Application.sections), selectinload(Application.documents)))


def load_household_application_for_section(household_id: int) -> Application | None:
    """The household's application with what a section's page shows when it is opened: its sections, people and
    references (four statements; the fully loaded one is eight or nine, its documents, signatures, household and
    homefinder being for other pages and for saving)."""
    return db.session.scalar(select(Application).where(Application.household_id == household_id).options(
        selectinload(Application.sections), selectinload(Application.members), selectinload(Application.references)))


def _fully_loaded(which: ColumnElement[bool]) -> Application | None:
    return db.session.scalar(
        select(Application).where(which).options(
            selectinload(Application.sections), selectinload(Application.members),
            selectinload(Application.references),
            # Pages joined to their documents: no query more once documents are sent.
            selectinload(Application.documents).joinedload(ApplicationDocument.more_pages),
            selectinload(Application.signatures), selectinload(Application.household),
            selectinload(Application.assigned_homefinder),
        )
    )


def sections_by_key(application: Application) -> dict[str, ApplicationSection]:
    return {section.key: section for section in application.sections}


def section_data(application: Application) -> dict[str, dict]:
    return {section.key: section.data for section in application.sections}


def record_event(application: Application, actor: User | None, action: str, **details) -> None:
    """An event of the application's history, in the one log (portal.audit), under the household it is about."""
    audit.record(action, actor=actor, target=application, household_id=application.household_id, **details)


def change_application_status(actor: User | None, application: Application, target: ApplicationStatus,
                              reason: str = "", **details: object) -> None:
    """The one way an application's status changes: only the moves in APPLICATION_MOVES, each recorded. A denied or
    withdrawn application closes the family: its lead gets the reason and the date (unless it was closed already)."""
    transition(APPLICATION_MOVES, application, target, actor=actor, household_id=application.household_id,
               reason=reason, **details)
    if target in CLOSING_REASONS:
        _close_lead_of(application, CLOSING_REASONS[target])


# Written on the lead rather than derived in each report: the board, its CSV and "closures by reason" all read
# Lead.closed_reason, so one write makes them agree, and the reason is kept as it was when the family closed.
CLOSING_REASONS = {ApplicationStatus.DENIED: ClosedReason.DENIED, ApplicationStatus.WITHDRAWN: ClosedReason.WITHDREW}


def _close_lead_of(application: Application, reason: ClosedReason) -> None:
    # The board places a family by its household's lead: that one is closed (the application's own lead_id may be
    # unset for an application opened before leads were linked).
    lead = db.session.scalar(select(Lead).where(Lead.household_id == application.household_id)
                             .order_by(Lead.id).limit(1))
    if lead is None or lead.closed_reason is not None:  # a reason a homefinder gave already stays
        return
    lead.closed_reason, lead.closed_at = reason, now_utc()


# -- opening ------------------------------------------------------------------------------------------------------

def open_application(household: Household, lead: Lead | None, opened_by: User | None) -> Application:
    """Open the household's application (once), linked to the lead it came from (recruitment moves the lead)."""
    existing = db.session.scalar(select(Application).where(Application.household_id == household.id))
    if existing is not None:
        return existing
    lead = lead or _lead_for_household(household)
    application = Application(household=household, lead_id=lead.id if lead else None,
                              assigned_homefinder_id=lead.assigned_homefinder_id if lead else None)
    db.session.add(application)
    db.session.flush()
    db.session.add_all([ApplicationSection(application_id=application.id, key=key) for key in SECTION_KEYS])
    record_event(application, opened_by, "opened")
    db.session.flush()
    return application


def _lead_for_household(household: Household) -> Lead | None:
    """A household that registered on its own, without an inquiry, still belongs on the pipeline board (which lists
    leads): its lead, or one made from its account (source "other"), or the lead with the account's email, linked."""
    lead = db.session.scalar(select(Lead).where(Lead.household_id == household.id).order_by(Lead.id).limit(1))
    accounts = household_accounts(household.id)
    if lead is not None or not accounts:
        return lead
    account = accounts[0]
    lead = db.session.scalar(select(Lead).where(func.lower(Lead.email) == account.email.lower())
                             .order_by(Lead.id).limit(1))
    if lead is not None and lead.household_id is not None:
        # That inquiry is another household's already (its contacts and notes are theirs): never moved. This
        # household stays off the board until staff link it (an email can name one lead only).
        return None
    if lead is None:
        first, _space, last = account.full_name.strip().partition(" ")
        # Made at the stage it is at: applying (the board reads the rest from the application).
        # They first reached the agency when they registered: the lead dates from then (metrics measure from it).
        lead = Lead(first_name=first or account.full_name, last_name=last, email=account.email,
                    preferred_locale=account.preferred_locale, source=LeadSource.OTHER, interest=Interest.FOSTER,
                    status=LeadStatus.APPLYING, created_at=household.created_at,
                    status_changed_at=household.created_at)
        lead.set_first_contact_due()
        db.session.add(lead)
    lead.household_id = household.id
    db.session.flush()
    audit.record("lead_linked", actor=None, target=lead, household_id=household.id)
    return lead


# -- sections -----------------------------------------------------------------------------------------------------

@dataclass
class Progress:
    complete: int
    total: int
    by_key: dict[str, SectionStatus] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0


def progress(application: Application) -> Progress:
    statuses = {s.key: s.status for s in application.sections}
    done = sum(1 for key in SECTION_KEYS if statuses.get(key) is SectionStatus.COMPLETE)
    return Progress(complete=done, total=len(SECTION_KEYS), by_key=statuses)


@dataclass
class Stage:
    """Where the household's application stands, in the words of its dashboard (templates/dashboard/applicant.html):
    not_open, not_started, in_progress, ready (every section complete, not sent yet), submitted, returned (sections
    reopened by the homefinder), approved, denied or withdrawn; with how many documents were returned."""

    key: str
    progress: Progress | None = None
    reopened: int = 0
    submitted_at: datetime | None = None
    # Documents the homefinder returned on a sent application (a new version can be sent for each), and the row of
    # the first one on the overview.
    returned_documents: int = 0
    returned_anchor: str = ""


def stage_of(application: Application | None) -> Stage:
    if application is None:
        return Stage("not_open")
    if application.status is ApplicationStatus.IN_PROGRESS:
        done = progress(application)
        started = any(s.data or s.draft or s.status is not SectionStatus.IN_PROGRESS for s in application.sections)
        key = "ready" if done.complete == done.total else "in_progress" if started else "not_started"
        return Stage(key, progress=done)
    reopened = sum(1 for s in application.sections if s.status is SectionStatus.REOPENED)
    returned = [d for d in latest_documents(application).values()
                if d.status is DocumentStatus.RETURNED and d.checklist_item_id is None]
    first = RequiredDocument(returned[0].kind, returned[0].member_id, "").anchor if returned else ""
    return Stage(application.status.value, reopened=reopened, submitted_at=application.submitted_at,
                 returned_documents=len(returned), returned_anchor=first)


def section_is_editable(application: Application, section: ApplicationSection) -> bool:
    if application.status is ApplicationStatus.IN_PROGRESS:
        return True
    return application.status is ApplicationStatus.RETURNED and section.status is SectionStatus.REOPENED


def _require_editable(application: Application, section: ApplicationSection) -> None:
    if not section_is_editable(application, section):
        raise Refused(_l("This section can't be changed now. Your homefinder reopens it if something must change."))


# A draft is kept input: capped as input kept over a sign-in is (portal/pending.py).
MAX_DRAFT_BYTES = 64 * 1024


class DraftTooLarge(Refused):
    """A draft larger than MAX_DRAFT_BYTES: not kept (the draft endpoint answers 413)."""


def section_marker(section: ApplicationSection) -> str:
    """What the section's page was rendered from (sent back with each draft): it changes when the answers are
    saved (or staff move the section), never when a draft is kept, so a draft that left the page before the last
    save is known by it (see save_draft and draft_is_stale)."""
    return section.updated_at.isoformat()


def draft_is_stale(section: ApplicationSection, marker: str | None) -> bool:
    """A draft sent from a page rendered before the section was last saved: it must not undo that save. A draft
    without a marker (a page opened before markers existed) is taken as it is."""
    return marker is not None and marker != section_marker(section)


def save_draft(application: Application, section: ApplicationSection, typed: dict[str, list[str]],
               user: User) -> None:
    """Keep exactly what was typed, valid or not, so nothing is lost (validated answers replace it on save). Only
    the section form's own fields are kept (see typed_fields); a draft over MAX_DRAFT_BYTES raises DraftTooLarge.
    A draft that says what the saved answers say is nothing to keep: a finished section stays finished."""
    _require_editable(application, section)
    if len(json.dumps(typed, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise DraftTooLarge(_l("This is more than a section can keep. Shorten your answers and try again."))
    # The marker (section_marker) moves with the answers, not with a draft: kept as it is when the row is written.
    flag_modified(section, "updated_at")
    if not draft_changes_answers(application, section, typed):
        section.draft = None
        return
    section.draft = typed
    # Typing into a section in progress is not an event (the log would fill with keystrokes); changing a finished
    # section is: it is no longer complete.
    if section.status is SectionStatus.COMPLETE:
        change_section_status(user, application, section, SectionStatus.IN_PROGRESS, "section_edited")


def typed_fields(key: str, posted: MultiDict) -> dict[str, list[str]]:
    """What was posted to a section's form, under the form's own field names only (no CSRF token, no marker,
    nothing made up), as the lists of values a draft keeps."""
    names = field_names(SECTION_FORMS[key](formdata=None))
    return {name: posted.getlist(name) for name in posted if name in names}


def draft_changes_answers(application: Application, section: ApplicationSection,
                          typed: dict[str, list[str]]) -> bool:
    """Whether a draft says something else than the saved answers: the draft is read by the section's form as a
    Save would read it, and compared with the form filled from the answers (as the page shows them), both
    normalized (spaces around, a browser's line ends, an empty answer however it is written, blank rows)."""
    form_class = SECTION_FORMS[section.key]
    drafted = form_class(formdata=MultiDict([(n, v) for n, values in typed.items() for v in values]), data=None)
    if _has_process_errors(drafted):  # a number or date that doesn't read as one is not a saved answer
        return True
    saved = form_class(formdata=None, data=initial_form_data(application, section))
    return _normalized(drafted) != _normalized(saved)


def _has_process_errors(fields) -> bool:
    for each in fields:
        if isinstance(each, FieldList):
            if _has_process_errors(each.entries):
                return True
        elif isinstance(each, FormField):
            if _has_process_errors(each.form):
                return True
        elif each.process_errors and any(_normal_value(raw) is not None for raw in each.raw_data or []):
            return True  # (an empty answer doesn't read as a date either: it is compared as empty)
    return False


def _normalized(fields) -> dict:
    values = {}
    for each in fields:
        if each.short_name == "csrf_token":
            continue
        if isinstance(each, FieldList):
            values[each.short_name] = [_normalized(entry.form) if isinstance(entry, FormField)
                                       else _normal_value(entry.data) for entry in each.entries
                                       if not _blank_row(entry)]
        elif isinstance(each, FormField):
            values[each.short_name] = _normalized(each.form)
        else:
            values[each.short_name] = _normal_value(each.data)
    return values


def _blank_row(entry) -> bool:
    """A row with nothing typed or ticked in it is no answer (a language list always has one chosen: not counted)."""
    if not isinstance(entry, FormField):
        return _normal_value(entry.data) is None
    return all(_normal_value(sub.data) is None for sub in entry.form if not isinstance(sub, SelectField))


def _normal_value(value):
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return value or None
    if isinstance(value, list | tuple):
        return [_normal_value(item) for item in value] or None
    if value is False:
        return None
    return value


def save_section(application: Application, section: ApplicationSection, form, user: User) -> set[int]:
    """Store a validated section. Any change after signing means the applicants sign again: returns the members
    whose signatures were cleared (others.ask_again_to_sign emails the co-applicant a new link)."""
    _require_editable(application, section)
    cleared = {s.member_id for s in application.signatures}
    saver = _SAVERS.get(section.key, _save_flat)
    saver(application, section, form, user)
    section.draft = None
    section.updated_at = now_utc()  # a new marker (section_marker), even after save_draft kept it in this request
    change_section_status(user, application, section, SectionStatus.COMPLETE, "section_saved")
    section.reopen_note = "" if application.status is not ApplicationStatus.RETURNED else section.reopen_note
    if application.signatures:
        db.session.execute(delete(Signature).where(Signature.application_id == application.id))
        db.session.refresh(application, ["signatures"])
    db.session.flush()
    return {member.id for member in application.members if member.id in cleared}


def change_section_status(actor: User | None, application: Application, section: ApplicationSection,
                          target: SectionStatus, action: str, reason: str = "") -> None:
    """The one way a section's status changes: through SECTION_MOVES, in one event named by `action`
    ("section_saved", "section_edited", "section_reopened"). Saving a section that is already complete, or
    reopening one already reopened, is recorded without a move."""
    if section.status is target:
        record_event(application, actor, action, section=section.key, reason=reason.strip() or None)
        return
    transition(SECTION_MOVES, section, target, actor=actor, household_id=application.household_id, reason=reason,
               action=action, section=section.key)


def _save_flat(application: Application, section: ApplicationSection, form, user: User | None = None) -> None:
    section.data = {name: _jsonable(field.data) for name, field in form._fields.items() if name != "csrf_token"}


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def _save_applicants(application: Application, section: ApplicationSection, form, user: User) -> None:
    _save_flat(application, section, form)
    members = {m.role: m for m in application.members if m.is_applicant}
    primary = members.get(MemberRole.PRIMARY)
    if primary is None:
        # The account that first names the primary applicant ("you") is theirs, for good: another account of the
        # household saving this section later changes their answers, never who they are.
        primary = HouseholdMember(application_id=application.id, role=MemberRole.PRIMARY, position=0)
        if user.household_id == application.household_id:
            primary.user_id, primary.email, primary.preferred_locale = user.id, user.email, user.preferred_locale
    elif primary.user_id is not None and primary.user_id == user.id:
        primary.email, primary.preferred_locale = user.email, user.preferred_locale  # their own, kept current
    primary.first_name, primary.last_name = form.primary_first_name.data.strip(), form.primary_last_name.data.strip()
    primary.birth_date, primary.phone = form.primary_birth_date.data, form.primary_phone.data.strip()
    db.session.add(primary)
    co = members.get(MemberRole.CO_APPLICANT)
    if form.has_co_applicant.data:
        # The section doesn't ask the co-applicant's language: their emails start in the household account's.
        co = co or HouseholdMember(application_id=application.id, role=MemberRole.CO_APPLICANT, position=1,
                                   preferred_locale=user.preferred_locale)
        co.first_name, co.last_name = form.co_first_name.data.strip(), form.co_last_name.data.strip()
        email = form.co_email.data.strip().lower()
        if co.email and co.email != email:
            co.signature_nonce = new_nonce()  # the link sent to the old address stops working
        co.birth_date, co.email = form.co_birth_date.data, email
        co.phone = (form.co_phone.data or "").strip()
        db.session.add(co)
    elif co is not None:
        db.session.delete(co)
    db.session.flush()
    db.session.refresh(application, ["members"])


def _save_household(application: Application, section: ApplicationSection, form, user: User) -> None:
    """Other people of the home. Rows are matched by name and birth date so an adult's finished part is kept."""
    existing = {(m.first_name.lower(), m.last_name.lower(), m.birth_date): m
                for m in application.members if m.role is MemberRole.OTHER}
    kept: set[int] = set()
    position = 10
    for entry in form.members.entries:
        person = entry.form
        if person.is_blank():
            continue
        key = (person.first_name.data.strip().lower(), person.last_name.data.strip().lower(), person.birth_date.data)
        member = existing.get(key) or HouseholdMember(application_id=application.id, role=MemberRole.OTHER)
        member.first_name, member.last_name = person.first_name.data.strip(), person.last_name.data.strip()
        member.birth_date = person.birth_date.data
        member.relationship_to_applicant = person.relationship.data.strip()
        email = (person.email.data or "").strip().lower()
        if member.email and member.email != email:
            member.link_nonce, member.link_sent_at = new_nonce(), None  # the old address's link stops working
        member.email = email
        member.position = position
        position += 1
        db.session.add(member)
        db.session.flush()
        kept.add(member.id)
    for member in existing.values():
        if member.id not in kept:
            db.session.delete(member)
    section.data = {"count": len(kept)}
    db.session.flush()
    db.session.refresh(application, ["members"])


def _save_references(application: Application, section: ApplicationSection, form, user: User) -> None:
    existing = {r.email: r for r in application.references}
    kept: set[int] = set()
    for position, entry in enumerate(e.form for e in form.references.entries):
        if entry.is_blank():
            continue
        email = entry.email.data.strip().lower()
        reference = existing.get(email) or Reference(application_id=application.id, email=email)
        reference.position = position
        reference.name = entry.name.data.strip()
        reference.relationship_to_applicant = entry.relationship.data.strip()
        reference.phone = (entry.phone.data or "").strip()
        reference.is_relative = bool(entry.is_relative.data)
        reference.preferred_locale = entry.preferred_locale.data or "en"
        db.session.add(reference)
        db.session.flush()
        kept.add(reference.id)
    for reference in existing.values():
        if reference.id not in kept:
            db.session.delete(reference)
    section.data = {"count": len(kept)}
    db.session.flush()
    db.session.refresh(application, ["references"])


_SAVERS = {"applicants": _save_applicants, "household": _save_household, "references": _save_references}


def initial_form_data(application: Application, section: ApplicationSection) -> dict:
    """What a section's form shows when no draft is pending."""
    if section.key == "household":
        others = [m for m in application.members if m.role is MemberRole.OTHER]
        return {"members": [{"first_name": m.first_name, "last_name": m.last_name, "birth_date": m.birth_date,
                             "relationship": m.relationship_to_applicant, "email": m.email} for m in others]}
    if section.key == "references":
        return {"references": [{"name": r.name, "relationship": r.relationship_to_applicant, "email": r.email,
                                "phone": r.phone, "is_relative": r.is_relative,
                                "preferred_locale": r.preferred_locale} for r in application.references]}
    data = dict(section.data)
    for name, value in data.items():
        if name.endswith("birth_date") and isinstance(value, str):
            data[name] = date.fromisoformat(value)
    return data


# -- documents ----------------------------------------------------------------------------------------------------

def new_document(application_id: int, kind: str, member_id: int | None, stored: StoredFile, user: User,
                 checklist_item_id: int | None = None, more: list[StoredFile] | None = None) -> ApplicationDocument:
    """The record of a stored upload (with the application, or for a checklist item), with the further pages sent
    with it (`more`: pages 2, 3, ...) kept together as one document."""
    document = ApplicationDocument(application_id=application_id, kind=kind, member_id=member_id,
                                   checklist_item_id=checklist_item_id, original_name=stored.original_name,
                                   stored_name=stored.stored_name, content_type=stored.content_type,
                                   size_bytes=stored.size_bytes, sha256=stored.sha256, uploaded_by_id=user.id)
    document.more_pages = [DocumentPage(position=position, original_name=page.original_name,
                                        stored_name=page.stored_name, content_type=page.content_type,
                                        size_bytes=page.size_bytes, sha256=page.sha256)
                           for position, page in enumerate(more or [], start=2)]
    return document


def add_document(application: Application, slot_key: str, upload: FileStorage | list[FileStorage] | None,
                 user: User, today: date) -> ApplicationDocument:
    """The family sends a document of the application, as one file or as several pages (photos of each page) kept
    together as one document; a later upload for the same slot replaces the earlier one. Once the application is
    sent, only a document the homefinder returned takes a new version (recorded as its own event). Raises Refused
    (the application is not open for changes, or no such slot) or FileRefused (one refused page refuses them all)."""
    slot = find_slot(application, slot_key, documents_day(application, today))
    replacing_returned = not application.is_editable_by_family
    if replacing_returned:
        earlier = latest_documents(application).get(slot_key) if slot is not None else None
        if earlier is None or earlier.status is not DocumentStatus.RETURNED:
            raise Refused(_l("Your application was sent; documents can't be added to it now."))
    if slot is None:
        raise Refused(_l("Choose which document this is and the file to upload."))
    uploads = upload if isinstance(upload, list) else [upload] if upload is not None else []
    first, *more = store_pages(uploads)
    document = new_document(application.id, slot.kind, slot.member_id, first, user, more=more)
    db.session.add(document)
    record_event(application, user, "returned_document_replaced" if replacing_returned else "document_uploaded",
                 kind=slot.kind, name=first.original_name, pages=document.page_count)
    db.session.flush()
    return document


def find_slot(application: Application, slot_key: str, today: date) -> RequiredDocument | None:
    """The required document a row of the documents list names ("photo_id:12"), or None."""
    return next((s for s in required_documents(application, section_data(application), today) if s.slot == slot_key),
                None)


def latest_documents(application: Application) -> dict[str, ApplicationDocument]:
    """The newest upload for each required slot (older ones stay for the record)."""
    latest: dict[str, ApplicationDocument] = {}
    for document in application.documents:
        latest[f"{document.kind}:{document.member_id or 0}"] = document
    return latest


def documents_day(application: Application, today: date) -> date:
    """The day the list of required documents is read for: today while the family fills in the application; once
    it is sent, the day it was sent (a child who turns 18 later does not make a sent application lack a photo ID)."""
    if application.is_editable_by_family or application.submitted_at is None:
        return today
    return application.submitted_at.astimezone(agency_zone()).date()


def review_document(staff: User, application: Application, document: ApplicationDocument, accept: bool,
                    reason: str) -> None:
    """Accept a document, or return it with the reason the family will read (DOCUMENT_MOVES, one event)."""
    transition(DOCUMENT_MOVES, document, DocumentStatus.ACCEPTED if accept else DocumentStatus.RETURNED, actor=staff,
               household_id=application.household_id, reason="" if accept else reason,
               action="document_accepted" if accept else "document_returned", kind=document.kind,
               name=document.original_name)
    document.review_reason = "" if accept else reason.strip()
    document.reviewed_at = now_utc()
    document.reviewed_by_id = staff.id
    if not accept:
        for user in household_accounts(application.household_id):
            emails.queue_email(user.email, user.preferred_locale, "document_returned", user=user,
                               kind=document.kind, reason=document.review_reason,
                               link=emails.portal_url("licensing.application_overview"))


# -- staff --------------------------------------------------------------------------------------------------------

def assign(staff: User, application: Application, homefinder: User) -> None:
    application.assigned_homefinder_id = homefinder.id
    record_event(application, staff, "assigned", homefinder=homefinder.full_name)


NOTE_RESENT_WITHIN = timedelta(minutes=1)


def add_note(staff: User, application: Application, body: str) -> None:
    """A staff note. The same words from the same person within a minute are a double click or a resend, not a
    second note: stored once."""
    body = body.strip()
    resent = db.session.scalar(select(StaffNote.id).where(
        StaffNote.application_id == application.id, StaffNote.author_id == staff.id, StaffNote.body == body,
        StaffNote.created_at > now_utc() - NOTE_RESENT_WITHIN).limit(1))
    if resent is not None:
        return
    db.session.add(StaffNote(application_id=application.id, author_id=staff.id, body=body))
    record_event(application, staff, "note_added")


def reopen_section(staff: User, application: Application, section: ApplicationSection, note: str) -> None:
    if application.status is not ApplicationStatus.RETURNED:  # a second section reopened: already returned
        change_application_status(staff, application, ApplicationStatus.RETURNED, reason=note, section=section.key)
    change_section_status(staff, application, section, SectionStatus.REOPENED, "section_reopened", reason=note)
    section.reopen_note = note.strip()
    for user in household_accounts(application.household_id):
        emails.queue_email(user.email, user.preferred_locale, "section_reopened", user=user,
                           section=section.key, note=section.reopen_note,
                           link=emails.portal_url("licensing.application_overview"))
