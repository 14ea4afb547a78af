"""One way to change a status, and every write on the record.

1. Every state machine of portal.transitions.MACHINES, walked pair by pair on a stand-in record: allowed moves are
   made and recorded once, refused ones change and record nothing, moves needing a reason are refused without one.
2. The writers that used to go around a rule now go through it (real services, a real submitted household).
3. Every public function of the service modules that changes state records at least one AuditEvent: the functions
   are found by introspection, and the scenario table must cover each of them.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

import pytest
from flask import Flask
from sqlalchemy import event as orm_events
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from app import register_blueprints
from licensing.application import others, reasons, submission
from licensing.application import services as applications
from licensing.application.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    HouseholdMember,
    MemberRole,
    SectionStatus,
)
from licensing.application.sections import SECTION_FORMS
from licensing.recruitment import services as recruitment
from licensing.recruitment.models import (
    ClosedReason,
    ContactKind,
    ContactOutcome,
    EventKind,
    InfoSession,
    Interest,
    Lead,
    LeadSource,
    LeadStatus,
    SessionFormat,
    SessionRsvp,
)
from licensing.tracker.forms import RequirementTemplateForm
from licensing.tracker.models import (
    BackgroundCheck,
    ChecklistItem,
    CheckStatus,
    HomeStudyReport,
    HomeStudyStatus,
    HomeStudyVisit,
    ItemStatus,
    License,
    LicenseStatus,
    LicenseType,
    RequirementTemplate,
    VisitKind,
    VisitSlot,
    VisitStatus,
)
from licensing.tracker.reminders import send_reminders
from licensing.tracker.services import checklists, checks, home_study, licenses, requirements, safety, visits
from portal.audit import AuditAction
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, Household, Role, User
from portal.transitions import (
    MACHINES,
    ChangedMeanwhile,
    StateMachine,
    TransitionRefused,
    status_change_label,
    transition,
)
from tests.conftest import csrf_token, post_form, sign_in, text_of
from tests.licensing.conftest import PDF, SECTION_ANSWERS, submit_complete_application

# The app's blueprints import every feature's models, so every machine is registered before the tests are collected
# (a machine added by a new feature is walked without touching this file).
register_blueprints(Flask(__name__))

KNOWN_MACHINES = {"Application", "ChecklistItem", "BackgroundCheck", "HomeStudyVisit", "HomeStudyReport", "License"}
STATUS_CHANGED = AuditAction.STATUS_CHANGED
_numbers = count(1)


# -- fixtures (as in test_tracker.py) -----------------------------------------------------------------------------

@pytest.fixture
def submitted(app, client, db, applicant_with_application):
    """A family (signed in on `client`) whose complete application was just submitted."""
    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    return user, application_id


def signed_in(app, user: User):
    browser = app.test_client()
    sign_in(browser, user)
    return browser


def item_by_code(db, application_id: int, code: str) -> list[ChecklistItem]:
    db.session.expire_all()
    template = db.session.scalar(select(RequirementTemplate).where(RequirementTemplate.code == code))
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.application_id == application_id,
                                                               ChecklistItem.template_id == template.id)
                                   .order_by(ChecklistItem.id)))


def status_events(db, target_type: str, target_id: int, after_id: int = 0) -> list[AuditEvent]:
    """The record's status changes (whatever word the move is recorded under: "status_changed", "document_returned")."""
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.to_status.is_not(None), AuditEvent.target_type == target_type, AuditEvent.target_id == target_id,
        AuditEvent.id > after_id).order_by(AuditEvent.id)))


def last_event_id(db) -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


# == 1. Every machine, every pair of statuses =====================================================================

class StandIn:
    """A record with a status, as transition() sees one: no table, no household needed."""

    def __init__(self, status) -> None:
        self.id = 4321
        self.status = status
        self.version = 3


def stand_in(machine: StateMachine, status):
    # Named like the machine's record, as events name their target (and histories find the machine by it).
    return type(machine.name, (StandIn,), {})(status)


def pending_events() -> list[AuditEvent]:
    return [o for o in portal_db.session.new if isinstance(o, AuditEvent)]


