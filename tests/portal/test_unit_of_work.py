"""One commit point per request (portal/database.py, Database.finish_unit_of_work).

A request commits after a successful view and rolls back on any exception (500), on any 4xx answer unless the view
called keep_on_refusal(), and always when the CSRF check failed, whatever the view did. Mail queued with
call_after_commit runs only after that commit. Views and services never commit themselves.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import abort, redirect, request
from sqlalchemy import Connection, select

from app import create_app
from licensing.application import services as applications
from licensing.application.models import HouseholdMember, MemberRole, Reference
from licensing.application.others import MEMBER_PURPOSE, REFERENCE_PURPOSE, SIGNATURE_PURPOSE
from licensing.recruitment.models import InfoSession, Interest, Lead, LeadSource, SessionFormat
from licensing.recruitment.services import lead_token
from licensing.tracker.models import RequirementTemplate
from licensing.tracker.services.home_study import REPORT_SECTIONS
from licensing.tracker.services.safety import SAFETY_ITEMS
from portal.access import AccessRule, public, rule_for
from portal.database import Base, call_after_commit, keep_on_refusal, now_utc
from portal.extensions import db as portal_db
from portal.forms import keeps_input
from portal.models import Household, Role, User
from portal.tokens import TokenPurpose, make_token
from portal.transitions import Refused
from tests.conftest import TEST_PASSWORD, config_for_tests, post_form
from tests.licensing.conftest import PDF, SECTION_ANSWERS
from tests.support import agency_today, days_ahead, db_session_of, start_session_key

ROOT = Path(__file__).resolve().parents[2]


# -- 1. A failed CSRF check stores nothing, on every route that takes a POST ------------------------------------


@dataclass(frozen=True)
class FormRoute:
    endpoint: str
    rule: str
    access: AccessRule | None
    rerendered: bool  # @keeps_input: the view runs again after a CSRF failure, to show what was typed

    @property
    def is_public(self) -> bool:
        return self.access is not None and self.access.public


def _post_routes() -> list[FormRoute]:
    """Every URL rule of the application that accepts POST, read from a fresh app's url_map (not a hand-kept list)."""
    app = create_app(config_for_tests("sqlite://"))
    routes = [
        FormRoute(rule.endpoint, rule.rule, rule_for(app, rule.endpoint),
                  bool(getattr(app.view_functions[rule.endpoint], "rerender_on_csrf_error", False)))
        for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())
    ]
    app.extensions["database"].engine.dispose()
    return sorted(routes, key=lambda route: (route.endpoint, route.rule))


POST_ROUTES = _post_routes()
# The role used for "someone who may use this route": the first of these the route allows.
ROLE_PREFERENCE = [Role.APPLICANT, Role.HOMEFINDER, Role.ADMIN, Role.COORDINATOR, Role.FAMILY]


def _allowed_role(route: FormRoute) -> Role:
    if route.access is None or route.access.public or route.access.roles is None:
        return Role.APPLICANT
    return next(role for role in ROLE_PREFERENCE if role in route.access.roles)


def _cases():
    for route in POST_ROUTES:
        role = _allowed_role(route)
        yield pytest.param(route, None, True, id=f"{route.endpoint}:{route.rule}:anonymous")
        yield pytest.param(route, role, True, id=f"{route.endpoint}:{route.rule}:{role.value}")
        if "<" in route.rule:
            # A stale form: its record is gone or its emailed link no longer works.
            who = None if route.is_public else role
            yield pytest.param(route, who, False,
                               id=f"{route.endpoint}:{route.rule}:{who.value if who else 'anonymous'}:unknown-record")


@dataclass
class Records:
    """Real records for the routes' URL arguments, so form views get past their 404 and re-render."""

    users: dict[Role, User]
    url_values: dict[str, object]
    tokens: dict[str, str]
    info_session_id: int
    member_id: int
    member_name: str


