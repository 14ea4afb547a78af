"""Deny by default: every endpoint declares who may use it, and the matrix pins what each role gets.

Every route that names a record by id is tried against a REAL record (tests/portal/access_records.py): a role that
may not see it gets 404 although it exists, and a role that may gets the page (or, for a POST, the record's own
answer: a redirect, a form error, a refusal). So widening a role on an id route fails here, instead of hiding behind
the 404 of an id that doesn't exist.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from portal.access import AccessRule, public, rule_for
from portal.models import Role, SignedInSession, User
from tests.conftest import config_for_tests, post_form, sign_in
from tests.portal.access_records import AccessRecords, build_access_records, household_user, open_application_for
from tests.support import db_session_of, start_session_key

ROLES = ["anonymous", "applicant", "family", "homefinder", "coordinator", "admin"]
LOGIN = "login"  # a 302 to the sign-in page
# What every POST of the matrix sends (with a valid CSRF token) unless its row says otherwise.
DEFAULT_FORM = {"language": "es", "next": "/"}


class Probe(NamedTuple):
    method: str
    url: str  # "{lead_id}" and the like name a record of AccessRecords
    expected: list[int | str]  # per role, in ROLES order
    form: dict[str, str] | None = None  # POST data; its values are formatted like the url


# endpoint -> probe. A new endpoint fails test_every_endpoint_is_in_the_matrix until a row is added here.
# On id routes the applicant and family are people of ANOTHER household; the owning household is
# test_the_owning_family_gets_through's.
MATRIX: dict[str, Probe] = {
    "static": Probe("GET", "/static/app.css", [200] * 6),
    "bootstrap.static": Probe("GET", "/bootstrap/static/css/bootstrap.min.css", [200] * 6),
    "portal.home": Probe("GET", "/", [200] * 6),
    "portal.healthz": Probe("GET", "/healthz", [200] * 6),
    "portal.favicon": Probe("GET", "/favicon.ico", [200] * 6),
    "portal.set_language": Probe("POST", "/language", [302] * 6),  # back to the page it was used on
    "portal.login": Probe("GET", "/login", [200, 302, 302, 302, 302, 302]),
    "portal.logout": Probe("POST", "/logout", [LOGIN, 302, 302, 302, 302, 302]),
    "portal.register": Probe("GET", "/register", [200, 302, 302, 302, 302, 302]),
    "portal.confirm_email": Probe("GET", "/confirm/not-a-token", [400] * 6),
    "portal.resend_confirmation": Probe("GET", "/confirm/resend", [200] * 6),
    "portal.forgot_password": Probe("GET", "/password/forgot", [200] * 6),
    "portal.reset_password": Probe("GET", "/password/reset/not-a-token", [400] * 6),
    "portal.accept_invitation": Probe("GET", "/invitation/not-a-token", [400] * 6),
    "portal.dashboard": Probe("GET", "/dashboard", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.profile": Probe("GET", "/account", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.change_password": Probe("GET", "/account/password", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.signed_in_check": Probe("GET", "/account/signed-in", [LOGIN, 200, 200, 200, 200, 200]),
    # Between the password and the second step nobody is signed in: without a password just passed, both go back.
    "portal.second_step": Probe("GET", "/login/code", [302] * 6),
    "portal.set_up_second_step": Probe("GET", "/login/set-up", [302, 200, 200, 302, 302, 302]),
    "portal.account_sessions": Probe("GET", "/account/sessions", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.end_own_session": Probe("POST", "/account/sessions/{signed_in_session_id}/end",
                                    [LOGIN, 404, 404, 404, 404, 404]),
    "portal.end_other_sessions": Probe("POST", "/account/sessions/end-others", [LOGIN, 303, 303, 303, 303, 303]),
    "portal.end_session_from_email": Probe("GET", "/account/sessions/end/{end_session_token}", [200] * 6),
    "portal.admin_end_sessions": Probe("POST", "/admin/people/{owner_id}/sessions/end",
                                       [LOGIN, 404, 404, 404, 404, 303], {"end-reason": "Lost laptop"}),
    "portal.admin_reset_second_step": Probe("POST", "/admin/people/{owner_id}/second-step/reset",
                                            [LOGIN, 404, 404, 404, 404, 303], {"reset-reason": "Lost phone"}),
    "portal.two_step_settings": Probe("GET", "/account/two-step", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.new_recovery_codes": Probe("POST", "/account/two-step/recovery-codes", [LOGIN, 422, 422, 422, 422, 422]),
    "portal.turn_off_second_step": Probe("POST", "/account/two-step/off", [LOGIN, 422, 422, 303, 303, 303]),
    # Passkeys (JSON from static/js/passkeys.js): the matrix's form body is no credential, so a signed-in person's
    # add is refused with 400; the sign-in ones need a password just passed in this browser, else 400.
    "portal.passkey_registration_options": Probe("POST", "/account/passkeys/options", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.add_passkey": Probe("POST", "/account/passkeys", [LOGIN, 400, 400, 400, 400, 400]),
    "portal.remove_passkey": Probe("POST", "/account/passkeys/{passkey_id}/remove", [LOGIN, 404, 404, 404, 404, 404]),
    "portal.passkey_sign_in_options": Probe("POST", "/login/passkey/options", [400] * 6),
    "portal.passkey_sign_in": Probe("POST", "/login/passkey", [400] * 6),
    "portal.admin_people": Probe("GET", "/admin/people", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_invite_staff": Probe("GET", "/admin/people/invite", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_person": Probe("GET", "/admin/people/{owner_id}", [LOGIN, 404, 404, 404, 404, 200]),
    "portal.admin_outbox": Probe("GET", "/admin/outbox", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_audit": Probe("GET", "/admin/audit", [LOGIN, 403, 403, 403, 403, 200]),
    # Licensing: public pages and emailed links (a bad token is a clear 400 for everyone).
    "licensing.inquiry": Probe("GET", "/licensing/inquiry", [200] * 6),
    "licensing.public_sessions": Probe("GET", "/licensing/sessions", [200] * 6),
    "licensing.rsvp": Probe("GET", "/licensing/rsvp/not-a-token", [400] * 6),
    "licensing.start_application": Probe("GET", "/licensing/start/not-a-token", [400] * 6),
    "licensing.reference_answer": Probe("GET", "/licensing/reference/not-a-token", [400] * 6),
    "licensing.adult_part": Probe("GET", "/licensing/household-member/not-a-token", [400] * 6),
    "licensing.sign_by_link": Probe("GET", "/licensing/sign/not-a-token", [400] * 6),
    "licensing.signed_by_link": Probe("GET", "/licensing/signed", [200] * 6),
    # The household's own application (these test users have none open yet).
    "licensing.application_overview": Probe("GET", "/licensing/application", [LOGIN, 200, 200, 403, 403, 403]),
    "licensing.application_section": Probe("GET", "/licensing/application/section/residence",
                                           [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.save_section_draft": Probe("POST", "/licensing/application/section/residence/draft",
                                          [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.upload_document": Probe("POST", "/licensing/application/documents", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.sign_application": Probe("POST", "/licensing/application/sign", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.submit_application": Probe("POST", "/licensing/application/submit", [LOGIN, 404, 404, 403, 403, 403]),
    # Another household's reference, adult and document: families of other households get 404, staff too on the
    # family's own routes; licensing staff read the document (coordinators don't).
    "licensing.resend_reference": Probe("POST", "/licensing/application/references/{reference_id}/resend",
                                        [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.resend_member": Probe("POST", "/licensing/application/members/{member_id}/resend",
                                     [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.send_signature_link": Probe("POST", "/licensing/application/members/{co_applicant_id}/signature-link",
                                           [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.download_document": Probe("GET", "/licensing/documents/{document_id}",
                                         [LOGIN, 404, 404, 200, 404, 200]),
    "licensing.download_document_page": Probe("GET", "/licensing/documents/{document_id}/pages/{page}",
                                              [LOGIN, 404, 404, 200, 404, 200]),
    # Homefinders and supervisors; coordinators work children's cases, not licensing.
    "licensing.staff_leads": Probe("GET", "/licensing/staff/leads", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_lead": Probe("GET", "/licensing/staff/leads/{lead_id}", [LOGIN, 404, 404, 200, 404, 200]),
    # Log a contact: the matrix's default form is not a contact, so staff get the lead's page back with the errors.
    "licensing.staff_log_contact": Probe("POST", "/licensing/staff/leads/{lead_id}/contacts",
                                         [LOGIN, 404, 404, 422, 404, 422]),
    # Recruitment metrics and reports (licensing/pipeline/metrics_views.py): licensing staff only, no record named.
    "licensing.staff_metrics": Probe("GET", "/licensing/staff/metrics", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_reports": Probe("GET", "/licensing/staff/reports", [LOGIN, 403, 403, 302, 403, 302]),
    "licensing.staff_report": Probe("GET", "/licensing/staff/reports/2026-11", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_report_csv": Probe("GET", "/licensing/staff/reports/2026-Q4.csv",
                                        [LOGIN, 403, 403, 200, 403, 200]),
    # Send the invitation again: this lead is applying already, so staff are sent back to its page with a word.
    "licensing.staff_resend_invitation": Probe("POST", "/licensing/staff/leads/{lead_id}/invitation",
                                               [LOGIN, 404, 404, 303, 404, 303]),
    "licensing.pipeline_board": Probe("GET", "/licensing/staff/pipeline", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.pipeline_csv": Probe("GET", "/licensing/staff/pipeline.csv", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.pipeline_bulk": Probe("POST", "/licensing/staff/pipeline/bulk", [LOGIN, 403, 403, 303, 403, 303],
                                     {"lead": "{lead_id}", "action": "assign", "homefinder": "{homefinder_id}"}),
    "licensing.staff_sessions": Probe("GET", "/licensing/staff/sessions", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_session": Probe("GET", "/licensing/staff/sessions/{session_id}",
                                     [LOGIN, 404, 404, 200, 404, 200]),
    # Invite everyone who came: nobody came yet, so staff are sent back to the session's page with a word.
    "licensing.staff_session_invite": Probe("POST", "/licensing/staff/sessions/{session_id}/invite",
                                            [LOGIN, 404, 404, 303, 404, 303], {"all": "1"}),
    # Recruitment events and announcements: licensing staff only; families never see them.
    "licensing.staff_events": Probe("GET", "/licensing/staff/events", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_event": Probe("GET", "/licensing/staff/events/{event_id}", [LOGIN, 404, 404, 200, 404, 200]),
    "licensing.staff_announcements": Probe("GET", "/licensing/staff/announcements",
                                           [LOGIN, 403, 403, 200, 403, 200]),
    # A preview with nothing written: the form is refused (no subject), and nothing is sent by anyone.
    "licensing.staff_new_announcement": Probe("POST", "/licensing/staff/announcements/new",
                                              [LOGIN, 403, 403, 422, 403, 422]),
    "licensing.staff_applications": Probe("GET", "/licensing/staff/applications", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_application": Probe("GET", "/licensing/staff/applications/{application_id}",
                                         [LOGIN, 404, 404, 200, 404, 200]),
    # Most POSTs send DEFAULT_FORM, which isn't a valid form: staff get the page again with the errors (422).
    "licensing.staff_add_note": Probe("POST", "/licensing/staff/applications/{application_id}/notes",
                                      [LOGIN, 404, 404, 422, 404, 422]),
    "licensing.staff_assign": Probe("POST", "/licensing/staff/applications/{application_id}/assign",
                                    [LOGIN, 404, 404, 422, 404, 422]),
    "licensing.staff_reopen_section": Probe("POST", "/licensing/staff/applications/{application_id}/reopen",
                                            [LOGIN, 404, 404, 422, 404, 422]),
    "licensing.staff_review_document": Probe("POST", "/licensing/staff/documents/{document_id}/review",
                                             [LOGIN, 404, 404, 303, 404, 303], {"decision": "accept"}),
    # Licensing tracker.
    "licensing.family_checklist": Probe("GET", "/licensing/checklist", [LOGIN, 200, 200, 403, 403, 403]),
    "licensing.safety_self_check": Probe("GET", "/licensing/safety-self-check", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.send_item_document": Probe("POST", "/licensing/checklist/items/{item_id}/document",
                                          [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.choose_visit_slot": Probe("POST", "/licensing/visits/{visit_id}/choose",
                                         [LOGIN, 404, 404, 404, 404, 404], {"slot": "{slot_id}"}),
    "licensing.staff_checklist": Probe("GET", "/licensing/staff/applications/{application_id}/checklist",
                                       [LOGIN, 404, 404, 200, 404, 200]),
    "licensing.staff_update_item": Probe("POST", "/licensing/staff/items/{item_id}",
                                         [LOGIN, 404, 404, 422, 404, 422]),
    "licensing.staff_update_check": Probe("POST", "/licensing/staff/checks/{check_id}",
                                          [LOGIN, 404, 404, 422, 404, 422]),
    "licensing.staff_propose_visit": Probe("POST", "/licensing/staff/applications/{application_id}/visits",
                                           [LOGIN, 404, 404, 422, 404, 422]),
    # The visit is still proposed (no time chosen): it can't be recorded as completed, a 409 with the reason.
    "licensing.staff_complete_visit": Probe("POST", "/licensing/staff/visits/{visit_id}/complete",
                                            [LOGIN, 404, 404, 409, 404, 409]),
    "licensing.staff_safety": Probe("GET", "/licensing/staff/applications/{application_id}/safety",
                                    [LOGIN, 404, 404, 200, 404, 200]),
    "licensing.staff_home_study": Probe("GET", "/licensing/staff/applications/{application_id}/home-study",
                                        [LOGIN, 404, 404, 200, 404, 200]),
    # Supervisors only. Nothing to approve yet, and the checklist isn't complete: a 409 with the reason.
    "licensing.admin_approve_home_study": Probe("POST",
                                                "/licensing/staff/applications/{application_id}/home-study/approve",
                                                [LOGIN, 404, 404, 404, 404, 409]),
    "licensing.admin_issue_license": Probe("POST", "/licensing/staff/applications/{application_id}/license",
                                           [LOGIN, 404, 404, 404, 404, 409]),
    "licensing.admin_requirements": Probe("GET", "/licensing/admin/requirements", [LOGIN, 403, 403, 403, 403, 200]),
    "licensing.admin_requirement": Probe("GET", "/licensing/admin/requirements/{template_id}",
                                         [LOGIN, 404, 404, 404, 404, 200]),
    "licensing.admin_return_reasons": Probe("GET", "/licensing/admin/return-reasons",
                                            [LOGIN, 403, 403, 403, 403, 200]),
    "licensing.admin_return_reason": Probe("GET", "/licensing/admin/return-reasons/{return_reason_id}",
                                           [LOGIN, 404, 404, 404, 404, 200]),
    # Appointments: the child's coordinator (nobody the matrix signs in) and administrators; the placed family's own
    # routes are tried with their household in tests/appointments/test_access.py.
    "appointments.child_appointments": Probe("GET", "/appointments/child/{child_id}",
                                             [LOGIN, 404, 404, 404, 404, 200]),
    "appointments.new_appointment": Probe("GET", "/appointments/child/{child_id}/new",
                                          [LOGIN, 404, 404, 404, 404, 200]),
    "appointments.edit_appointment": Probe("GET", "/appointments/{appointment_id}/edit",
                                           [LOGIN, 404, 404, 404, 404, 200]),
    "appointments.cancel_appointment": Probe("GET", "/appointments/{appointment_id}/cancel",
                                             [LOGIN, 404, 404, 404, 404, 200]),
    "appointments.upcoming": Probe("GET", "/appointments/upcoming", [LOGIN, 403, 403, 403, 200, 200]),
    "appointments.family_appointments": Probe("GET", "/appointments/family", [LOGIN, 403, 200, 403, 403, 403]),
    "appointments.appointment_ics": Probe("GET", "/appointments/{appointment_id}/calendar.ics",
                                          [LOGIN, 404, 404, 404, 404, 404]),
    "appointments.answer_transport": Probe("POST", "/appointments/{appointment_id}/transport",
                                           [LOGIN, 404, 404, 404, 404, 404], {"answer": "confirmed"}),
    "appointments.issue_feed": Probe("POST", "/appointments/calendar-feed", [LOGIN, 403, 303, 403, 403, 403]),
    "appointments.revoke_feed": Probe("POST", "/appointments/calendar-feed/revoke", [LOGIN, 403, 303, 403, 403, 403]),
    # The private calendar address is its own key: anyone holding it gets the calendar (unknown tokens: 404).
    "appointments.feed": Probe("GET", "/appointments/feed/{feed_token}.ics", [200] * 6),
    # Agency settings (portal/settings.py): administrators only.
    "portal.admin_settings": Probe("GET", "/admin/settings", [LOGIN, 403, 403, 403, 403, 200]),
    # Caregiver reports to the court: the placed family's own (another household's is 404 to everyone here); staff
    # pages for the child's coordinator (not the matrix's) and administrators. Receipt of a report not sent yet: 409.
    "court_reports.family_reports": Probe("GET", "/court-reports/", [LOGIN, 403, 200, 403, 403, 403]),
    "court_reports.family_report": Probe("GET", "/court-reports/{court_report_id}", [LOGIN, 404, 404, 404, 404, 404]),
    "court_reports.staff_reports": Probe("GET", "/court-reports/staff", [LOGIN, 403, 403, 403, 200, 200]),
    "court_reports.staff_report": Probe("GET", "/court-reports/staff/{court_report_id}",
                                        [LOGIN, 404, 404, 404, 404, 200]),
    "court_reports.staff_confirm_receipt": Probe("POST", "/court-reports/staff/{court_report_id}/receive",
                                                 [LOGIN, 404, 404, 404, 404, 409]),
    "court_reports.staff_ask_now": Probe("POST", "/court-reports/staff/ask/{appointment_id}",
                                         [LOGIN, 404, 404, 404, 404, 303]),
    # Mileage: the family's trips and claims; staff's claims (the child's coordinator or administrators).
    "mileage.family_mileage": Probe("GET", "/mileage/", [LOGIN, 403, 200, 403, 403, 403]),
    "mileage.family_new_trip": Probe("GET", "/mileage/trips/new", [LOGIN, 403, 200, 403, 403, 403]),
    "mileage.family_trip": Probe("GET", "/mileage/trips/{trip_id}", [LOGIN, 404, 404, 404, 404, 404]),
    "mileage.family_delete_trip": Probe("POST", "/mileage/trips/{trip_id}/delete", [LOGIN, 404, 404, 404, 404, 404]),
    "mileage.family_new_claim": Probe("GET", "/mileage/claims/new?month=2026-11", [LOGIN, 403, 200, 403, 403, 403]),
    "mileage.family_claim": Probe("GET", "/mileage/claims/{claim_id}", [LOGIN, 404, 404, 404, 404, 404]),
    "mileage.family_resubmit_claim": Probe("POST", "/mileage/claims/{claim_id}/resubmit",
                                           [LOGIN, 404, 404, 404, 404, 404]),
    "mileage.staff_claims": Probe("GET", "/mileage/staff/claims", [LOGIN, 403, 403, 403, 200, 200]),
    "mileage.staff_claim": Probe("GET", "/mileage/staff/claims/{claim_id}", [LOGIN, 404, 404, 404, 404, 200]),
    "mileage.staff_claims_csv": Probe("GET", "/mileage/staff/claims.csv?month=2026-11",
                                      [LOGIN, 403, 403, 403, 200, 200]),
    "mileage.staff_new_trip": Probe("GET", "/mileage/staff/trips/new", [LOGIN, 403, 403, 403, 200, 200]),
    # Payments (training/payments). Stripe is not set up in the matrix: the owning family's pay is refused (409).
    "training.pay_enrollment": Probe("POST", "/training/payments/enrollments/{payment_enrollment_id}/pay",
                                     [LOGIN, 404, 404, 404, 404, 404]),
    "training.pay_fee_item": Probe("POST", "/training/payments/fee-items/{fee_item_id}/pay",
                                   [LOGIN, 404, 404, 404, 404, 404]),
    "training.payment_done": Probe("GET", "/training/payments/{payment_id}/done", [LOGIN, 404, 404, 404, 404, 404]),
    "training.my_payments": Probe("GET", "/training/payments", [LOGIN, 200, 200, 403, 403, 403]),
    # Public, CSRF-exempt, and refused without Stripe's signature.
    "training.stripe_webhook": Probe("POST", "/training/payments/stripe/webhook", [400] * 6),
    "training.staff_payments": Probe("GET", "/training/staff/payments", [LOGIN, 403, 403, 200, 403, 200]),
    "training.staff_owed_seats": Probe("GET", "/training/staff/payments/owed-seats", [LOGIN, 403, 403, 200, 403, 200]),
    "training.settle_enrollment": Probe("GET", "/training/staff/payments/enrollments/{payment_enrollment_id}/settle",
                                        [LOGIN, 404, 404, 200, 404, 200]),
    "training.settle_fee_item": Probe("GET", "/training/staff/payments/fee-items/{fee_item_id}/settle",
                                      [LOGIN, 404, 404, 200, 404, 200]),
    "training.admin_fee_amounts": Probe("GET", "/training/admin/fees", [LOGIN, 403, 403, 403, 403, 200]),
    # Placed children (portal/children): coordinators work their own caseload (the matrix's coordinator has none of
    # these children: 404), administrators every child; homefinders never; families only the child placed with them.
    "children.caseload": Probe("GET", "/children/", [LOGIN, 403, 403, 403, 200, 200]),
    "children.new_child": Probe("GET", "/children/new", [LOGIN, 403, 403, 403, 200, 200]),
    "children.handover": Probe("GET", "/children/handover", [LOGIN, 403, 403, 403, 403, 200]),
    "children.child": Probe("GET", "/children/{child_id}", [LOGIN, 404, 404, 404, 404, 200]),
    "children.edit_child": Probe("GET", "/children/{child_id}/edit", [LOGIN, 404, 404, 404, 404, 200]),
    # The default form is no status change (no version): the child's page again with the reason (422).
    "children.change_status": Probe("POST", "/children/{child_id}/status", [LOGIN, 404, 404, 404, 404, 422]),
    "children.assign_child": Probe("POST", "/children/{child_id}/assign", [LOGIN, 404, 404, 404, 404, 422]),
    "children.place_child": Probe("GET", "/children/{child_id}/place", [LOGIN, 404, 404, 404, 404, 200]),
    "children.match_child": Probe("GET", "/children/{child_id}/matches", [LOGIN, 404, 404, 404, 404, 200]),
    "children.end_placement": Probe("GET", "/children/placements/{placement_id}/end",
                                    [LOGIN, 404, 404, 404, 404, 200]),
    "children.new_stay": Probe("GET", "/children/placements/{placement_id}/stays/new",
                               [LOGIN, 404, 404, 404, 404, 200]),
    "children.cancel_stay": Probe("POST", "/children/stays/{stay_id}/cancel", [LOGIN, 404, 404, 404, 404, 303]),
    "children.family_children": Probe("GET", "/children/in-my-home", [LOGIN, 200, 200, 403, 403, 403]),
    "children.family_child": Probe("GET", "/children/in-my-home/{child_id}", [LOGIN, 404, 404, 404, 404, 404]),
    # Messaging (portal/messaging/views.py): the family and the staff member of a thread; the matrix's family and
    # staff are not party to the records' thread (its homefinder is another person): 404. An administrator is shown
    # the reason form first (200; the default form has no reason: 422); nothing else until a reason is given.
    "messaging.threads": Probe("GET", "/messages/", [LOGIN, 403, 200, 200, 200, 200]),
    "messaging.new_thread": Probe("GET", "/messages/new", [LOGIN, 403, 200, 200, 200, 403]),
    "messaging.thread": Probe("GET", "/messages/{thread_id}", [LOGIN, 404, 404, 404, 404, 200]),
    "messaging.reply": Probe("POST", "/messages/{thread_id}", [LOGIN, 404, 404, 404, 404, 404]),
    "messaging.give_read_reason": Probe("POST", "/messages/{thread_id}/reason", [LOGIN, 404, 404, 404, 404, 422]),
    "messaging.download_attachment": Probe("GET", "/messages/files/{attachment_id}",
                                           [LOGIN, 404, 404, 404, 404, 404]),
    "messaging.admin_handover": Probe("GET", "/messages/admin/handover", [LOGIN, 404, 404, 404, 404, 200]),
    # Training hours: attendance, records, outside hours, certificates, the agency's rule.
    "training.attendance_meetings": Probe("GET", "/training/staff/attendance", [LOGIN, 403, 403, 200, 403, 200]),
    "training.take_attendance": Probe("GET", "/training/staff/meetings/{meeting_id}/attendance",
                                      [LOGIN, 404, 404, 200, 404, 200]),
    "training.family_record": Probe("GET", "/training/hours", [LOGIN, 200, 200, 403, 403, 403]),
    "training.staff_record": Probe("GET", "/training/staff/households/{household_id}/hours",
                                   [LOGIN, 404, 404, 200, 404, 200]),
    "training.family_submit_outside": Probe("GET", "/training/hours/outside", [LOGIN, 200, 200, 403, 403, 403]),
    "training.staff_add_outside": Probe("GET", "/training/staff/households/{household_id}/hours/outside",
                                        [LOGIN, 404, 404, 200, 404, 200]),
    "training.pending_hours": Probe("GET", "/training/staff/hours/pending", [LOGIN, 403, 403, 200, 403, 200]),
    "training.decide_hours": Probe("POST", "/training/staff/hours/{credit_id}/decide",
                                   [LOGIN, 404, 404, 422, 404, 422]),
    "training.staff_proof": Probe("GET", "/training/staff/hours/{credit_id}/proof", [LOGIN, 404, 404, 200, 404, 200]),
    "training.family_proof": Probe("GET", "/training/hours/{credit_id}/proof", [LOGIN, 404, 404, 404, 404, 404]),
    "training.family_certificate": Probe("GET", "/training/hours/{certificate_id}/certificate.pdf",
                                         [LOGIN, 404, 404, 404, 404, 404]),
    "training.verify_certificate": Probe("GET", "/training/staff/certificates", [LOGIN, 403, 403, 200, 403, 200]),
    "training.admin_rules": Probe("GET", "/training/admin/rules", [LOGIN, 403, 403, 403, 403, 200]),
    # Training catalog (training/catalog/views.py): families browse, enroll and cancel their own; homefinders and
    # supervisors keep courses and sessions; coordinators work children's cases, not trainings.
    "training.catalog": Probe("GET", "/training/catalog", [LOGIN, 200, 200, 200, 403, 200]),
    "training.catalog_course": Probe("GET", "/training/courses/{course_id}", [LOGIN, 200, 200, 200, 404, 200]),
    # Another household's family (no application yet) sees the page saying to start the application first.
    "training.enroll": Probe("GET", "/training/sessions/{course_session_id}/enroll", [LOGIN, 200, 200, 404, 404, 404]),
    "training.my_trainings": Probe("GET", "/training/mine", [LOGIN, 200, 200, 403, 403, 403]),
    "training.cancel_enrollment": Probe("POST", "/training/enrollments/{enrollment_id}/cancel",
                                        [LOGIN, 404, 404, 404, 404, 404]),
    "training.staff_courses": Probe("GET", "/training/staff/courses", [LOGIN, 403, 403, 200, 403, 200]),
    "training.staff_new_course": Probe("GET", "/training/staff/courses/new", [LOGIN, 403, 403, 200, 403, 200]),
    "training.staff_course": Probe("GET", "/training/staff/courses/{course_id}", [LOGIN, 404, 404, 200, 404, 200]),
    "training.staff_new_session": Probe("GET", "/training/staff/courses/{course_id}/sessions/new",
                                        [LOGIN, 404, 404, 200, 404, 200]),
    "training.staff_edit_session": Probe("GET", "/training/staff/sessions/{course_session_id}/edit",
                                         [LOGIN, 404, 404, 200, 404, 200]),
    "training.staff_session": Probe("GET", "/training/staff/sessions/{course_session_id}",
                                    [LOGIN, 404, 404, 200, 404, 200]),
    # No reason given: the roster again with the error; nothing is cancelled.
    "training.staff_cancel_session": Probe("POST", "/training/staff/sessions/{course_session_id}/cancel",
                                           [LOGIN, 404, 404, 422, 404, 422]),
    "training.staff_cancel_enrollment": Probe("POST", "/training/staff/enrollments/{enrollment_id}/cancel",
                                              [LOGIN, 404, 404, 303, 404, 303]),
    # Support groups (training/groups): families browse any open group; a family's answer is its own household's.
    "training.groups": Probe("GET", "/training/groups", [LOGIN, 200, 200, 403, 403, 403]),
    "training.group_page": Probe("GET", "/training/groups/{group_id}", [LOGIN, 200, 200, 404, 404, 404]),
    "training.join_group": Probe("POST", "/training/groups/{group_id}/join", [LOGIN, 303, 303, 404, 404, 404]),
    "training.leave_group": Probe("POST", "/training/groups/{group_id}/leave", [LOGIN, 303, 303, 404, 404, 404]),
    # The matrix's default form is no answer: the group's page comes back with the errors.
    "training.rsvp_group_meeting": Probe("POST", "/training/groups/meetings/{group_meeting_id}/rsvp",
                                         [LOGIN, 422, 422, 404, 404, 404]),
    "training.cancel_group_rsvp": Probe("POST", "/training/groups/meetings/{group_meeting_id}/rsvp/cancel",
                                        [LOGIN, 404, 404, 404, 404, 404]),
    "training.training_calendar": Probe("GET", "/training/calendar", [LOGIN, 200, 200, 403, 403, 403]),
    "training.training_calendar_ics": Probe("GET", "/training/calendar.ics", [LOGIN, 200, 200, 403, 403, 403]),
    "training.issue_training_feed": Probe("POST", "/training/calendar/subscription", [LOGIN, 200, 200, 403, 403, 403]),
    "training.revoke_training_feed": Probe("POST", "/training/calendar/subscription/revoke",
                                           [LOGIN, 303, 303, 403, 403, 403]),
    # The private feed: its secret token is the key (calendar apps can't sign in); a token that isn't live is 404.
    "training.training_calendar_feed": Probe("GET", "/training/calendar/feed/not-a-token.ics", [404] * 6),
    "training.staff_groups": Probe("GET", "/training/staff/groups", [LOGIN, 403, 403, 200, 403, 200]),
    "training.staff_new_group": Probe("GET", "/training/staff/groups/new", [LOGIN, 403, 403, 200, 403, 200]),
    "training.staff_edit_group": Probe("GET", "/training/staff/groups/{group_id}", [LOGIN, 404, 404, 200, 404, 200]),
    "training.staff_group_meeting": Probe("GET", "/training/staff/groups/meetings/{group_meeting_id}",
                                          [LOGIN, 404, 404, 200, 404, 200]),
    # No reason given: the meeting's page comes back with the error; nothing is cancelled.
    "training.staff_cancel_group_meeting": Probe("POST", "/training/staff/groups/meetings/{group_meeting_id}/cancel",
                                                 [LOGIN, 404, 404, 422, 404, 422]),
}
# Second URLs of endpoints that have more than one; tried the same way as the matrix.
MORE_PROBES: dict[str, Probe] = {
    "portal.admin_audit:child": Probe("GET", "/admin/audit?child={child_id}", [LOGIN, 403, 403, 403, 403, 200]),
    "licensing.admin_requirement:new": Probe("GET", "/licensing/admin/requirements/new",
                                             [LOGIN, 404, 404, 404, 404, 200]),
    "licensing.admin_return_reason:new": Probe("GET", "/licensing/admin/return-reasons/new",
                                               [LOGIN, 404, 404, 404, 404, 200]),
}
MORE_PROBES["appointments.feed:unknown"] = Probe("GET", "/appointments/feed/not-a-live-token.ics", [404] * 6)
MORE_PROBES["appointments.new_appointment:post"] = Probe("POST", "/appointments/child/{child_id}/new",
                                                         [LOGIN, 404, 404, 404, 404, 422], {"kind": "dental"})
MORE_PROBES["appointments.edit_appointment:post"] = Probe("POST", "/appointments/{appointment_id}/edit",
                                                          [LOGIN, 404, 404, 404, 404, 422], {"kind": "dental"})
MORE_PROBES["appointments.cancel_appointment:post"] = Probe("POST", "/appointments/{appointment_id}/cancel",
                                                            [LOGIN, 404, 404, 404, 404, 422], {"reason": ""})
PROBES = {**MATRIX, **MORE_PROBES}

# The family's own routes that name a record of its household: the owning family gets through (what it gets then),
# a family of another household gets 404.
FAMILY_ID_ROUTES: dict[str, int] = {
    "training.cancel_group_rsvp": 303,
    "licensing.send_item_document": 303,  # no file chosen: back to the checklist, asking for one
    "licensing.choose_visit_slot": 303,  # the visit is scheduled
    "licensing.download_document": 200,
    "licensing.download_document_page": 200,
    "training.pay_enrollment": 409,  # Stripe is not set up here: "pay at the office"
    "training.pay_fee_item": 409,
    "training.payment_done": 200,
    "licensing.resend_reference": 303,
    "licensing.resend_member": 303,
    "licensing.send_signature_link": 303,  # the application was sent: back to it, saying it can't be signed now
    "children.family_child": 200,  # the child placed with the household
    "training.family_proof": 200,
    "training.family_certificate": 200,
    "training.cancel_enrollment": 303,  # cancelled before the deadline: back to the family's trainings
}


def needs_records(probe: Probe) -> bool:
    return "{" in probe.url or any("{" in value for value in (probe.form or {}).values())


@pytest.fixture
def records(app, db, make_user):
    built = build_access_records(app, make_user)
    yield built
    built.stored_path.unlink(missing_ok=True)
    built.page_stored_path.unlink(missing_ok=True)
    if built.attachment_stored_path is not None:
        built.attachment_stored_path.unlink(missing_ok=True)
    if built.proof_stored_path is not None:
        built.proof_stored_path.unlink(missing_ok=True)


def signed_in_as(client: FlaskClient, user: User) -> None:
    """What a successful sign-in leaves in the session (see test_signing_in_leaves_what_signed_in_as_sets), without
    paying for an Argon2 verification in each of the matrix's hundreds of tests."""
    key = start_session_key(db_session_of(client), user)
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = key
        session["_fresh"] = True