def test_the_machines_of_every_aggregate_are_registered():
    assert set(MACHINES) >= KNOWN_MACHINES
    for name, machine in MACHINES.items():
        assert machine.name == name


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_every_move_is_checked_and_each_allowed_one_recorded_once(app, db, make_user, name):
    machine = MACHINES[name]
    statuses = machine.statuses
    status_type = type(statuses[0])
    assert set(statuses) == set(status_type), "every status needs its row of moves (an empty one for a final status)"
    assert all(targets <= set(status_type) for targets in machine.moves.values())
    assert machine.needs_reason <= set(status_type)
    assert set(machine.labels) == set(status_type), "every status needs words for the histories"
    actor = make_user(Role.HOMEFINDER)
    household_id, reason = 987, "  The family asked for it.  "
    walked = 0
    with app.test_request_context():
        for current in statuses:
            for target in statuses:
                record = stand_in(machine, current)
                if not machine.allows(current, target):
                    with pytest.raises(TransitionRefused):
                        transition(machine, record, target, actor=actor, household_id=household_id, reason=reason)
                    assert record.status is current and pending_events() == [], (current, target)
                    continue
                if target in machine.needs_reason:
                    for missing in ("", "   "):
                        with pytest.raises(TransitionRefused):
                            transition(machine, record, target, actor=actor, household_id=household_id,
                                       reason=missing)
                        assert record.status is current and pending_events() == [], (current, target)
                event = transition(machine, record, target, actor=actor, household_id=household_id, reason=reason,
                                   expected_version=record.version)
                assert record.status is target
                assert pending_events() == [event], (current, target)
                assert (event.action, event.target_type, event.target_id, event.household_id, event.actor_id) == (
                    STATUS_CHANGED, name, record.id, household_id, actor.id)
                assert (event.from_status, event.to_status, event.reason) == (
                    current.value, target.value, reason.strip())
                assert status_change_label(event) == f"{machine.label(current.value)} → {machine.label(target.value)}"
                portal_db.session.expunge(event)
                walked += 1
        assert walked == sum(len(targets) for targets in machine.moves.values())

        # A job moves with no one signed in; a stale form moves nothing.
        current, target = next((s, t) for s in statuses for t in machine.moves[s])
        record = stand_in(machine, current)
        event = transition(machine, record, target, actor=None, household_id=None, reason="job")
        assert event.actor_id is None and event.household_id is None
        portal_db.session.expunge(event)
        record = stand_in(machine, current)
        with pytest.raises(ChangedMeanwhile):
            transition(machine, record, target, actor=actor, household_id=household_id, reason=reason,
                       expected_version=record.version + 1)
        assert record.status is current and pending_events() == []


# == 2. The writers that used to go around a rule ==================================================================
# Inside a request context, records come from the request's session (person(), portal_db.session.get): touching an
# object of the test's own session there would open a savepoint inside the request's one.

def person(user_id: int) -> User:
    return portal_db.session.get(User, user_id)


def household_of(db, application_id: int) -> int:
    return db.session.get(Application, application_id).household_id


def test_a_file_for_an_item_already_sent_or_approved_is_refused_and_nothing_is_stored(app, client, db, submitted,
                                                                                     make_user):
    _user, application_id = submitted
    household_id, staff_id = household_of(db, application_id), make_user(Role.HOMEFINDER).id
    item_id = item_by_code(db, application_id, "medical_statement")[0].id
    assert db.session.get(ChecklistItem, item_id).status is ItemStatus.SUBMITTED  # sent with the application

    def send():
        return client.post(f"/licensing/checklist/items/{item_id}/document", data={
            "csrf_token": csrf_token(client), "file": (io.BytesIO(PDF), "again.pdf")},
            content_type="multipart/form-data")

    def stored_for_item() -> int:
        return db.session.scalar(select(func.count()).select_from(ApplicationDocument)
                                 .where(ApplicationDocument.checklist_item_id == item_id))

    before = last_event_id(db)
    refused = send()  # said on the family's checklist, where they are, not on an error page
    assert refused.status_code == 303
    assert "We already have a file for this item; the agency is reviewing it." in text_of(
        client.get("/licensing/checklist"))
    assert stored_for_item() == 0 and status_events(db, "ChecklistItem", item_id, before) == []

    with app.test_request_context():
        checklists.change_item_status(person(staff_id), portal_db.session.get(ChecklistItem, item_id),
                                      ItemStatus.APPROVED, household_id=household_id)
        portal_db.commit()
    before = last_event_id(db)
    assert send().status_code == 303
    assert "This item is already done: nothing more to send." in text_of(client.get("/licensing/checklist"))
    assert stored_for_item() == 0 and status_events(db, "ChecklistItem", item_id, before) == []
    assert db.session.get(ChecklistItem, item_id).status is ItemStatus.APPROVED


def test_a_problem_found_again_returns_its_approved_correction_with_the_inspectors_note(app, db, submitted,
                                                                                       make_user):
    _user, application_id = submitted
    household_id = household_of(db, application_id)
    homefinder = make_user(Role.HOMEFINDER)
    homefinder_id, staff = homefinder.id, signed_in(app, homefinder)
    answers = {f"{code}_result": "pass" for code in safety.SAFETY_ITEMS}
    answers.update(co_detectors_result="needs_correction", co_detectors_note="Add a CO detector near the bedrooms")
    url = f"/licensing/staff/applications/{application_id}/safety"
    assert post_form(staff, url, answers).status_code == 303
    correction_id = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.source == "safety:co_detectors"))
    with app.test_request_context():  # corrected, inspected and approved
        inspector = person(homefinder_id)
        application = applications.load_application(application_id)
        visit = visits.propose_visit(inspector, application, VisitKind.HOME_SAFETY_INSPECTION, [now_utc()])
        visits.change_visit_status(inspector, visit, VisitStatus.SCHEDULED, household_id=household_id)
        visits.complete_visit(inspector, visit, "", household_id)
        item = portal_db.session.get(ChecklistItem, correction_id)
        for status in (ItemStatus.SUBMITTED, ItemStatus.APPROVED):
            checklists.change_item_status(inspector, item, status, household_id=household_id)
        portal_db.commit()

    before = last_event_id(db)
    answers["co_detectors_note"] = "The CO detector was taken down again"
    assert post_form(staff, url, answers).status_code == 303
    db.session.expire_all()
    item = db.session.get(ChecklistItem, correction_id)
    assert item.status is ItemStatus.RETURNED
    assert item.reason == "The CO detector was taken down again"
    [event] = status_events(db, "ChecklistItem", correction_id, before)
    assert (event.from_status, event.to_status, event.reason, event.actor_id, event.household_id) == (
        "approved", "returned", "The CO detector was taken down again", homefinder_id, household_id)