@pytest.fixture
def records(app, db, make_user) -> Records:
    users = {role: make_user(role) for role in (Role.APPLICANT, Role.HOMEFINDER, Role.ADMIN, Role.COORDINATOR,
                                                Role.FAMILY)}
    invited = make_user(Role.COORDINATOR, password=None, confirmed=False)  # an invitation not accepted yet
    applicant = users[Role.APPLICANT]
    with app.app_context():
        household = portal_db.session.get(Household, applicant.household_id)
        application = applications.open_application(household, None, opened_by=None)
        reference = Reference(application_id=application.id, name="Pat Lee", relationship_to_applicant="Friend",
                              email="pat@example.com")
        adult = HouseholdMember(application_id=application.id, position=1, role=MemberRole.OTHER,
                                first_name="Rosa", last_name="Torres", birth_date=date(1950, 1, 15),
                                relationship_to_applicant="Mother", email="rosa@example.com")
        lead = Lead(first_name="Elena", last_name="Vargas", email="elena.lead@example.com",
                    source=LeadSource.EVENT, interest=Interest.FOSTER)
        info_session = InfoSession(starts_at=now_utc() + timedelta(days=7), format=SessionFormat.IN_PERSON,
                                   address="1 Main St, Fresno")
        co_applicant = HouseholdMember(application_id=application.id, position=2, role=MemberRole.CO_APPLICANT,
                                       first_name="Luis", last_name="Torres", birth_date=date(1983, 9, 20),
                                       email="luis@example.com")
        portal_db.session.add_all([reference, adult, co_applicant, lead, info_session])
        portal_db.session.flush()
        template_id = portal_db.session.scalar(select(RequirementTemplate.id).order_by(RequirementTemplate.id))
        tokens = {
            "portal.reset_password": make_token(TokenPurpose.RESET_PASSWORD, applicant.id, applicant.session_token),
            "portal.accept_invitation": make_token(TokenPurpose.INVITATION, invited.id, invited.session_token),
            "licensing.rsvp": lead_token(lead),
            "licensing.start_application": lead_token(lead),
            "licensing.reference_answer": make_token(REFERENCE_PURPOSE, reference.id, reference.link_nonce),
            "licensing.adult_part": make_token(MEMBER_PURPOSE, adult.id, adult.link_nonce),
            "licensing.sign_by_link": make_token(SIGNATURE_PURPOSE, co_applicant.id, co_applicant.signature_nonce),
        }
        url_values = {"application_id": application.id, "user_id": applicant.id, "template_id": template_id,
                      "lead_id": lead.id, "session_id": info_session.id, "member_id": adult.id,
                      "reference_id": reference.id, "key": "residence"}
        records = Records(users=users, url_values=url_values, tokens=tokens, info_session_id=info_session.id,
                          member_id=adult.id, member_name=adult.full_name)
        portal_db.commit()
    return records


def _url(route: FormRoute, records: Records, known: bool = True) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if not known:
            return {"token": "not-a-token", "key": "no-such-section"}.get(name, "999999")
        if name == "token":
            return records.tokens.get(route.endpoint, "not-a-token")
        return str(records.url_values.get(name, 1))  # ids of records not made here (items, visits...): any int

    url = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", value, route.rule)
    if route.endpoint == "licensing.rsvp":
        url += f"?session={records.info_session_id}"  # the confirmation form is shown for a chosen session
    return url


SAFETY_ANSWERS = {f"{code}_result": "pass" for code in SAFETY_ITEMS}
NEW_PASSWORD = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}

