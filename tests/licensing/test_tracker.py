"""The licensing tracker: checklist, transitions, locking, checks, visits, safety, license, renewals, reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationDocument
from licensing.tracker.models import (
    ITEM_MOVES,
    BackgroundCheck,
    ChecklistItem,
    CheckStatus,
    CheckType,
    HomeStudyVisit,
    ItemStatus,
    RequirementTemplate,
    RequirementType,
    VisitKind,
    VisitStatus,
)
from licensing.tracker.reminders import send_reminders
from licensing.tracker.services import checklists, checks, home_study, safety, visits
from portal.database import now_utc
from portal.models import OutboxMessage, Role, User
from portal.transitions import TransitionRefused
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.conftest import sign_through_emailed_link, submit_complete_application
from tests.support import agency_today, days_ahead


@pytest.fixture
def submitted(app, client, db, applicant_with_application):
    """A family (signed in on `client`) whose complete application was just submitted."""
    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    return user, application_id


@pytest.fixture
def staff(app, make_user):
    homefinder = make_user(Role.HOMEFINDER)
    browser = app.test_client()
    sign_in(browser, homefinder)
    return browser


def items_of(db, application_id: int) -> list[ChecklistItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.application_id == application_id)
                                   .order_by(ChecklistItem.id)))


def item_by_code(db, application_id: int, code: str) -> list[ChecklistItem]:
    return [i for i in items_of(db, application_id) if db.session.get(RequirementTemplate, i.template_id).code == code]


def test_submission_generates_the_checklist_and_the_checks(db, submitted):
    _user, application_id = submitted
    codes = [db.session.get(RequirementTemplate, i.template_id).code for i in items_of(db, application_id)]
    assert codes.count("preservice_training") == 2  # each applicant
    assert codes.count("background_checks") == 3  # each adult: Ana, Luis, Rosa (not the child)
    assert "pet_vaccinations" in codes  # they have a dog
    assert "auto_insurance" not in codes  # they won't drive children
    assert "annual_training" not in codes  # renewal items come with the license
    checks = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application_id)).all()
    assert len(checks) == 3 * 5  # four standard checks each + Texas, where the household lived
    assert {c.state for c in checks if c.check_type is CheckType.OUT_OF_STATE_REGISTRY} == {"TX"}


def test_family_sees_progress_whats_next_and_masked_checks(client, db, submitted):
    _user, application_id = submitted
    check = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application_id)).first()
    check.status = CheckStatus.EXEMPTION_REQUIRED
    db.session.commit()
    page = text_of(client.get("/licensing/checklist"))
    assert "0 of 18 items done" in page
    assert "What's next" in page and "Background checks" in page
    assert "Exemption required" not in page and "In review" in page


def test_every_transition_is_checked(app, db, submitted, make_user):
    _user, application_id = submitted
    staff_user = make_user(Role.HOMEFINDER)
    household_id = db.session.get(Application, application_id).household_id
    with app.test_request_context():
        for start in ItemStatus:
            for target in ItemStatus:
                item = item_by_code(db, application_id, "medical_statement")[0]
                item = tracker_db_item(item.id)
                item.status = start
                allowed = ITEM_MOVES.allows(start, target)
                try:
                    checklists.change_item_status(staff_user, item, target, household_id=household_id,
                                                  expected_version=item.version,
                                                  reason="needed" if target in ITEM_MOVES.needs_reason else "")
                except TransitionRefused:
                    assert not allowed, (start, target)
                else:
                    assert allowed, (start, target)
                from portal.extensions import db as portal_db

                portal_db.session.rollback()


def tracker_db_item(item_id: int) -> ChecklistItem:
    from portal.extensions import db as portal_db

    return portal_db.session.get(ChecklistItem, item_id)


def test_a_refused_item_change_comes_back_open_with_what_was_chosen_and_typed(staff, db, submitted):
    """A waiver without a reason, an approval without its receipt: the item's form opens again with the status
    chosen and what was typed, the missing reason said under its box (it came back closed and reset)."""
    _user, application_id = submitted
    fee = item_by_code(db, application_id, "fingerprinting_fee")[0]
    url = f"/licensing/staff/items/{fee.id}"
    page = post_form(staff, url, {"version": str(fee.version), "status": "waived", "reason": "  "})
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    form = body[body.index(f'action="{url}"') - 400:body.index(f'action="{url}"') + 4000]
    assert "<details class=\"mt-1\" open>" in form
    assert '<option value="waived" selected>' in form
    assert f'id="reason-{fee.id}-error"' in form and "Give a reason the family will see." in form
    assert post_form(staff, url, {"version": str(fee.version), "status": "in_progress"}).status_code == 303
    db.session.expire_all()
    fee = db.session.get(ChecklistItem, fee.id)
    page = post_form(staff, url, {"version": str(fee.version), "status": "approved", "payment_method": "cash",
                                  "receipt_number": ""})
    body = page.get_data(as_text=True)
    form = body[body.index(f'action="{url}"') - 400:body.index(f'action="{url}"') + 4000]
    assert page.status_code == 422 and "<details class=\"mt-1\" open>" in form
    assert '<option value="approved" selected>' in form and '<option value="cash" selected>' in form


def test_a_receipt_is_recorded_on_a_waived_item_without_a_new_reason(staff, db, submitted):
    """Details on an item whose status stays (a waived fee's receipt) need no reason: only a move to returned or
    waived does (the review of the re-rendered form found the view asking for one)."""
    _user, application_id = submitted
    fee = item_by_code(db, application_id, "fingerprinting_fee")[0]
    url = f"/licensing/staff/items/{fee.id}"
    assert post_form(staff, url, {"version": str(fee.version), "status": "waived",
                                  "reason": "Paid by the county."}).status_code == 303
    db.session.expire_all()
    fee = db.session.get(ChecklistItem, fee.id)
    response = post_form(staff, url, {"version": str(fee.version), "status": "waived", "payment_method": "cash",
                                      "receipt_number": "R-77"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ChecklistItem, fee.id).receipt_number == "R-77"


def test_a_waiver_needs_a_reason_and_approval_needs_the_data(staff, db, submitted):
    _user, application_id = submitted
    fee = item_by_code(db, application_id, "fingerprinting_fee")[0]
    url = f"/licensing/staff/items/{fee.id}"
    response = post_form(staff, url, {"version": str(fee.version), "status": "waived", "reason": ""})
    assert response.status_code == 422 and "Give a reason the family will see." in text_of(response)
    response = post_form(staff, url, {"version": str(fee.version), "status": "in_progress"})
    fee = items_of(db, application_id)[[i.id for i in items_of(db, application_id)].index(fee.id)]
    response = post_form(staff, url, {"version": str(fee.version), "status": "approved"})
    assert response.status_code == 422 and "receipt number" in text_of(response)
    response = post_form(staff, url, {"version": str(fee.version), "status": "approved", "payment_method": "cash",
                                      "receipt_number": "R-1001"})
    assert response.status_code == 303
    training = item_by_code(db, application_id, "preservice_training")[0]
    post_form(staff, f"/licensing/staff/items/{training.id}", {"version": str(training.version),
                                                                "status": "in_progress"})
    db.session.expire_all()
    training = db.session.get(ChecklistItem, training.id)
    response = post_form(staff, f"/licensing/staff/items/{training.id}", {
        "version": str(training.version), "status": "approved", "hours": "12"})
    # The agency's training rule sets the pre-service hours (27 by default: training/hours, migration b16e0007).
    assert "Record at least 27 hours" in text_of(response)
    check_item = item_by_code(db, application_id, "background_checks")[0]
    post_form(staff, f"/licensing/staff/items/{check_item.id}", {"version": str(check_item.version),
                                                                  "status": "submitted"})
    db.session.expire_all()
    check_item = db.session.get(ChecklistItem, check_item.id)
    response = post_form(staff, f"/licensing/staff/items/{check_item.id}", {
        "version": str(check_item.version), "status": "approved"})
    assert "Every background check of this person must be cleared first." in text_of(response)


def test_second_save_of_the_same_item_is_told_it_changed(app, staff, db, submitted, make_user):
    _user, application_id = submitted
    other = app.test_client()
    sign_in(other, make_user(Role.HOMEFINDER))
    item = item_by_code(db, application_id, "cpr_first_aid")[0]
    first = post_form(staff, f"/licensing/staff/items/{item.id}", {"version": str(item.version),
                                                                    "status": "submitted"})
    assert first.status_code == 303
    second = post_form(other, f"/licensing/staff/items/{item.id}", {"version": str(item.version),
                                                                     "status": "waived", "reason": "Not needed"})
    assert second.status_code == 409
    assert "Someone else changed this item" in text_of(second)
    db.session.expire_all()
    assert db.session.get(ChecklistItem, item.id).status is ItemStatus.SUBMITTED  # not silently overwritten
    # The page shows the item as it is now, to decide again: not the choice just refused, with the new version.
    body = second.get_data(as_text=True)
    form = body[body.index(f'action="/licensing/staff/items/{item.id}"') - 400:][:4000]
    assert '<option value="waived" selected>' not in form and '<option value="submitted" selected>' in form


def test_background_checks_are_updated_with_locking(app, staff, db, submitted):
    _user, application_id = submitted
    check = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application_id)).first()
    assert post_form(staff, f"/licensing/staff/checks/{check.id}", {"version": str(check.version),
                                                                     "status": "cleared"}).status_code == 303
    stale = post_form(staff, f"/licensing/staff/checks/{check.id}", {"version": str(check.version),
                                                                      "status": "pending"})
    assert stale.status_code == 409


def test_visits_are_proposed_chosen_reminded_and_completed(app, client, staff, db, submitted):
    _user, application_id = submitted
    response = post_form(staff, f"/licensing/staff/applications/{application_id}/visits", {
        "kind": "home_safety_inspection", "slot_1": days_ahead(40), "slot_2": days_ahead(41, "15:30")})
    assert response.status_code == 303
    visit = db.session.scalar(select(HomeStudyVisit))
    slots = db.session.execute(select(HomeStudyVisit).where(HomeStudyVisit.id == visit.id)).scalar_one()
    assert slots.status is VisitStatus.PROPOSED
    from licensing.tracker.models import VisitSlot

    slot = db.session.scalars(select(VisitSlot).where(VisitSlot.visit_id == visit.id)
                              .order_by(VisitSlot.starts_at)).all()[1]
    assert post_form(client, f"/licensing/visits/{visit.id}/choose", {"slot": str(slot.id)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(HomeStudyVisit, visit.id).status is VisitStatus.SCHEDULED
    templates = [m.template for m in db.session.scalars(select(OutboxMessage))]
    assert templates.count("visit_scheduled") == 2  # family and homefinder
    with app.app_context(), time_machine.travel(slot.starts_at - timedelta(hours=20), tick=False):
        from portal.extensions import db as portal_db

        first = send_reminders(agency_today())
        again = send_reminders(agency_today())
        portal_db.commit()
    assert first["visits"] == 1 and again["visits"] == 0
    assert post_form(staff, f"/licensing/staff/visits/{visit.id}/complete", {"notes": "All good"}).status_code == 303


def test_inspection_corrections_become_family_items_and_self_check_is_kept(client, staff, db, submitted):
    _user, application_id = submitted
    answers = {f"{code}_result": "pass" for code in safety.SAFETY_ITEMS}
    answers["co_detectors_result"] = "no"
    assert post_form(client, "/licensing/safety-self-check", answers).status_code == 422
    answers["co_detectors_result"] = "needs_correction"
    assert post_form(client, "/licensing/safety-self-check", answers).status_code == 303
    answers["co_detectors_note"] = "Add a CO detector near the bedrooms"
    assert post_form(staff, f"/licensing/staff/applications/{application_id}/safety", answers).status_code == 303
    page = text_of(client.get("/licensing/checklist"))
    assert "Home safety correction: Add a CO detector near the bedrooms" in page


def approve_everything(app, db, application_id: int, staff_user: User) -> None:
    """Bring every initial item to approved with the data each needs (completed visits, cleared checks...)."""
    from portal.extensions import db as portal_db

    with app.test_request_context():
        application = tracker_application(application_id)
        household_id = application.household_id
        for check in portal_db.session.scalars(select(BackgroundCheck)):
            checks.update_check(staff_user, check, CheckStatus.CLEARED, household_id=household_id)
        for kind in ("home_safety_inspection", "individual_interview", "joint_interview"):
            visit = HomeStudyVisit(application_id=application_id, kind=VisitKind(kind), homefinder_id=staff_user.id,
                                   starts_at=now_utc(), status=VisitStatus.PROPOSED)
            portal_db.session.add(visit)
            visits.change_visit_status(staff_user, visit, VisitStatus.SCHEDULED, household_id=household_id)
            visits.complete_visit(staff_user, visit, "", household_id)
        home_study.save_report(staff_user, application, None, {"recommendation": "Approve"})
        home_study.approve_report(staff_user, home_study.report_for(application_id), household_id)
        for item in checklists.load_checklist(application_id, cycle=0).items:
            if item.template.type is RequirementType.FEE:
                item.payment_method, item.receipt_number = "check", "C-9"
            if item.template.type is RequirementType.TRAINING_HOURS:
                item.hours_completed = 30
            if item.status is not ItemStatus.SUBMITTED:
                checklists.change_item_status(staff_user, item, ItemStatus.SUBMITTED, household_id=household_id)
            checklists.change_item_status(staff_user, item, ItemStatus.APPROVED, household_id=household_id)
        portal_db.commit()


def tracker_application(application_id: int):
    from licensing.application.services import load_application

    return load_application(application_id)


def test_license_issue_makes_a_licensed_family_with_renewals_and_reminders(app, client, db, submitted,
                                                                            make_user):
    user, application_id = submitted
    admin = make_user(Role.ADMIN)
    supervisor = app.test_client()
    sign_in(supervisor, admin)
    early = post_form(supervisor, f"/licensing/staff/applications/{application_id}/license", {})
    assert early.status_code == 409  # not every item is approved yet
    approve_everything(app, db, application_id, admin)
    page = supervisor.get(f"/licensing/staff/applications/{application_id}/checklist")
    assert "Issue the license" in text_of(page)
    effective = agency_today()
    bad = post_form(supervisor, f"/licensing/staff/applications/{application_id}/license", {
        "number": "FH-1", "type": "foster", "capacity": "2", "age_min": "5", "age_max": "3",
        "effective_on": effective.isoformat(), "expires_on": effective.isoformat()})
    assert bad.status_code == 422
    assert "The oldest age can't be lower than the youngest age." in text_of(bad)
    good = post_form(supervisor, f"/licensing/staff/applications/{application_id}/license", {
        "number": "FH-2026-0042", "type": "foster", "capacity": "2", "age_min": "0", "age_max": "10",
        "effective_on": effective.isoformat(), "expires_on": (effective + timedelta(days=365)).isoformat()})
    assert good.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).role is Role.FAMILY
    renewal = db.session.scalars(select(ChecklistItem).where(ChecklistItem.cycle == 1)).all()
    assert len(renewal) == 3  # annual training for each applicant, annual inspection
    assert all(i.due_date <= effective + timedelta(days=365 - 60) for i in renewal)
    sign_in(client, user)  # the role changed: signing in again
    page = text_of(client.get("/licensing/checklist"))
    assert "Licensed" in page and "FH-2026-0042" in page

    with app.app_context():
        from portal.extensions import db as portal_db

        later = effective + timedelta(days=365 - 80)  # license expires in 80 days: the 90-day reminder
        first = send_reminders(later)
        again = send_reminders(later)
        portal_db.commit()
    assert first["licenses"] == 1 and again == {"items": 0, "licenses": 0, "visits": 0, "expired": 0}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "license_reminder")) == 1


def test_send_reminders_command_is_idempotent(app, db, submitted):
    runner = app.test_cli_runner()
    far = (agency_today() + timedelta(days=200)).isoformat()  # everything is overdue by then
    first = runner.invoke(args=["send-reminders", "--today", far])
    second = runner.invoke(args=["send-reminders", "--today", far])
    assert first.exit_code == 0 and "items: 18" in first.output
    assert "items: 0" in second.output


def test_admin_edits_requirements_used_by_new_checklists(app, db, make_user):
    admin = make_user(Role.ADMIN)
    browser = app.test_client()
    sign_in(browser, admin)
    assert "Pre-service training" in text_of(browser.get("/licensing/admin/requirements"))
    data = {"code": "tb_test", "type": "document", "scope": "each_applicant", "stage": "documents",
            "title_en": "TB test", "title_es": "Prueba de tuberculosis", "explanation_en": "", "explanation_es": "",
            "due_days": "60", "active": "y"}
    assert post_form(browser, "/licensing/admin/requirements/new", data).status_code == 303
    duplicate = post_form(browser, "/licensing/admin/requirements/new", data)
    assert duplicate.status_code == 422 and "Another requirement already uses this code." in text_of(duplicate)
    assert db.session.scalar(select(RequirementTemplate).where(RequirementTemplate.code == "tb_test")).active


def test_checklist_pages_run_a_fixed_number_of_queries(client, staff, db, submitted, count_queries):
    _user, application_id = submitted
    urls = [(client, "/licensing/checklist"), (staff, f"/licensing/staff/applications/{application_id}/checklist")]
    counts = []
    for who, url in urls:
        with count_queries() as counter:
            assert who.get(url).status_code == 200
        counts.append(counter.count)
    db.session.add_all([BackgroundCheck(application_id=application_id, member_id=m.member_id,
                                        check_type=CheckType.OUT_OF_STATE_REGISTRY, state=state,
                                        requested_on=agency_today())
                        for m in db.session.scalars(select(BackgroundCheck).where(
                            BackgroundCheck.check_type == CheckType.FBI)) for state in ("AZ", "NV", "OR")])
    db.session.commit()
    for who, url in urls:
        with count_queries() as counter:
            who.get(url)
        assert counter.count == counts.pop(0), url


def test_another_household_cannot_touch_this_households_visits_or_items(app, db, submitted, staff,
                                                                        applicant_with_application):
    _user, application_id = submitted
    post_form(staff, f"/licensing/staff/applications/{application_id}/visits", {
        "kind": "joint_interview", "slot_1": days_ahead(40)})
    visit = db.session.scalar(select(HomeStudyVisit))
    from licensing.tracker.models import VisitSlot

    slot = db.session.scalar(select(VisitSlot).where(VisitSlot.visit_id == visit.id))
    other_user, _ = applicant_with_application()
    other = app.test_client()
    sign_in(other, other_user)
    assert post_form(other, f"/licensing/visits/{visit.id}/choose", {"slot": str(slot.id)}).status_code == 404
    item = items_of(db, application_id)[0]
    assert post_form(other, f"/licensing/staff/items/{item.id}", {"version": "1", "status": "waived",
                                                                   "reason": "x"}).status_code == 404
    assert "0 of" not in text_of(other.get("/licensing/checklist"))  # B has no checklist yet, never A's


def test_expired_items_reopen_and_new_adults_get_their_items(app, client, staff, db, submitted):
    _user, application_id = submitted
    item = item_by_code(db, application_id, "pet_vaccinations")[0]
    post_form(staff, f"/licensing/staff/items/{item.id}", {"version": str(item.version), "status": "submitted"})
    db.session.expire_all()
    item = db.session.get(ChecklistItem, item.id)
    post_form(staff, f"/licensing/staff/items/{item.id}", {"version": str(item.version), "status": "approved"})
    db.session.expire_all()
    expires = db.session.get(ChecklistItem, item.id).expires_on
    assert expires is not None  # renews every 12 months
    with app.app_context():
        from portal.extensions import db as portal_db

        counts = send_reminders(expires + timedelta(days=1))
        portal_db.commit()
    assert counts["expired"] == 1
    db.session.expire_all()
    assert db.session.get(ChecklistItem, item.id).status is ItemStatus.EXPIRED

    # A new adult moves in: the household section is reopened, updated, and the application sent again.
    post_form(staff, f"/licensing/staff/applications/{application_id}/reopen",
              {"section": "household", "note": "Add your brother who moved in."})
    from tests.licensing.conftest import SECTION_ANSWERS

    answers = dict(SECTION_ANSWERS["household"], **{
        "members-2-first_name": "Diego", "members-2-last_name": "Torres", "members-2-birth_date": "1990-07-07",
        "members-2-relationship": "Brother", "members-2-email": "diego@example.com"})
    assert post_form(client, "/licensing/application/section/household", answers).status_code == 303
    from licensing.application.models import HouseholdMember, MemberRole

    for member in db.session.scalars(select(HouseholdMember).where(HouseholdMember.role != MemberRole.OTHER)):
        if member.role is MemberRole.PRIMARY:
            post_form(client, "/licensing/application/sign", {"member_id": str(member.id),
                                                              "typed_name": member.full_name})
        else:  # the co-applicant was emailed a new link when the change cleared the signatures
            sign_through_emailed_link(client, db, member, send=False)
    diego = db.session.scalar(select(HouseholdMember).where(HouseholdMember.first_name == "Diego"))
    from tests.licensing.conftest import upload

    upload(client, f"photo_id:{diego.id}")
    assert post_form(client, "/licensing/application/submit").status_code == 303
    codes = [db.session.get(RequirementTemplate, i.template_id).code for i in items_of(db, application_id)
             if i.member_id == diego.id]
    assert sorted(codes) == ["background_checks", "fingerprinting_fee"]
    assert db.session.scalar(select(func.count()).select_from(BackgroundCheck)
                             .where(BackgroundCheck.member_id == diego.id)) == 5


def test_home_study_write_up_is_staff_only_until_approved(app, client, staff, db, submitted, make_user):
    _user, application_id = submitted
    url = f"/licensing/staff/applications/{application_id}/home-study"
    assert post_form(staff, url, {"family_background": "Confidential draft notes", "version": ""}).status_code == 303
    assert "Confidential draft notes" not in client.get("/licensing/checklist").get_data(as_text=True)
    assert client.get(url).status_code == 404
    supervisor = app.test_client()
    sign_in(supervisor, make_user(Role.ADMIN))
    assert post_form(supervisor, f"{url}/approve").status_code == 303
    assert "Confidential draft notes" in client.get("/licensing/checklist").get_data(as_text=True)


def test_family_sends_a_document_for_an_item_and_application_documents_count(app, client, staff, db, submitted):
    _user, application_id = submitted
    # The medical statements and pet records sent with the application are not asked for again.
    assert {i.status for i in item_by_code(db, application_id, "medical_statement")} == {ItemStatus.SUBMITTED}
    assert item_by_code(db, application_id, "pet_vaccinations")[0].status is ItemStatus.SUBMITTED
    cpr = item_by_code(db, application_id, "cpr_first_aid")[0]
    assert cpr.status is ItemStatus.NOT_STARTED
    import io

    from tests.conftest import csrf_token
    from tests.licensing.conftest import PDF, PNG

    def send(content, name):
        return client.post(f"/licensing/checklist/items/{cpr.id}/document", data={
            "csrf_token": csrf_token(client), "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")

    assert send(PNG, "card.pdf").status_code == 303
    assert "does not match what it contains" in text_of(client.get("/licensing/checklist"))
    assert send(PDF, "cpr-card.pdf").status_code == 303
    db.session.expire_all()
    assert db.session.get(ChecklistItem, cpr.id).status is ItemStatus.SUBMITTED
    assert "cpr-card.pdf" in text_of(staff.get(f"/licensing/staff/applications/{application_id}/checklist"))
    again = send(PDF, "again.pdf")  # already sent: the agency reviews it now
    assert again.status_code == 303
    assert "We already have a file for this item; the agency is reviewing it." in text_of(
        client.get("/licensing/checklist"))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)
                             .where(ApplicationDocument.checklist_item_id == cpr.id)) == 1

    # This year's pet records, sent for the returned checklist item, are the application's pet records too.
    pets = item_by_code(db, application_id, "pet_vaccinations")[0]
    assert post_form(staff, f"/licensing/staff/items/{pets.id}", {
        "version": str(pets.version), "status": "returned", "reason": "Last year's records"}).status_code == 303
    response = client.post(f"/licensing/checklist/items/{pets.id}/document", data={
        "csrf_token": csrf_token(client), "file": (io.BytesIO(PDF), "pets-2026.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    overview = text_of(client.get("/licensing/application"))
    assert "pets-2026.pdf" in overview


def test_histories_say_what_each_event_is_about_in_words(app, staff, db, submitted, make_user):
    """The checklist's history names the check and whose it is; the application's names the homefinder assigned;
    the audit log says from what to what."""
    from licensing.application.models import HouseholdMember

    _user, application_id = submitted
    check = db.session.scalars(select(BackgroundCheck).where(BackgroundCheck.application_id == application_id,
                                                             BackgroundCheck.check_type == CheckType.FBI)
                               .order_by(BackgroundCheck.id)).first()
    member = db.session.get(HouseholdMember, check.member_id)
    assert post_form(staff, f"/licensing/staff/checks/{check.id}", {"version": str(check.version),
                                                                     "status": "cleared"}).status_code == 303
    page = text_of(staff.get(f"/licensing/staff/applications/{application_id}/checklist"))
    assert f"FBI fingerprints — {member.full_name} — Status changed: Requested → Cleared" in page
    assignee = make_user(Role.HOMEFINDER, full_name="Dana Assignee")
    assert post_form(staff, f"/licensing/staff/applications/{application_id}/assign",
                     {"homefinder_id": str(assignee.id)}).status_code == 303
    assert "Homefinder assigned (Dana Assignee)" in text_of(staff.get(f"/licensing/staff/applications/"
                                                                      f"{application_id}"))
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    assert "Status changed: Requested → Cleared" in text_of(admin.get("/admin/audit"))


def test_two_homefinders_writing_the_home_study_never_overwrite_each_other(app, staff, db, submitted, make_user):
    _user, application_id = submitted
    url = f"/licensing/staff/applications/{application_id}/home-study"
    other = app.test_client()
    sign_in(other, make_user(Role.HOMEFINDER))
    other.get(url)  # both open the empty write-up
    assert post_form(staff, url, {"family_background": "First homefinder's notes", "version": ""}).status_code == 303
    clash = post_form(other, url, {"family_background": "Second homefinder's notes", "version": ""})
    assert clash.status_code == 409
    page = text_of(clash)
    assert "Someone else saved this write-up while you were writing" in page
    assert "Second homefinder's notes" in page and "First homefinder's notes" in page  # both kept in view
    db.session.expire_all()
    from licensing.tracker.models import HomeStudyReport

    report = db.session.scalar(select(HomeStudyReport))
    assert report.sections["family_background"] == "First homefinder's notes"
    version = re.search(r'name="version"[^>]*value="(\d+)"', clash.get_data(as_text=True)).group(1)
    assert post_form(other, url, {"family_background": "Second homefinder's notes",
                                  "version": version}).status_code == 303  # a deliberate second save
    db.session.expire_all()
    assert db.session.get(HomeStudyReport, report.id).sections["family_background"] == "Second homefinder's notes"


def test_a_refused_item_file_is_said_in_its_own_row_and_an_item_takes_several_pages(app, client, db, submitted):
    """As the application's document rows: the reason beside the item (role=alert, the input autofocused and
    described by it, kept for one page view, no #fragment that would stop autofocus), each adult's row labelled
    with their name, and a photo of each page kept together as one document."""
    import io

    from licensing.application.models import DocumentPage, HouseholdMember
    from tests.conftest import csrf_token
    from tests.licensing.conftest import PNG

    _user, application_id = submitted
    cprs = item_by_code(db, application_id, "cpr_first_aid")
    assert len(cprs) == 2
    cpr = cprs[0]

    def send(files):
        return client.post(f"/licensing/checklist/items/{cpr.id}/document", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(client),
                                 "file": [(io.BytesIO(content), name) for content, name in files]})

    response = send([(b"MZ\x90\x00 a program", "card.pdf")])
    assert response.status_code == 303 and response.headers["Location"].endswith("/licensing/checklist")
    body = client.get("/licensing/checklist").get_data(as_text=True)
    row = re.search(rf'<li id="item-{cpr.id}".*?</li>', body, re.S).group(0)
    alert = re.search(r'<div id="file-\d+-error"[^>]*role="alert"[^>]*>(.*?)</div>', row, re.S)
    assert alert and "not a PDF" in alert.group(1)
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', row).group(0)
    assert " autofocus" in file_input and 'aria-invalid="true"' in file_input and " multiple" in file_input
    assert f'aria-describedby="file-{cpr.id}-error"' in file_input
    assert body.count('role="alert"') == 1 and body.count(" autofocus") == 1
    # Said once: the next view of the page is calm.
    assert 'role="alert"' not in client.get("/licensing/checklist").get_data(as_text=True)

    # Each adult's CPR row is labelled with that adult's name.
    for item in cprs:
        name = db.session.get(HouseholdMember, item.member_id).full_name
        label = re.search(rf'<label[^>]*for="file-{item.id}"[^>]*>(.*?)</label>', body, re.S).group(1)
        assert name in label

    assert send([(PNG, "card-front.png"), (PNG, "card-back.png")]).status_code == 303
    document = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.checklist_item_id == cpr.id))
    pages = db.session.scalars(select(DocumentPage).where(DocumentPage.document_id == document.id)).all()
    assert document.original_name == "card-front.png" and [p.original_name for p in pages] == ["card-back.png"]
    assert "2 pages:" in text_of(client.get("/licensing/checklist"))


def test_the_staff_checklist_runs_the_same_statements_however_much_was_done(staff, db, submitted, count_queries):
    """Visits with their offered times, items edited by a homefinder, a history with actors and documents are joined
    in, not loaded by a query of their own once they exist: the page costs as much on the first day as later."""
    _user, application_id = submitted
    url = f"/licensing/staff/applications/{application_id}/checklist"

    def statements() -> int:
        staff.get(url)
        with count_queries() as counter:
            assert staff.get(url).status_code == 200
        return counter.count

    before = statements()
    item = item_by_code(db, application_id, "cpr_first_aid")[0]
    assert post_form(staff, f"/licensing/staff/items/{item.id}", {"version": str(item.version),
                                                                   "status": "submitted"}).status_code == 303
    assert post_form(staff, f"/licensing/staff/applications/{application_id}/visits", {
        "kind": "home_safety_inspection", "slot_1": days_ahead(40), "slot_2": days_ahead(41, "15:30")}
    ).status_code == 303
    page = staff.get(url)
    assert page.status_code == 200 and "Home safety inspection" in text_of(page)
    assert statements() == before
    assert before <= 20, before