def send(client: FlaskClient, probe: Probe, values: dict[str, int]):
    url = probe.url.format(**values)
    if probe.method == "GET":
        return client.get(url)
    form = {name: value.format(**values) for name, value in (probe.form or DEFAULT_FORM).items()}
    return post_form(client, url, form)


def assert_answer(response, expected: int | str, what: str) -> None:
    assert response.status_code != 500, what
    if expected == LOGIN:
        assert response.status_code == 302, what
        assert response.headers["Location"].startswith("/login"), what
    else:
        assert response.status_code == expected, what


def test_every_endpoint_declares_an_access_rule(app: Flask):
    missing = [rule.endpoint for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None]
    assert missing == [], f"endpoints without an access rule: {missing}"


def test_every_endpoint_is_in_the_matrix(app: Flask):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), (
        f"not in the matrix: {sorted(endpoints - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - endpoints)}"
    )


def test_an_undeclared_endpoint_is_refused():
    """The enforcement itself: a view without a rule answers 403 even to an administrator."""
    probe = create_app(config_for_tests("sqlite://"))

    @probe.get("/undeclared")
    def undeclared():
        return "open"

    @probe.get("/declared")
    @public
    def declared():
        return "open"

    client = probe.test_client()
    assert client.get("/undeclared").status_code == 403
    assert client.get("/declared").status_code == 200
    assert rule_for(probe, "declared") == AccessRule(public=True)