# A plausible, otherwise valid body per endpoint: were the CSRF check not enforced, most of these would store
# something. Routes not named here get a generic body.
BODIES = {
    "portal.login": lambda r: {"email": r.users[Role.APPLICANT].email, "password": TEST_PASSWORD},
    "portal.logout": lambda r: {},
    "portal.register": lambda r: {"full_name": "Rosa Díaz", "email": "rosa.new@example.com",
                                  "preferred_locale": "es", **NEW_PASSWORD},
    "portal.forgot_password": lambda r: {"email": r.users[Role.APPLICANT].email},
    "portal.resend_confirmation": lambda r: {"email": r.users[Role.APPLICANT].email},
    "portal.reset_password": lambda r: NEW_PASSWORD,
    "portal.accept_invitation": lambda r: NEW_PASSWORD,
    "portal.profile": lambda r: {"full_name": "Jordan Changed", "preferred_locale": "es"},
    "portal.change_password": lambda r: {"current_password": TEST_PASSWORD, **NEW_PASSWORD},
    "portal.admin_invite_staff": lambda r: {"full_name": "Lucía Pérez", "email": "lucia@agency.example.com",
                                            "role": "homefinder", "preferred_locale": "es"},
    "portal.admin_person": lambda r: {"role": "family", "active": "y"},
    "portal.set_language": lambda r: {"language": "es", "next": "/"},
    "licensing.inquiry": lambda r: {"first_name": "Elena", "last_name": "Vargas", "email": "elena@example.com",
                                    "phone": "555-222-3333", "preferred_locale": "es", "county": "Fresno",
                                    "zip_code": "93701", "interest": "foster", "source": "faith_community",
                                    "questions": "¿Puedo acoger si trabajo?",
                                    "session_id": str(r.info_session_id)},
    "licensing.rsvp": lambda r: {},
    "licensing.start_application": lambda r: NEW_PASSWORD,
    "licensing.reference_answer": lambda r: {"known_for": "10 years", "relationship": "Pastor",
                                             "recommend": "yes", "with_children": "Kind and patient."},
    "licensing.adult_part": lambda r: {"consent": "y", "typed_name": r.member_name, "other_states": "NV"},
    "licensing.sign_by_link": lambda r: {"typed_name": "Luis Torres"},
    "licensing.application_section": lambda r: SECTION_ANSWERS["residence"],
    "licensing.upload_document": lambda r: {"slot": "proof_of_income:0", "file": (io.BytesIO(PDF), "scan.pdf")},
    "licensing.send_item_document": lambda r: {"file": (io.BytesIO(PDF), "cpr.pdf")},
    "licensing.sign_application": lambda r: {"member_id": str(r.member_id), "typed_name": r.member_name},
    "licensing.submit_application": lambda r: {},
    "licensing.resend_member": lambda r: {},
    "licensing.send_signature_link": lambda r: {},
    "licensing.resend_reference": lambda r: {},
    "licensing.choose_visit_slot": lambda r: {"slot": "1"},
    "licensing.safety_self_check": lambda r: SAFETY_ANSWERS,
    "licensing.staff_safety": lambda r: SAFETY_ANSWERS,
    "licensing.staff_home_study": lambda r: {**dict.fromkeys(REPORT_SECTIONS, "Confidential notes"), "version": ""},
    "licensing.admin_approve_home_study": lambda r: {},
    "licensing.admin_issue_license": lambda r: {
        "number": "FH-2026-0042", "type": "foster", "capacity": "2", "age_min": "0", "age_max": "10",
        "effective_on": agency_today().isoformat(),
        "expires_on": (agency_today() + timedelta(days=365)).isoformat()},
    "licensing.admin_requirement": lambda r: {
        "code": "tb_test", "type": "document", "scope": "each_applicant", "stage": "documents", "title_en": "TB test",
        "title_es": "Prueba de tuberculosis", "due_days": "60", "active": "y"},
    "licensing.staff_add_note": lambda r: {"body": "Called the family."},
    "licensing.staff_assign": lambda r: {"homefinder_id": str(r.users[Role.HOMEFINDER].id)},
    "licensing.staff_reopen_section": lambda r: {"section": "residence", "note": "Please add the other bedroom."},
    "licensing.staff_review_document": lambda r: {"decision": "accept"},
    "licensing.staff_lead": lambda r: {"action": "invite"},
    "licensing.staff_log_contact": lambda r: {"kind": "call", "outcome": "reached", "contacted_at": days_ahead(0),
                                              "notes": "Talked about the sessions."},
    "licensing.staff_sessions": lambda r: {"starts_at": days_ahead(96, "18:30"), "duration_minutes": "120",
                                           "format": "in_person", "address": "1 Main St", "language": "en",
                                           "capacity": "20"},
    "licensing.staff_session": lambda r: {"attended": [str(r.url_values["lead_id"])]},
    "licensing.staff_update_item": lambda r: {"version": "1", "status": "approved"},
    "licensing.staff_update_check": lambda r: {"version": "1", "status": "cleared"},
    "licensing.staff_propose_visit": lambda r: {"kind": "home_safety_inspection", "slot_1": days_ahead(40),
                                                "slot_2": days_ahead(41, "15:30")},
    "licensing.staff_complete_visit": lambda r: {"notes": "All good"},
}


def _generic_body(_records: Records) -> dict:
    return {"full_name": "Someone", "note": "typed", "body": "typed"}


