"""Deny by default: every endpoint declares who may use it, and the matrix pins what each role gets."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from portal.access import AccessRule, public, rule_for
from tests.conftest import config_for_tests, post_form, sign_in

ROLES = ["anonymous", "applicant", "family", "homefinder", "coordinator", "admin"]

# endpoint -> (method, url, expected status per role, in ROLES order).
# A new endpoint fails test_every_endpoint_is_in_the_matrix until a row is added here.
LOGIN = "login"  # a 302 to the sign-in page
MATRIX: dict[str, tuple[str, str, list[int]]] = {
    "static": ("GET", "/static/app.css", [200] * 6),
    "bootstrap.static": ("GET", "/bootstrap/static/css/bootstrap.min.css", [200] * 6),
    "portal.home": ("GET", "/", [200] * 6),
    "portal.healthz": ("GET", "/healthz", [200] * 6),
    "portal.set_language": ("POST", "/language", [302] * 6),  # back to the page it was used on
    "portal.login": ("GET", "/login", [200, 302, 302, 302, 302, 302]),
    "portal.logout": ("POST", "/logout", [LOGIN, 302, 302, 302, 302, 302]),
    "portal.register": ("GET", "/register", [200, 302, 302, 302, 302, 302]),
    "portal.confirm_email": ("GET", "/confirm/not-a-token", [400] * 6),
    "portal.resend_confirmation": ("GET", "/confirm/resend", [200] * 6),
    "portal.forgot_password": ("GET", "/password/forgot", [200] * 6),
    "portal.reset_password": ("GET", "/password/reset/not-a-token", [400] * 6),
    "portal.accept_invitation": ("GET", "/invitation/not-a-token", [400] * 6),
    "portal.dashboard": ("GET", "/dashboard", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.profile": ("GET", "/account", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.change_password": ("GET", "/account/password", [LOGIN, 200, 200, 200, 200, 200]),
    "portal.admin_people": ("GET", "/admin/people", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_invite_staff": ("GET", "/admin/people/invite", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_person": ("GET", "/admin/people/{self_id}", [LOGIN, 404, 404, 404, 404, 200]),
    "portal.admin_outbox": ("GET", "/admin/outbox", [LOGIN, 403, 403, 403, 403, 200]),
    "portal.admin_audit": ("GET", "/admin/audit", [LOGIN, 403, 403, 403, 403, 200]),
    # Licensing: public pages and emailed links (a bad token is a clear 400 for everyone).
    "licensing.inquiry": ("GET", "/licensing/inquiry", [200] * 6),
    "licensing.public_sessions": ("GET", "/licensing/sessions", [200] * 6),
    "licensing.rsvp": ("GET", "/licensing/rsvp/not-a-token", [400] * 6),
    "licensing.start_application": ("GET", "/licensing/start/not-a-token", [400] * 6),
    "licensing.reference_answer": ("GET", "/licensing/reference/not-a-token", [400] * 6),
    "licensing.adult_part": ("GET", "/licensing/household-member/not-a-token", [400] * 6),
    # The household's own application (these test users have none open yet).
    "licensing.application_overview": ("GET", "/licensing/application", [LOGIN, 200, 200, 403, 403, 403]),
    "licensing.application_section": ("GET", "/licensing/application/section/residence",
                                      [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.upload_document": ("POST", "/licensing/application/documents", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.sign_application": ("POST", "/licensing/application/sign", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.submit_application": ("POST", "/licensing/application/submit", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.resend_reference": ("POST", "/licensing/application/references/999999/resend",
                                   [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.resend_member": ("POST", "/licensing/application/members/999999/resend",
                                [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.download_document": ("GET", "/licensing/documents/999999", [LOGIN, 404, 404, 404, 404, 404]),
    # Homefinders and supervisors; coordinators work children's cases, not licensing.
    "licensing.staff_leads": ("GET", "/licensing/staff/leads", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_lead": ("GET", "/licensing/staff/leads/999999", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_sessions": ("GET", "/licensing/staff/sessions", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_session": ("GET", "/licensing/staff/sessions/999999", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_applications": ("GET", "/licensing/staff/applications", [LOGIN, 403, 403, 200, 403, 200]),
    "licensing.staff_application": ("GET", "/licensing/staff/applications/999999", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_add_note": ("POST", "/licensing/staff/applications/999999/notes",
                                 [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_assign": ("POST", "/licensing/staff/applications/999999/assign",
                               [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_reopen_section": ("POST", "/licensing/staff/applications/999999/reopen",
                                       [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_review_document": ("POST", "/licensing/staff/documents/999999/review",
                                        [LOGIN, 404, 404, 404, 404, 404]),
    # Licensing tracker.
    "licensing.family_checklist": ("GET", "/licensing/checklist", [LOGIN, 200, 200, 403, 403, 403]),
    "licensing.safety_self_check": ("GET", "/licensing/safety-self-check", [LOGIN, 404, 404, 403, 403, 403]),
    "licensing.send_item_document": ("POST", "/licensing/checklist/items/999999/document",
                                     [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.choose_visit_slot": ("POST", "/licensing/visits/999999/choose", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_checklist": ("GET", "/licensing/staff/applications/999999/checklist",
                                  [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_update_item": ("POST", "/licensing/staff/items/999999", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_update_check": ("POST", "/licensing/staff/checks/999999", [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_propose_visit": ("POST", "/licensing/staff/applications/999999/visits",
                                      [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_complete_visit": ("POST", "/licensing/staff/visits/999999/complete",
                                       [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_safety": ("GET", "/licensing/staff/applications/999999/safety",
                               [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.staff_home_study": ("GET", "/licensing/staff/applications/999999/home-study",
                                   [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.admin_approve_home_study": ("POST", "/licensing/staff/applications/999999/home-study/approve",
                                           [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.admin_issue_license": ("POST", "/licensing/staff/applications/999999/license",
                                      [LOGIN, 404, 404, 404, 404, 404]),
    "licensing.admin_requirements": ("GET", "/licensing/admin/requirements", [LOGIN, 403, 403, 403, 403, 200]),
    "licensing.admin_requirement": ("GET", "/licensing/admin/requirements/new", [LOGIN, 404, 404, 404, 404, 200]),
}


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


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_authorization_matrix(client, make_user, endpoint, role_index, role):
    method, url, expected = MATRIX[endpoint]
    user = None
    if role != "anonymous":
        user = make_user(role)
        sign_in(client, user)
    url = url.format(self_id=user.id if user else 1)
    response = client.get(url) if method == "GET" else post_form(client, url, {"language": "es", "next": "/"})
    if expected[role_index] == LOGIN:
        assert response.status_code == 302, f"{role} {method} {url}"
        assert response.headers["Location"].startswith("/login"), f"{role} {method} {url}"
    else:
        assert response.status_code == expected[role_index], f"{role} {method} {url}"