def test_the_reminder_job_expires_items_and_licenses_through_their_transitions(app, db, submitted, make_user):
    _user, application_id = submitted
    household_id, admin_id = household_of(db, application_id), make_user(Role.ADMIN).id
    pets_id = item_by_code(db, application_id, "pet_vaccinations")[0].id
    with app.test_request_context():
        item = portal_db.session.get(ChecklistItem, pets_id)
        checklists.change_item_status(person(admin_id), item, ItemStatus.APPROVED, household_id=household_id)
        assert item.expires_on is not None  # renews every 12 months
        day = item.expires_on + timedelta(days=1)
        license_ = License(application_id=application_id, household_id=household_id, number="FH-T-EXP",
                           type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=10,
                           effective_on=day - timedelta(days=366), expires_on=day - timedelta(days=1),
                           issued_by_id=admin_id, status=LicenseStatus.ACTIVE)
        portal_db.session.add(license_)
        portal_db.commit()
        license_id = license_.id

    before = last_event_id(db)
    with app.app_context():
        counts = send_reminders(day)
        portal_db.commit()
    assert counts["expired"] == 2
    db.session.expire_all()
    assert db.session.get(ChecklistItem, pets_id).status is ItemStatus.EXPIRED
    assert db.session.get(License, license_id).status is LicenseStatus.EXPIRED
    [item_event] = status_events(db, "ChecklistItem", pets_id, before)
    [license_event] = status_events(db, "License", license_id, before)
    for event, old, new in ((item_event, "approved", "expired"), (license_event, "active", "expired")):
        assert (event.from_status, event.to_status, event.actor_id, event.household_id) == (
            old, new, None, household_id)


def test_a_cleared_check_cannot_jump_to_exemption_granted(app, db, submitted, make_user):
    _user, application_id = submitted
    household_id = household_of(db, application_id)
    homefinder = make_user(Role.HOMEFINDER)
    homefinder_id = homefinder.id
    check_id = db.session.scalar(select(BackgroundCheck.id).where(BackgroundCheck.application_id == application_id)
                                 .order_by(BackgroundCheck.id).limit(1))
    with app.test_request_context():
        check = portal_db.session.get(BackgroundCheck, check_id)
        checks.update_check(person(homefinder_id), check, CheckStatus.CLEARED, household_id=household_id)
        portal_db.commit()
    before = last_event_id(db)
    with app.test_request_context():
        check = portal_db.session.get(BackgroundCheck, check_id)
        with pytest.raises(TransitionRefused):
            checks.update_check(person(homefinder_id), check, CheckStatus.EXEMPTION_GRANTED,
                                household_id=household_id)
        assert check.status is CheckStatus.CLEARED
        portal_db.rollback()

    db.session.expire_all()
    version = db.session.get(BackgroundCheck, check_id).version
    response = post_form(signed_in(app, homefinder), f"/licensing/staff/checks/{check_id}", {
        "version": str(version), "status": "exemption_granted"})
    assert response.status_code == 422
    assert "This change is not allowed from the current status." in text_of(response)
    db.session.expire_all()
    assert db.session.get(BackgroundCheck, check_id).status is CheckStatus.CLEARED
    assert status_events(db, "BackgroundCheck", check_id, before) == []


def test_saving_an_approved_write_up_sends_it_back_to_draft_and_keeps_who_approved_it(app, db, submitted,
                                                                                     make_user):
    _user, application_id = submitted
    household_id = household_of(db, application_id)
    homefinder_id, supervisor_id = make_user(Role.HOMEFINDER).id, make_user(Role.ADMIN).id
    with app.test_request_context():
        application = applications.load_application(application_id)
        home_study.save_report(person(homefinder_id), application, None, {"recommendation": "Approve"})
        home_study.approve_report(person(supervisor_id), home_study.report_for(application_id), household_id)
        portal_db.commit()
    report = db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application_id))
    report_id, version = report.id, report.version
    [approval] = status_events(db, "HomeStudyReport", report_id)
    before = last_event_id(db)

    with app.test_request_context():
        home_study.save_report(person(homefinder_id), applications.load_application(application_id), version,
                               {"recommendation": "Approve, for two children"})
        portal_db.commit()
    db.session.expire_all()
    report = db.session.get(HomeStudyReport, report_id)
    assert report.status is HomeStudyStatus.DRAFT
    assert report.approved_by_id == supervisor_id and report.approved_at is not None  # who approved it is not lost
    [withdrawn] = status_events(db, "HomeStudyReport", report_id, before)
    assert (withdrawn.from_status, withdrawn.to_status, withdrawn.actor_id) == ("approved", "draft", homefinder_id)
    assert withdrawn.action == "home_study_changed_after_approval"  # why it needs approving again
    assert [e.id for e in status_events(db, "HomeStudyReport", report_id)] == [approval.id, withdrawn.id]
    assert (approval.from_status, approval.to_status, approval.actor_id) == ("draft", "approved", supervisor_id)