def _snapshot(connection: Connection, leave_out: frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table of the models, as the test's own connection sees them."""
    snapshot = {}
    for table in Base.metadata.sorted_tables:
        if table.name in leave_out:
            continue
        rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
        snapshot[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return snapshot


def _sign_in_quickly(client, user: User) -> None:
    """Signed in as after /login (Flask-Login names the session token), without an Argon2 check per case."""
    key = start_session_key(db_session_of(client), user)
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def test_the_form_routes_are_read_from_the_url_map(app):
    """The parametrisation below comes from the url_map: guard against it silently finding nothing."""
    assert len(POST_ROUTES) == sum("POST" in (rule.methods or ()) for rule in app.url_map.iter_rules())
    endpoints = {route.endpoint for route in POST_ROUTES}
    assert {"portal.login", "portal.profile", "licensing.application_section", "licensing.inquiry"} <= endpoints


@pytest.mark.parametrize("route,role,known", list(_cases()))
def test_a_request_whose_csrf_check_failed_stores_nothing(app, db, records, monkeypatch, route: FormRoute,
                                                          role: Role | None, known: bool):
    """For every form route: a POST with a wrong CSRF token changes no row of any table, and never answers 500."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # an exception answers 500, as in production
    client = app.test_client()
    if role is not None:
        _sign_in_quickly(client, records.users[role])
    with client.session_transaction() as session:
        session["csrf_token"] = "the-real-secret-of-this-session"  # so the token sent is wrong, not just absent
    body = dict(BODIES.get(route.endpoint, _generic_body)(records), csrf_token="not-the-token-of-this-session")
    url = _url(route, records, known)
    # Known open issue #9: a signed-out POST to a form route that needs an account keeps what was typed as a
    # pending_submission row (given back after sign-in), even without a valid CSRF token. Only for those requests
    # is that table left out of the comparison.
    leave_out = frozenset({"pending_submission"}) if role is None and not route.is_public else frozenset()
    before = _snapshot(db.connection, leave_out)

    response = client.post(url, data=body)

    after = _snapshot(db.connection, leave_out)
    changed = sorted(name for name in before if before[name] != after[name])
    how = "view run again by portal/errors.py" if route.rerendered else "view not run"
    assert changed == [], f"POST {url} with a failed CSRF check ({how}) changed {changed}"
    assert response.status_code < 500, f"POST {url} with a failed CSRF check ({how}) answered {response.status_code}"
    location = response.headers.get("Location", "")
    if role is None and route.access is not None and not route.is_public:
        assert response.status_code == 302 and location.startswith("/login"), (url, response.status_code)
    else:
        assert response.status_code >= 400 or location, f"POST {url} was taken ({response.status_code})"
        assert not location.startswith("/login"), f"{url}: not signed in as {role}"


# -- 2 and 3. What a view wrote is kept only when the request succeeds (a probe app with routes of its own) -------


@pytest.fixture(scope="module")
def probe_app(database_url):
    """The real application plus routes that write a household, then answer in different ways.

    PROPAGATE_EXCEPTIONS off: an exception becomes the 500 page, as in production (tests otherwise re-raise it)."""
    probe = create_app(config_for_tests(database_url, PROPAGATE_EXCEPTIONS=False))
    probe.config["probe_mail"] = []

    def write(name: str) -> None:
        portal_db.session.add(Household(name=name))
        portal_db.session.flush()
        # "Mail" queued in this transaction: notes whether the household is stored when it runs (after commit).
        call_after_commit(lambda: probe.config["probe_mail"].append(
            (name, _household_stored(probe.config["probe_connection"], name))))

    @probe.get("/probe/<outcome>")
    @public
    def answer(outcome: str):
        write(f"probe {outcome}")
        if outcome == "ok":
            return "ok"
        if outcome == "see-other":
            return redirect("/", code=303)
        if outcome == "raises":
            raise RuntimeError("the view failed after writing")
        if outcome == "conflict":
            abort(409)
        if outcome == "forbidden":
            abort(403)
        if outcome == "not-found":
            abort(404)
        if outcome == "refused-by-a-rule":
            raise Refused("not now")
        if outcome == "answers-422":
            return "did not validate", 422
        if outcome == "kept-422":
            keep_on_refusal()
            return "a draft was kept", 422
        if outcome == "kept-409":
            keep_on_refusal()
            abort(409)
        if outcome == "answers-500":
            return "broken", 500
        if outcome == "kept-answers-500":
            keep_on_refusal()
            return "broken", 500
        if outcome == "kept-then-raises":
            keep_on_refusal()
            raise RuntimeError("kept, then failed")
        abort(400)

    @probe.route("/probe-form", methods=["GET", "POST"])
    @public
    @keeps_input
    def form_that_ignores_csrf():
        """A careless form view: writes whatever the CSRF check said, and even asks to keep it on refusal."""
        if request.method == "POST":
            write("probe form")
            keep_on_refusal()
        return "form"

    yield probe
    probe.extensions["database"].engine.dispose()


def _household_stored(connection: Connection, name: str) -> bool:
    """Whether the household is in the database as the test's own connection sees it (committed writes only)."""
    return connection.execute(select(Household.id).where(Household.name == name)).first() is not None


@pytest.fixture
def probe(probe_app, db):
    """The probe app on the db fixture's connection (the way the fixture rebinds the session app), with no mail yet."""
    state = probe_app.extensions["database"]
    state.bind = db.connection
    state.session_options = {"join_transaction_mode": "create_savepoint"}
    probe_app.config["probe_mail"].clear()
    probe_app.config["probe_connection"] = db.connection
    try:
        yield probe_app
    finally:
        probe_app.config.pop("probe_connection")
        state.bind = state.engine
        state.session_options = {}


def test_a_view_that_raises_after_writing_stores_nothing(probe, db):
    response = probe.test_client().get("/probe/raises")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert not _household_stored(db.connection, "probe raises")
    assert probe.config["probe_mail"] == []


def test_the_probe_sees_what_a_request_commits(probe, db):
    """The control for the tests around it: a committed write is visible on the test's connection."""
    assert probe.test_client().get("/probe/ok").status_code == 200
    assert _household_stored(db.connection, "probe ok")


OUTCOMES = [
    # outcome, status, whether the writes (and the mail queued with them) are kept
    ("ok", 200, True),
    ("see-other", 303, True),
    ("raises", 500, False),
    ("conflict", 409, False),
    ("forbidden", 403, False),
    ("not-found", 404, False),
    ("refused-by-a-rule", 409, False),
    ("answers-422", 422, False),
    ("kept-422", 422, True),
    ("kept-409", 409, True),
    ("answers-500", 500, False),
    # keep_on_refusal keeps 4xx answers only, never an error
    ("kept-answers-500", 500, False),
    ("kept-then-raises", 500, False),
]


@pytest.mark.parametrize("outcome,status,kept", OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_a_request_keeps_its_writes_only_when_it_succeeds_or_kept_them(probe, db, outcome, status, kept):
    response = probe.test_client().get(f"/probe/{outcome}")
    assert response.status_code == status
    assert _household_stored(db.connection, f"probe {outcome}") is kept


@pytest.mark.parametrize("outcome,status,kept", OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_queued_mail_runs_only_after_a_commit(probe, outcome, status, kept):
    probe.test_client().get(f"/probe/{outcome}")
    # Ran once after a commit (the household was already stored when it ran); never after a rollback.
    assert probe.config["probe_mail"] == ([(f"probe {outcome}", True)] if kept else [])


def test_a_failed_csrf_check_stores_nothing_even_when_the_view_asks_to_keep_it(probe, db):
    client = probe.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "the-real-secret-of-this-session"
    response = client.post("/probe-form", data={"csrf_token": "wrong", "name": "typed"})
    assert response.status_code == 400  # re-rendered with what was typed (portal/errors.py)
    assert not _household_stored(db.connection, "probe form")
    assert probe.config["probe_mail"] == []
    # Control: the same view with a valid token stores its row, so the assertion above could fail.
    assert post_form(probe.test_client(), "/probe-form", {"name": "typed"}).status_code == 200
    assert _household_stored(db.connection, "probe form")


# -- 4. Nothing but the unit of work (and the outbox delivery after it) commits ----------------------------------

MAY_COMMIT = {
    "portal/database.py",  # the unit of work
    "portal/emails.py",  # the outbox delivery: runs after the request's commit, and commits its own progress
    "portal/sessions.py",  # a session's "last seen": after the request's commit, in its own short transaction
}


def _commit_references(path: Path) -> list[int]:
    """Lines where `<something>.commit` is used (called, or handed on to be called later)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "commit")


def test_only_the_unit_of_work_commits():
    found = []
    for package in ("portal", "licensing", "training"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in MAY_COMMIT:
                found += [f"{relative}:{line}" for line in _commit_references(path)]
    assert found == [], f"views and services never commit (the request's unit of work does): {found}"
    # The scan does find commits where they are: it would see one added anywhere else.
    assert _commit_references(ROOT / "portal" / "database.py")
    assert _commit_references(ROOT / "portal" / "emails.py")
    assert _commit_references(ROOT / "portal" / "sessions.py")