def test_signing_in_returns_to_the_page_asked_for_with_its_query_only_if_it_had_one(client, db):
    from urllib.parse import parse_qs, urlsplit

    def next_of(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 302
        return parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]

    assert next_of("/dashboard") == "/dashboard"
    assert next_of("/licensing/staff/pipeline?who=all&q=ana") == "/licensing/staff/pipeline?who=all&q=ana"


def test_signing_in_leaves_what_signed_in_as_sets(client, db, make_user):
    """signed_in_as starts a session row as sign-in does (tests.support.start_session_key): the cookie names the
    key of a live session of this person, whose second step was passed."""
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    with client.session_transaction() as session:
        key = session["_user_id"]
        assert session["_fresh"] is True
        assert session.permanent
    row = db.session.scalar(select(SignedInSession).where(
        SignedInSession.key_hash == hashlib.sha256(key.encode()).hexdigest()))
    assert row.user_id == user.id and row.ended_at is None and row.second_step == "totp"


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint", sorted(PROBES))
def test_authorization_matrix(request, client, make_user, endpoint, role_index, role):
    probe = PROBES[endpoint]
    values = request.getfixturevalue("records").url_values() if needs_records(probe) else {}
    if role != "anonymous":
        signed_in_as(client, make_user(role))
    response = send(client, probe, values)
    assert_answer(response, probe.expected[role_index], f"{role} {probe.method} {probe.url.format(**values)}")


@pytest.mark.parametrize("owner_role", [Role.APPLICANT, Role.FAMILY])
@pytest.mark.parametrize("endpoint", sorted(FAMILY_ID_ROUTES))
def test_the_owning_family_gets_through(app, db, client, make_user, records: AccessRecords, endpoint, owner_role):
    """The same record: a family of another household (with an application of its own) gets 404, the household's
    own person gets through."""
    probe = MATRIX[endpoint]
    values = records.url_values()
    other = make_user(owner_role)
    open_application_for(app, other.household_id)
    other_client = app.test_client()
    signed_in_as(other_client, other)
    assert_answer(send(other_client, probe, values), 404, f"another household's {owner_role} on {endpoint}")

    owner = household_user(make_user, db, owner_role, records.household_id)
    signed_in_as(client, owner)
    assert_answer(send(client, probe, values), FAMILY_ID_ROUTES[endpoint],
                  f"the household's {owner_role} on {endpoint}")
