"""axe-core on every page a role can reach, at 360 px, alternating English and Spanish: no violations at all, and
nothing wider than the phone (no page or table scrolling sideways).

The pages come from the access matrix (tests/portal/test_access_rules.py) with its real records
(tests/portal/access_records.py), built here in the live server's database: every endpoint of the matrix is opened by
each role that gets it (public pages by someone signed out and one signed-in role), a POST by a role whose answer is
a page (a form with its errors, a refusal), so a page added later is covered as soon as it is in the matrix. Then
the pages opened from emailed links with valid links (a reference's answer, another adult's part, the RSVP, the
invitation to apply, a staff invitation, a password reset, an email confirmation), and the error pages (404, 403,
400 for a failed CSRF check, 409, 429, an invalid link).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember, Reference
from licensing.application.others import MEMBER_PURPOSE, REFERENCE_PURPOSE
from licensing.application.sections import SECTION_KEYS
from licensing.recruitment.models import Lead
from licensing.recruitment.services import LEAD_LINK_PURPOSE
from portal.database import now_utc
from portal.extensions import db, limiter
from portal.i18n import LANGUAGE_COOKIE
from portal.models import Household, Role, User
from portal.tokens import TokenPurpose, make_token
from tests.portal.access_records import AccessRecords, build_access_records
from tests.portal.test_access_rules import DEFAULT_FORM, LOGIN, PROBES, ROLES
from tests.support import start_session_key

pytestmark = pytest.mark.browser

STAFF_EMAILS = {
    "homefinder": "homefinder@demo.test",
    "coordinator": "coordinator@demo.test",
    "admin": "admin@demo.test",
}
PAGE_TYPE = "text/html"
ANSWERS_WITH_A_PAGE = {200, 400, 403, 404, 409, 422}
# Endpoints of the matrix that answer with something other than a page.
NOT_PAGES = {"static", "bootstrap.static", "portal.favicon", "portal.healthz", "licensing.download_document",
             "licensing.download_document_page", "licensing.pipeline_csv", "licensing.staff_report_csv",
             "appointments.appointment_ics", "appointments.feed", "mileage.staff_claims_csv",
             "messaging.download_attachment", "training.staff_proof", "training.family_proof",
             "training.family_certificate", "training.training_calendar_ics", "training.training_calendar_feed"}


@dataclass(frozen=True)
class Visit:
    name: str
    role: str  # one of ROLES, or the email of a demo account
    method: str
    url: str  # formatted with the records' ids and the valid links
    form: dict[str, str] | None = None


def matrix_visits() -> list[Visit]:
    visits: list[Visit] = []
    signed_in_roles = itertools.cycle(ROLES[1:])
    for endpoint, probe in sorted(PROBES.items()):
        if endpoint in NOT_PAGES:
            continue
        answers = dict(zip(ROLES, probe.expected, strict=True))
        if probe.method == "POST":
            # A form sent wrong comes back with its errors; a refusal has its page. Redirects land on pages below.
            roles = [role for role, answer in answers.items() if answer in {409, 422}][:1]
        elif answers["anonymous"] != LOGIN:
            # A public page: the same for everyone but the menu. Signed out, and one signed-in role in turn.
            other = next(signed_in_roles)
            roles = ["anonymous"] + ([other] if answers[other] == 200 else [])
        else:
            roles = [role for role, answer in answers.items() if answer == 200] or [
                role for role, answer in answers.items() if answer in ANSWERS_WITH_A_PAGE
            ][:1]
        visits += [Visit(f"{endpoint}-{role}", role, probe.method, probe.url, probe.form) for role in roles]
    return visits


EXTRA_VISITS = [
    # Emailed links that work (the matrix tries them with a bad token: the invalid-link pages).
    Visit("link-reference-answer", "anonymous", "GET", "/licensing/reference/{reference_token}"),
    Visit("link-adult-part", "anonymous", "GET", "/licensing/household-member/{member_token}"),
    Visit("link-rsvp-choose", "anonymous", "GET", "/licensing/rsvp/{lead_token}"),
    Visit("link-rsvp-confirm", "anonymous", "GET", "/licensing/rsvp/{lead_token}?session={session_id}"),
    Visit("link-start-application", "anonymous", "GET", "/licensing/start/{lead_token}"),
    Visit("link-staff-invitation", "anonymous", "GET", "/invitation/{invitation_token}"),
    Visit("link-password-reset", "anonymous", "GET", "/password/reset/{reset_token}"),
    Visit("link-email-confirmed", "anonymous", "GET", "/confirm/{confirm_token}"),
    Visit("link-email-confirmation-expired", "anonymous", "GET", "/confirm/not-a-token"),
    # A thread with its messages, a file and the answer form, as the household's family sees it.
    Visit("messaging-thread-family", "family", "GET", "/messages/{thread_id}"),
    # Error pages.
    Visit("error-404", "anonymous", "GET", "/no-such-page"),
    Visit("error-404-hidden-record", "applicant", "GET", "/licensing/staff/leads/{lead_id}"),
    Visit("error-403", "family", "GET", "/admin/people"),
    Visit(
        "error-400-csrf",
        "homefinder",
        "POST",
        "/licensing/staff/visits/{visit_id}/complete",
        {"csrf_token": "not-the-token"},
    ),
    Visit(
        "error-400-form-after-csrf",
        "anonymous",
        "POST",
        "/password/forgot",
        {"csrf_token": "not-the-token", "email": "someone@example.com"},
    ),
]
# The demo's households at each stage fill the pages with what the matrix's one record doesn't have: every section of
# an application in progress, checklists with each stage, returned items, background checks, visits and a license.
DEMO_VISITS = [
    *(
        Visit(f"demo-section-{key}", "applicant@demo.test", "GET", f"/licensing/application/section/{key}")
        for key in SECTION_KEYS
    ),
    Visit("demo-application-in-progress", "applicant@demo.test", "GET", "/licensing/application"),
    *(
        Visit(f"demo-checklist-{email.split('@')[0]}", email, "GET", "/licensing/checklist")
        for email in ("applied@demo.test", "midway@demo.test", "ready@demo.test", "family2@demo.test")
    ),
    Visit("demo-safety-self-check-midway", "midway@demo.test", "GET", "/licensing/safety-self-check"),
    *(
        Visit(
            f"demo-staff-{page}-{household}",
            "homefinder@demo.test",
            "GET",
            f"/licensing/staff/applications/{{{household}_application_id}}/{page}",
        )
        for household in ("midway", "ready")
        for page in ("checklist", "safety", "home-study")
    ),
    Visit(
        "demo-staff-application-midway",
        "homefinder@demo.test",
        "GET",
        "/licensing/staff/applications/{midway_application_id}",
    ),
]
VISITS = matrix_visits() + EXTRA_VISITS + DEMO_VISITS


@dataclass
class Reachable:
    """The matrix's records in the live server's database, who signs in for each role, and links that work."""

    values: dict[str, int | str]
    users: dict[str, int]  # role -> user id


def _live_user_factory(app) -> Callable[..., User]:
    numbers = itertools.count(1)

    def make(role: Role | str = Role.APPLICANT, *, full_name: str | None = None, **_ignored) -> User:
        role = Role(role)
        n = next(numbers)
        with app.app_context():
            user = User(
                email=f"axe-{role.value}{n}@example.com",
                full_name=full_name or f"{role.value.title()} {n}",
                role=role,
                preferred_locale="en",
                password_hash=None,
                email_confirmed_at=now_utc(),
                household=Household(name=f"Axe household {n}") if role in (Role.APPLICANT, Role.FAMILY) else None,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture(scope="module")
def reachable(live_server) -> Reachable:
    app = live_server.app
    make_user = _live_user_factory(app)
    records: AccessRecords = build_access_records(app, make_user)
    invited = make_user(Role.COORDINATOR)
    with app.app_context(), app.test_request_context():
        session = db.session
        owner = session.get(User, records.owner_id)
        family = User(
            email=f"axe-family-of-{owner.id}@example.com",
            full_name="Luis Torres",
            role=Role.FAMILY,
            household_id=records.household_id,
            email_confirmed_at=now_utc(),
        )
        unconfirmed = User(
            email=f"axe-unconfirmed-{owner.id}@example.com", full_name="Unconfirmed Person", role=Role.APPLICANT
        )
        session.add_all([family, unconfirmed])
        session.flush()
        staff = {
            role: session.scalar(select(User.id).where(User.email == email)) for role, email in STAFF_EMAILS.items()
        }
        reference = session.get(Reference, records.reference_id)
        member = session.get(HouseholdMember, records.member_id)
        lead = session.get(Lead, records.lead_id)
        invitee = session.get(User, invited.id)
        links = {
            "reference_token": make_token(REFERENCE_PURPOSE, reference.id, reference.link_nonce),
            "member_token": make_token(MEMBER_PURPOSE, member.id, member.link_nonce),
            "lead_token": make_token(LEAD_LINK_PURPOSE, lead.id, lead.link_nonce),
            "invitation_token": make_token(TokenPurpose.INVITATION, invitee.id, invitee.session_token),
            "reset_token": make_token(TokenPurpose.RESET_PASSWORD, owner.id, owner.session_token),
            "confirm_token": make_token(TokenPurpose.CONFIRM_EMAIL, unconfirmed.id, unconfirmed.email),
        }
        users = {"applicant": owner.id, "family": family.id, **staff}
        demo_accounts = {visit.role for visit in DEMO_VISITS}
        users |= dict(session.execute(select(User.email, User.id).where(User.email.in_(demo_accounts))).all())
        demo_applications = {
            f"{email.split('@')[0]}_application_id": session.scalar(
                select(Application.id)
                .join(User, User.household_id == Application.household_id)
                .where(User.email == email)
            )
            for email in ("midway@demo.test", "ready@demo.test")
        }
        session.commit()
    return Reachable(values={**records.url_values(), **links, **demo_applications}, users=users)


@contextmanager
def signed_in_cookie(app, user_id: int, language: str) -> Iterator[str]:
    """What a sign-in leaves in the session cookie (no Argon2 check per page), the person reading `language` for the
    visit; their own language is given back afterwards (the demo's accounts are shared with the other browser tests)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        own_language, user.preferred_locale = user.preferred_locale, language
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        key = start_session_key(db.session, user)
        cookie = serializer.dumps({"_user_id": key, "_fresh": True, "_permanent": True})
    try:
        yield cookie
    finally:
        with app.app_context():
            db.session.get(User, user_id).preferred_locale = own_language
            db.session.commit()


SUBMIT_FORM = """([url, fields]) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  const token = document.querySelector('input[name=csrf_token]').value;
  for (const [name, value] of Object.entries({csrf_token: token, ...fields})) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def open_page(page, base: str, visit: Visit, values: dict) -> None:
    url = visit.url.format(**values)
    if visit.method == "GET":
        response = page.goto(base + url)
        status, content_type = response.status, response.headers.get("content-type", "")
    else:
        page.goto(base + "/")
        fields = {name: value.format(**values) for name, value in (visit.form or DEFAULT_FORM).items()}
        with page.expect_navigation() as navigation:
            page.evaluate(SUBMIT_FORM, [url, fields])
        response = navigation.value
        status, content_type = response.status, response.headers.get("content-type", "")
    assert status < 500, f"{visit.name}: {status}"
    assert content_type.startswith(PAGE_TYPE), f"{visit.name} is not a page: add its endpoint to NOT_PAGES"


def all_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


# Nothing wider than a phone: neither the page, nor a table inside its scrolling region (a sideways scroll inside a
# region is one nobody notices: the columns past the edge go unread). Lists stack into cards (class stack-on-phone).
SIDEWAYS_SCROLLS = """() => {
    const found = [];
    const page = document.documentElement;
    if (page.scrollWidth > window.innerWidth + 1) found.push(`the page: ${page.scrollWidth} px`);
    for (const region of document.querySelectorAll(".table-responsive, [role=region]")) {
        if (region.scrollWidth > region.clientWidth + 1) {
            const what = region.getAttribute("aria-label") || region.querySelector("caption")?.textContent || "";
            found.push(`${what.trim()}: ${region.scrollWidth} px in ${region.clientWidth} px`);
        }
    }
    return found;
}"""


def sideways_scrolls(page) -> list[str]:
    return page.evaluate(SIDEWAYS_SCROLLS)


@pytest.mark.parametrize("index,visit", list(enumerate(VISITS)), ids=[visit.name for visit in VISITS])
def test_every_page_has_no_accessibility_violations(live_server, reachable, browser, index, visit):
    language = "es" if index % 2 else "en"
    with ExitStack() as stack:
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=language,
            extra_http_headers={"Accept-Language": language},
            bypass_csp=True,
        )
        stack.callback(context.close)
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
        if visit.role != "anonymous":
            cookie = stack.enter_context(signed_in_cookie(live_server.app, reachable.users[visit.role], language))
            context.add_cookies(
                [{"name": live_server.app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_server.url}]
            )
        page = context.new_page()
        page.set_default_timeout(15000)
        open_page(page, live_server.url, visit, reachable.values)
        assert page.locator("html").get_attribute("lang") == language, visit.name
        assert all_violations(page) == [], f"{visit.name} ({language})"
        assert sideways_scrolls(page) == [], f"{visit.name} ({language}) scrolls sideways on a 360 px phone"


def test_the_too_many_attempts_page(live_server, phone):
    """429: the reset emails asked for from one address are limited; the counters are emptied afterwards."""
    base = live_server.url
    try:
        for attempt in range(12):  # EMAIL_RATE_LIMIT: 10 per hour
            phone.goto(base + "/password/forgot")
            phone.fill("input[name=email]", f"nobody{attempt}@example.com")
            with phone.expect_navigation() as navigation:
                phone.click("main button[type=submit]")
            if navigation.value.status == 429:
                break
        assert navigation.value.status == 429
        assert all_violations(phone) == []
    finally:
        limiter.reset()