def test_issuing_the_license_approves_the_application_with_an_event(app, db, submitted, make_user):
    _user, application_id = submitted
    household_id = household_of(db, application_id)
    admin = make_user(Role.ADMIN)
    admin_id = admin.id
    with app.test_request_context():
        for item in checklists.load_checklist(application_id, cycle=0).items:
            checklists.change_item_status(person(admin_id), item, ItemStatus.WAIVED, household_id=household_id,
                                          reason="Met elsewhere")
        portal_db.commit()
        effective = agency_today()
    before = last_event_id(db)
    response = post_form(signed_in(app, admin), f"/licensing/staff/applications/{application_id}/license", {
        "number": "FH-T-0042", "type": "foster", "capacity": "2", "age_min": "0", "age_max": "10",
        "effective_on": effective.isoformat(), "expires_on": (effective + timedelta(days=365)).isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application_id).status is ApplicationStatus.APPROVED
    [event] = status_events(db, "Application", application_id, before)
    assert (event.from_status, event.to_status, event.actor_id, event.household_id) == (
        "submitted", "approved", admin_id, household_id)


# == 3. Every service function that changes state records an event ================================================

def service_modules() -> list:
    tracker = importlib.import_module("licensing.tracker.services")
    names = ["licensing.application.services", "licensing.application.others", "licensing.application.submission",
             "licensing.application.reasons", "licensing.recruitment.services"]
    names += [f"{tracker.__name__}.{info.name}" for info in pkgutil.iter_modules(tracker.__path__)]
    return [importlib.import_module(name) for name in names]


def service_functions() -> dict[str, Callable]:
    """Public functions defined in the service modules (not imported ones), as "application.submission.submit"."""
    found = {}
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and function.__module__ == module.__name__:
                found[f"{module.__name__.removeprefix('licensing.')}.{name}"] = function
    return found


# Functions that change no state: loaders, queries, checks and formatters (and the log's own helper). Everything else
# is a writer and needs a scenario below; a writer that records nothing must fail there, never be listed here.
NOT_WRITERS = {
    # loaders and queries
    "application.services.load_application",
    "application.services.load_household_application",
    "application.services.load_household_application_for_section",
    "application.services.load_household_application_for_stage",
    "application.services.sections_by_key",
    "application.services.section_data",
    "application.services.latest_documents",
    "application.services.find_slot",
    "application.services.initial_form_data",
    "application.others.adults_needing_own_part",
    "application.others.reference_for_token",
    "application.others.member_for_token",
    "application.reasons.family_languages",
    "application.reasons.active_reasons",
    "application.reasons.all_reasons",
    "application.others.applicants_signing_by_link",
    "application.others.signer_for_token",
    "application.others.signing_link_locale",
    "application.others.link_sha256",
    "application.submission.account_holder_member",
    "recruitment.services.lead_for_token",
    "recruitment.services.upcoming_sessions",
    "recruitment.services.next_open_session",
    "recruitment.services.session_attendees",
    "recruitment.services.lead_contacts",
    "recruitment.services.event_for_code",
    "tracker.services.checklists.load_checklist",
    "tracker.services.checklists.item_documents",
    "tracker.services.checklists.household_renewal",
    "tracker.services.home_study.report_for",
    "tracker.services.licenses.license_for",
    "tracker.services.licenses.report_and_license",
    "tracker.services.safety.safety_answers",
    "tracker.services.visits.visits_of",
    "tracker.services.visits.completed_visit",
    # checks and computations
    "application.services.progress",
    "application.services.stage_of",
    "application.services.section_is_editable",
    "application.services.draft_changes_answers",
    "application.services.draft_is_stale",
    "application.services.typed_fields",
    "recruitment.services.can_be_invited",
    "recruitment.services.can_resend_invitation",
    "application.services.documents_day",
    "application.submission.missing_for_submission",
    "application.submission.signed_content_hash",
    "application.submission.names_match",
    "tracker.services.checklists.applies",
    "tracker.services.licenses.ready_for_license",
    # formatters
    "application.services.section_marker",
    "recruitment.services.lead_token",
    "recruitment.services.invitation_state",
    "tracker.services.checks.family_check_status",
    "application.reasons.language_hint",
    "application.reasons.reason_choices",
    "application.reasons.text_for_family",
    # builds an unsaved row and returns it: its callers add it and record the upload
    "application.services.new_document",
    # writes the event its callers ask for, and nothing else
    "application.services.record_event",
    "application.others.record_read_by_link",
}

WRITERS = sorted(set(service_functions()) - NOT_WRITERS)


@dataclass
class World:
    """What a scenario works on: ids made before any context is pushed, records loaded in the request's session."""

    user_id: int  # the family (an applicant; with an application unless the scenario needs nothing)
    staff_id: int
    admin_id: int
    application_id: int | None

    @property
    def user(self) -> User:
        return portal_db.session.get(User, self.user_id)

    @property
    def staff(self) -> User:
        return portal_db.session.get(User, self.staff_id)

    @property
    def admin(self) -> User:
        return portal_db.session.get(User, self.admin_id)

    @property
    def household_id(self) -> int:
        return self.user.household_id

    def application(self) -> Application:
        return applications.load_application(self.application_id)

    def member(self, first_name: str) -> HouseholdMember:
        return next(m for m in self.application().members if m.first_name == first_name)

    def item(self, code: str) -> ChecklistItem:
        return next(i for i in checklists.load_checklist(self.application_id).items if i.template.code == code)

    def lead(self, status: LeadStatus = LeadStatus.NEW, email: str | None = None) -> Lead:
        lead = Lead(first_name="Elena", last_name="Vargas", email=email or f"lead{next(_numbers)}@example.com",
                    source=LeadSource.SEARCH, interest=Interest.FOSTER, status=status)
        portal_db.session.add(lead)
        portal_db.session.flush()
        return lead

    def info_session(self, days: int = 7) -> InfoSession:
        session = InfoSession(starts_at=now_utc() + timedelta(days=days), format=SessionFormat.VIRTUAL,
                              meeting_link="https://meet.example.com/abc", capacity=10)
        portal_db.session.add(session)
        portal_db.session.flush()
        return session

    def proposed_visit(self) -> HomeStudyVisit:
        return visits.propose_visit(self.staff, self.application(), VisitKind.JOINT_INTERVIEW,
                                    [now_utc() + timedelta(days=3), now_utc() + timedelta(days=4)])


Act = Callable[[], object]
Prepare = Callable[[World], Act]
# writer -> case -> (what it needs: "nothing" (a family without an application), "open" or "submitted", prepare)
SCENARIOS: dict[str, dict[str, tuple[str, Prepare]]] = {}


def scenario(writer: str, needs: str = "open", case: str = "usual"):
    """Register a scenario: `prepare(world)` sets the data up and returns the call under test."""

    def register(prepare: Prepare) -> Prepare:
        SCENARIOS.setdefault(writer, {})[case] = (needs, prepare)
        return prepare

    return register


def pdf(name: str = "scan.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


def valid_form(form_class, data: dict):
    form = form_class(formdata=MultiDict(data), meta={"csrf": False})
    assert form.validate(), form.errors
    return form


# -- application.services ----------------------------------------------------------------------------------------

@scenario("application.services.change_application_status")
def _change_application_status(w: World) -> Act:
    return lambda: applications.change_application_status(w.user, w.application(), ApplicationStatus.WITHDRAWN,
                                                           reason="We moved to another state")


@scenario("application.services.open_application", needs="nothing")
def _open_application(w: World) -> Act:
    household = portal_db.session.get(Household, w.household_id)
    return lambda: applications.open_application(household, None, opened_by=w.staff)


# Typing into a section still in progress is kept as a draft without an event (it is not a state change, and autosave
# would fill the log); changing a finished section is one: that is the scenario here.
@scenario("application.services.save_draft", case="complete section changed")
def _save_draft_of_complete_section(w: World) -> Act:
    application = w.application()
    section = applications.sections_by_key(application)["health"]
    section.status = SectionStatus.COMPLETE
    return lambda: applications.save_draft(application, section, {"has_condition": ["yes"]}, w.user)


@scenario("application.services.change_section_status")
def _change_section_status(w: World) -> Act:
    application = w.application()
    section = applications.sections_by_key(application)["health"]
    return lambda: applications.change_section_status(w.user, application, section, SectionStatus.COMPLETE,
                                                      "section_saved")


@scenario("application.services.save_section")
def _save_section(w: World) -> Act:
    application = w.application()
    section = applications.sections_by_key(application)["health"]
    form = valid_form(SECTION_FORMS["health"], SECTION_ANSWERS["health"])
    return lambda: applications.save_section(application, section, form, w.user)


@scenario("application.services.add_document")
def _add_document(w: World) -> Act:
    return lambda: applications.add_document(w.application(), "proof_of_income:0", pdf(), w.user, agency_today())


@scenario("application.services.review_document", needs="submitted")
def _review_document(w: World) -> Act:
    application = w.application()
    return lambda: applications.review_document(w.staff, application, application.documents[0], False, "Blurry")


def _applicants(w: World) -> tuple[HouseholdMember, HouseholdMember]:
    """Ana (the account holder, primary) and Luis (co-applicant, signs through his emailed link)."""
    primary = HouseholdMember(application_id=w.application_id, role=MemberRole.PRIMARY, first_name="Ana",
                              last_name="Torres", birth_date=date(1985, 4, 2), email=w.user.email,
                              user_id=w.user.id)
    co = HouseholdMember(application_id=w.application_id, role=MemberRole.CO_APPLICANT, first_name="Luis",
                         last_name="Torres", birth_date=date(1983, 9, 20), email="luis@example.com", position=1)
    portal_db.session.add_all([primary, co])
    portal_db.session.flush()
    return primary, co


@scenario("application.submission.sign_as_account_holder")
def _sign_as_account_holder(w: World) -> Act:
    primary, _co = _applicants(w)
    return lambda: submission.sign_as_account_holder(w.application(), primary, "Ana Torres", w.user, "127.0.0.1")


@scenario("application.submission.sign_with_link")
def _sign_with_link(w: World) -> Act:
    _primary, co = _applicants(w)
    return lambda: submission.sign_with_link(w.application(), co, "Luis Torres", "a-token", "127.0.0.1")


@scenario("application.others.send_signature_request")
def _send_signature_request(w: World) -> Act:
    _primary, co = _applicants(w)
    return lambda: others.send_signature_request(w.application(), co, w.user)


@scenario("application.others.ask_again_to_sign")
def _ask_again_to_sign(w: World) -> Act:
    _primary, co = _applicants(w)
    return lambda: others.ask_again_to_sign(w.application(), {co.id}, w.user)


@scenario("application.others.sign_through_link")
def _sign_through_link(w: World) -> Act:
    _primary, co = _applicants(w)
    return lambda: others.sign_through_link(w.application(), co, "Luis Torres", "a-token", "127.0.0.1")


@scenario("application.others.birth_date_confirms")
def _birth_date_confirms(w: World) -> Act:
    _primary, co = _applicants(w)
    return lambda: others.birth_date_confirms(co, date(1990, 1, 1), "a-token")  # a wrong date is recorded


@scenario("application.submission.submit", needs="submitted")
def _submit_again(w: World) -> Act:
    application = w.application()
    section = applications.sections_by_key(application)["health"]
    applications.reopen_section(w.staff, application, section, "Check your answer")
    section.status = SectionStatus.COMPLETE  # answered again

    def act():
        assert submission.submit(application, w.user, agency_today()) == []

    return act


@scenario("application.services.assign")
def _assign(w: World) -> Act:
    return lambda: applications.assign(w.admin, w.application(), w.staff)


@scenario("application.services.add_note")
def _add_note(w: World) -> Act:
    return lambda: applications.add_note(w.staff, w.application(), "Called the family")


@scenario("application.services.reopen_section", needs="submitted")
def _reopen_section(w: World) -> Act:
    application = w.application()
    section = applications.sections_by_key(application)["residence"]
    return lambda: applications.reopen_section(w.staff, application, section, "Add the garage")


# -- application.others --------------------------------------------------------------------------------------------

@scenario("application.others.send_reference_request", needs="submitted")
def _send_reference_request(w: World) -> Act:
    application = w.application()
    return lambda: others.send_reference_request(application, application.references[0], w.user)


@scenario("application.others.send_member_request", needs="submitted")
def _send_member_request(w: World) -> Act:
    return lambda: others.send_member_request(w.application(), w.member("Rosa"), w.user)


@scenario("application.others.send_outstanding_requests", needs="submitted")
def _send_outstanding_requests(w: World) -> Act:
    application = w.application()
    application.references[0].requested_at = None  # added since the others were asked
    return lambda: others.send_outstanding_requests(application, w.user, agency_today())


@scenario("application.others.record_reference_answer", needs="submitted")
def _record_reference_answer(w: World) -> Act:
    reference = w.application().references[0]
    return lambda: others.record_reference_answer(reference, {"known_for": "10 years"})


@scenario("application.others.record_adult_part", needs="submitted")
def _record_adult_part(w: World) -> Act:
    return lambda: others.record_adult_part(w.member("Rosa"), "AZ", "Rosa Torres", "127.0.0.1")


# -- recruitment.services ------------------------------------------------------------------------------------------

@scenario("recruitment.services.record_inquiry", needs="nothing")
def _record_inquiry(w: World) -> Act:
    data = recruitment.InquiryInput(first_name="Elena", last_name="Vargas", email="elena.t@example.com",
                                    phone="555-222-3333", preferred_locale="es", county="Fresno", zip_code="93701",
                                    interest="foster", source="search", questions="")
    return lambda: recruitment.record_inquiry(data)


@scenario("recruitment.services.rsvp", needs="nothing")
def _rsvp(w: World) -> Act:
    lead, session = w.lead(), w.info_session()
    return lambda: recruitment.rsvp(lead, session)


@scenario("recruitment.services.create_session", needs="nothing")
def _create_session(w: World) -> Act:
    return lambda: recruitment.create_session(w.staff, starts_at=now_utc() + timedelta(days=9),
                                              format=SessionFormat.IN_PERSON, address="1 Main St", capacity=12)


@scenario("recruitment.services.record_attendance", needs="nothing")
def _record_attendance(w: World) -> Act:
    lead, session = w.lead(LeadStatus.RSVPED), w.info_session(days=-1)  # held yesterday
    portal_db.session.add(SessionRsvp(lead=lead, session=session))
    portal_db.session.flush()
    return lambda: recruitment.record_attendance(w.staff, session, {lead.id})


@scenario("recruitment.services.log_contact", needs="nothing")
def _log_contact(w: World) -> Act:
    lead = w.lead()
    return lambda: recruitment.log_contact(w.staff, lead, ContactKind.CALL, ContactOutcome.REACHED, "", now_utc(),
                                           None)


def _event_values(code: str) -> dict:
    return {"name": "Spring fair", "kind": EventKind.FAIR, "source_code": code, "starts_on": date(2026, 4, 11),
            "ends_on": None, "language": "es", "county": "Fresno", "notes": ""}


@scenario("recruitment.services.create_event", needs="nothing")
def _create_event(w: World) -> Act:
    return lambda: recruitment.create_event(w.staff, **_event_values("FAIR-SCENARIO"))


@scenario("recruitment.services.update_event", needs="nothing")
def _update_event(w: World) -> Act:
    event = recruitment.create_event(w.staff, **_event_values("FAIR-BEFORE"))
    return lambda: recruitment.update_event(w.staff, event, **_event_values("FAIR-AFTER"))


@scenario("recruitment.services.invite_to_apply", needs="nothing")
def _invite_to_apply(w: World) -> Act:
    lead = w.lead(LeadStatus.ATTENDED)
    return lambda: recruitment.invite_to_apply(w.staff, lead)


@scenario("recruitment.services.resend_invitation", needs="nothing")
def _resend_invitation(w: World) -> Act:
    lead = w.lead(LeadStatus.INVITED)
    lead.invited_at = now_utc() - timedelta(days=100)
    return lambda: recruitment.resend_invitation(w.staff, lead, recruitment.invitation_state(lead))


@scenario("recruitment.services.invite_attendees", needs="nothing")
def _invite_attendees(w: World) -> Act:
    lead, session = w.lead(LeadStatus.ATTENDED), w.info_session(days=-1)
    portal_db.session.add(SessionRsvp(lead=lead, session=session, attended=True))
    portal_db.session.flush()
    return lambda: recruitment.invite_attendees(w.staff, session)


@scenario("recruitment.services.create_account_for_lead", needs="nothing")
def _create_account_for_lead(w: World) -> Act:
    lead = w.lead(LeadStatus.INVITED)
    return lambda: recruitment.create_account_for_lead(lead, "a long enough password")


@scenario("recruitment.services.open_application_for", needs="nothing")
def _open_application_for(w: World) -> Act:
    lead = w.lead(LeadStatus.ATTENDED)
    household = portal_db.session.get(Household, w.household_id)
    return lambda: recruitment.open_application_for(lead, household, opened_by=w.staff)


@scenario("recruitment.services.assign_homefinder", needs="nothing")
def _assign_homefinder(w: World) -> Act:
    lead = w.lead(LeadStatus.CONTACTED)
    return lambda: recruitment.assign_homefinder(w.admin, [lead], w.staff)


@scenario("recruitment.services.close_leads", needs="nothing")
def _close_leads(w: World) -> Act:
    lead = w.lead(LeadStatus.CONTACTED)
    return lambda: recruitment.close_leads(w.staff, [lead], ClosedReason.MOVED, "Moved to Oregon")


@scenario("recruitment.services.link_account_to_lead", needs="nothing", case="lead who came to a session")
def _link_attended_lead(w: World) -> Act:
    w.lead(LeadStatus.ATTENDED, email=w.user.email)
    return lambda: recruitment.link_account_to_lead(w.user)


@scenario("recruitment.services.link_account_to_lead", needs="nothing", case="new lead")
def _link_new_lead(w: World) -> Act:
    w.lead(LeadStatus.NEW, email=w.user.email)
    return lambda: recruitment.link_account_to_lead(w.user)


# -- tracker.services ----------------------------------------------------------------------------------------------

@scenario("tracker.services.checklists.generate_checklist")
def _generate_checklist(w: World) -> Act:
    return lambda: checklists.generate_checklist(w.application(), {}, agency_today())


@scenario("tracker.services.checklists.generate_checklist", needs="submitted", case="a new state lived in")
def _generate_checklist_for_a_new_state(w: World) -> Act:
    application = w.application()
    answers = applications.section_data(application)
    answers["residence"] = dict(answers["residence"], other_states="TX, AZ")  # Arizona: new registry checks
    return lambda: checklists.generate_checklist(application, answers, agency_today())


@scenario("tracker.services.checklists.send_item_document", needs="submitted")
def _send_item_document(w: World) -> Act:
    item = w.item("cpr_first_aid")
    return lambda: checklists.send_item_document(w.user, item, pdf("cpr.pdf"), w.household_id)


@scenario("tracker.services.checklists.change_item_status", needs="submitted")
def _change_item_status(w: World) -> Act:
    item = w.item("cpr_first_aid")
    return lambda: checklists.change_item_status(w.staff, item, ItemStatus.IN_PROGRESS, household_id=w.household_id)


@scenario("tracker.services.checklists.open_correction_item")
def _open_correction_item(w: World) -> Act:
    template = portal_db.session.scalar(select(RequirementTemplate).where(
        RequirementTemplate.code == safety.CORRECTION_TEMPLATE))
    return lambda: checklists.open_correction_item(w.staff, w.application(), template, "co_detectors",
                                                   "Add a CO detector", agency_today())


@scenario("tracker.services.checks.generate_background_checks", needs="submitted")
def _generate_background_checks(w: World) -> Act:
    application = w.application()
    return lambda: checks.generate_background_checks(application, list(application.members),
                                                     {"residence": {"other_states": "AZ"}}, agency_today())


@scenario("tracker.services.checks.update_check", needs="submitted")
def _update_check(w: World) -> Act:
    check = portal_db.session.scalar(select(BackgroundCheck).where(BackgroundCheck.application_id
                                                                   == w.application_id).limit(1))
    return lambda: checks.update_check(w.staff, check, CheckStatus.PENDING, household_id=w.household_id)


@scenario("tracker.services.home_study.save_report")
def _save_report(w: World) -> Act:
    return lambda: home_study.save_report(w.staff, w.application(), None, {"family_background": "Warm"})


@scenario("tracker.services.home_study.approve_report")
def _approve_report(w: World) -> Act:
    home_study.save_report(w.staff, w.application(), None, {"recommendation": "Approve"})
    return lambda: home_study.approve_report(w.admin, home_study.report_for(w.application_id), w.household_id)


@scenario("tracker.services.licenses.issue_license", needs="submitted")
def _issue_license(w: World) -> Act:
    for item in checklists.load_checklist(w.application_id, cycle=0).items:
        checklists.change_item_status(w.admin, item, ItemStatus.WAIVED, household_id=w.household_id, reason="Met")
    application, today = w.application(), agency_today()
    return lambda: licenses.issue_license(w.admin, application, checklists.load_checklist(w.application_id),
                                          "FH-T-7", LicenseType.FOSTER, 2, 0, 10, today, today + timedelta(days=365),
                                          applications.section_data(application))


@scenario("tracker.services.licenses.expire_license")
def _expire_license(w: World) -> Act:
    today = agency_today()
    license_ = License(application_id=w.application_id, household_id=w.household_id, number="FH-T-8",
                       type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=10,
                       effective_on=today - timedelta(days=400), expires_on=today - timedelta(days=1),
                       issued_by_id=w.admin_id, status=LicenseStatus.ACTIVE)
    portal_db.session.add(license_)
    portal_db.session.flush()
    return lambda: licenses.expire_license(license_)


@scenario("tracker.services.requirements.save_requirement", needs="nothing")
def _save_requirement(w: World) -> Act:
    form = valid_form(RequirementTemplateForm, {
        "code": "tb_test", "type": "document", "scope": "each_applicant", "stage": "documents",
        "title_en": "TB test", "title_es": "Prueba de tuberculosis", "due_days": "60", "active": "y"})
    return lambda: requirements.save_requirement(w.admin, None, form)


@scenario("application.reasons.save_reason", needs="nothing")
def _save_reason(w: World) -> Act:
    return lambda: reasons.save_reason(w.admin, None, "A page is missing.", "Falta una página.", active=True)


@scenario("tracker.services.safety.record_safety")
def _record_safety(w: World) -> Act:
    results = {code: ("pass", "") for code in safety.SAFETY_ITEMS}
    return lambda: safety.record_safety(w.user, w.application(), results, self_check=True, today=agency_today())


@scenario("tracker.services.visits.propose_visit")
def _propose_visit(w: World) -> Act:
    return w.proposed_visit


@scenario("tracker.services.visits.change_visit_status")
def _change_visit_status(w: World) -> Act:
    visit = w.proposed_visit()
    return lambda: visits.change_visit_status(w.staff, visit, VisitStatus.CANCELLED, household_id=w.household_id,
                                              reason="The family asked for another week")


@scenario("tracker.services.visits.choose_slot")
def _choose_slot(w: World) -> Act:
    visit = w.proposed_visit()
    slot = portal_db.session.scalar(select(VisitSlot).where(VisitSlot.visit_id == visit.id).limit(1))
    return lambda: visits.choose_slot(w.user, visit, slot, w.household_id)


@scenario("tracker.services.visits.complete_visit")
def _complete_visit(w: World) -> Act:
    visit = w.proposed_visit()
    visits.change_visit_status(w.staff, visit, VisitStatus.SCHEDULED, household_id=w.household_id)
    return lambda: visits.complete_visit(w.staff, visit, "All good", w.household_id)


# -- the table covers every writer, and each writer records --------------------------------------------------------

def test_the_not_writers_list_names_real_functions():
    assert set(service_functions()) >= NOT_WRITERS, sorted(NOT_WRITERS - set(service_functions()))


def test_every_writer_has_a_scenario_and_every_scenario_a_writer():
    assert not set(WRITERS) - set(SCENARIOS), f"writers without a scenario: {sorted(set(WRITERS) - set(SCENARIOS))}"
    assert not set(SCENARIOS) - set(WRITERS), f"scenarios of no writer: {sorted(set(SCENARIOS) - set(WRITERS))}"


CASES = [(writer, case) for writer in WRITERS for case in SCENARIOS.get(writer, {"no scenario": None})]


def make_world(request, needs: str, make_user) -> World:
    """Fixtures are resolved here, before the scenario's request context is pushed (requests would reuse it)."""
    staff, admin = make_user(Role.HOMEFINDER), make_user(Role.ADMIN)
    if needs == "submitted":
        user, application_id = request.getfixturevalue("submitted")
    elif needs == "open":
        user, application_id = request.getfixturevalue("applicant_with_application")()
    else:
        user, application_id = make_user(Role.APPLICANT), None
    return World(user_id=user.id, staff_id=staff.id, admin_id=admin.id, application_id=application_id)


def recorded() -> int:
    return portal_db.session.scalar(select(func.count()).select_from(AuditEvent))


@contextmanager
def writes() -> Iterator[set[str]]:
    """The kinds of rows (other than events) added, changed or deleted while the block runs."""
    session = portal_db.session()
    written: set[str] = set()

    def before_flush(flushing, _context, _instances):
        changed = [*flushing.new, *flushing.deleted, *(o for o in flushing.dirty if flushing.is_modified(o))]
        written.update(type(o).__name__ for o in changed if not isinstance(o, AuditEvent))

    orm_events.listen(session, "before_flush", before_flush)
    try:
        yield written
        session.flush()
    finally:
        orm_events.remove(session, "before_flush", before_flush)


@pytest.mark.parametrize(("writer", "case"), CASES, ids=[f"{w}[{c}]" for w, c in CASES])
def test_every_service_writer_records_an_event(request, app, db, make_user, writer, case):
    if writer not in SCENARIOS:
        pytest.fail(f"{writer} is not read-only and has no scenario: add one to SCENARIOS (or, if it really "
                    f"changes no state, to NOT_WRITERS)")
    needs, prepare = SCENARIOS[writer][case]
    world = make_world(request, needs, make_user)
    with app.test_request_context():
        act = prepare(world)
        before = recorded()  # what preparing recorded does not count
        with writes() as written:
            act()
        after = recorded()
    assert written, f"the scenario of {writer} ({case}) changes nothing: fix the scenario"
    assert after > before, f"{writer} ({case}) changed {', '.join(sorted(written))} and recorded no AuditEvent"
