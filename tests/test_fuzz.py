"""The standing fuzzer (issue 9): hostile input never reaches a 500, and no page ever carries a stored script.

Every route comes from `app.url_map` and every form from the pages the app renders (tests/fuzz_support.py crawls the
site as each role and reads the `<form>`s it finds, with their fields' types and options), so nothing here is a
hand-kept list. As each role (signed out, an applicant with an open application, a licensed household's family, a
homefinder, a coordinator, an administrator):
- test_hostile_path_values: hypothesis sends hostile values to every route with arguments (by converter: huge, 2**31,
  2**63, negative, other scripts' digits, long, percent-encoded, control characters, "../", script tags), GET and
  POST as the route allows, and hostile query strings to every page without arguments;
- test_hostile_form_bodies: every form the role's pages carry is sent a plausible body with script payloads in its
  text fields (so payloads get stored), then once with each kind of hostile value (a file or a JSON value where text
  was expected, 400 digits, 2**63, other scripts' digits, years 1 and 9999, NUL and CR/LF, 10,000 characters, every
  field twice, every field missing, unreadable field names); then hypothesis sends random hostile bodies (long,
  unicode, control characters, HTML and script, SQL-looking, out-of-range numbers and dates, wrong types, missing and
  extra fields, now and then as JSON) to every form route, each first with a missing or wrong CSRF token and then
  with a valid one; routes the role is never shown a form for are sent bodies too, at the url_map's URL.
The app answers exceptions with its 500 page, as in production (PROPAGATE_EXCEPTIONS off), and every answer must be
below 500. No answer, and afterwards no page the role or an administrator can reach, may contain the injected
`<script>alert(1)</script>` or an `onerror=` handler as markup (escaped text is fine, and some page must show it).

Examples accumulate in the test's transaction (the `db` fixture rolls all of it back): later requests meet what
earlier ones stored, as the pages read at the end do. CI runs FUZZ_EXAMPLES (15) examples per test, derandomized so
a run is reproducible (about a minute on 2 cores); `make fuzz` sets FUZZ_EXAMPLES=400 and draws new examples each
run (about 12 minutes). A failure names the request: method, URL, role, CSRF token, body and the traceback.
"""

from __future__ import annotations

import io
import os
import traceback
from dataclasses import dataclass, field
from hashlib import sha256
from urllib.parse import urlencode

import pytest
from flask import Flask, got_request_exception
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.routing.exceptions import RequestRedirect

from portal.access import rule_for
from portal.extensions import limiter
from portal.models import SignedInSession, User
from tests.fuzz_support import (
    IMG,
    ROLES,
    SCRIPT,
    STATIC_ENDPOINTS,
    URL_SIZES,
    Form,
    JsonBody,
    Site,
    Upload,
    World,
    build_world,
    crawl,
    csrf_for,
    form_body,
    hostile_path,
    hostile_strings,
    json_body,
    path_value,
    plausible_body,
    query_pairs,
    routable_rules,
    rule_arguments,
    shorten,
    signed_in_client,
    sweep_bodies,
    unescaped_scripts,
)
from tests.support import agency_today, start_session_key

pytestmark = pytest.mark.fuzz

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    # CI (no FUZZ_EXAMPLES): the same examples every run. `make fuzz`: new ones each run (the seed is printed).
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    database=None,  # no .hypothesis/ directory in the project
    print_blob=True,
    # Shrinking replays whole batches of requests for minutes: the failing request is reported exactly anyway (method,
    # URL, role, token, body). FUZZ_SHRINK=1 shrinks it to the smallest body that still fails.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else [])],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
ESCAPED_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"  # how Jinja shows SCRIPT as text
BAD_TOKENS = ("missing", "wrong", "garbage")  # no token; one of another session; not a token at all
SESSION_SECRET = "the-csrf-secret-of-this-browser"
OTHER_SECRET = "the-csrf-secret-of-another-browser"
# Query names worth trying on every page besides those its links use.
COMMON_QUERY_NAMES = ("next", "page", "session", "status", "q", "lang", "sort")


@pytest.fixture
def fuzz_app(app, monkeypatch, tmp_path):
    """The app answering an exception with its 500 page, as in production; the traceback is kept for the report.
    Files the fuzzer gets accepted are stored under the test's own temporary folder."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    raised: list[tuple[str, str]] = []  # (the exception in one line, its traceback)

    def keep(_sender, exception, **_extra):
        raised.append(("".join(traceback.format_exception_only(exception)).strip().splitlines()[0][:300],
                       "".join(traceback.format_exception(exception))))

    got_request_exception.connect(keep, app)
    app.config["fuzz_raised"] = raised
    try:
        yield app
    finally:
        got_request_exception.disconnect(keep, app)
        app.config.pop("fuzz_raised", None)


@pytest.fixture
def world(fuzz_app, db, make_user) -> World:
    return build_world(fuzz_app, db, make_user)


def site_of(app: Flask, db, world: World, role: str) -> Site:
    """What the role reaches from every GET route of the url_map, following the app's links."""
    client = signed_in_client(app, db, world.users.get(role), SESSION_SECRET)
    site = crawl(app, client, role, world.seeds(app))
    world.learn(app, site)
    return site


@dataclass
class Browser:
    """One role's browser. Each example starts it afresh: the person as built (an earlier example may have changed
    their role, signed them out or changed their password), rate limits cleared, a session with a known CSRF secret."""

    app: Flask
    db: object
    role: str
    user: User | None
    client: FlaskClient = field(init=False)
    sent: int = 0
    in_example: bool = False  # inside hypothesis: each request is noted for the report
    response: object = None  # the last answer

    def __post_init__(self) -> None:
        self.role_as_built = self.user.role if self.user else None
        self.tokens = {"valid": csrf_for(self.app, SESSION_SECRET), "wrong": csrf_for(self.app, OTHER_SECRET),
                       "garbage": "not-a-token", "missing": None}

    def start(self, in_example: bool = True) -> None:
        self.in_example = in_example
        limiter.reset()
        if self.user is not None:
            self.db.session.refresh(self.user)
            if self.user.role != self.role_as_built or not self.user.is_active:
                self.user.role, self.user.is_active = self.role_as_built, True
                self.db.session.commit()
        self.client = signed_in_client(self.app, self.db, self.user, SESSION_SECRET)

    def send(self, method: str, url: str, body: dict | JsonBody | None = None, csrf: str = "valid", why: str = ""):
        """Send one request and check its answer: below 500, and no injected markup in it."""
        problem = self.try_send(method, url, body, csrf, why)
        assert problem is None, problem
        return self.response

    def try_send(self, method: str, url: str, body: dict | JsonBody | None = None, csrf: str = "valid",
                 why: str = "") -> str | None:
        """Send one request; what is wrong with the answer (5xx with its traceback, or injected markup), or None."""
        data, options = None, {}
        if isinstance(body, JsonBody):
            options = {"json": body.values,
                       "headers": {"X-CSRFToken": self.tokens[csrf]} if self.tokens[csrf] is not None else {}}
        elif method == "POST":
            data = {name: _materialise(value) for name, value in (body or {}).items() if name != "csrf_token"}
            if self.tokens[csrf] is not None:
                data["csrf_token"] = self.tokens[csrf]
        what = f"{method} {url} as {self.role}" + (f", CSRF token {csrf}" if method == "POST" else "") + (
            f" ({why})" if why else "")
        sent_body = f"\n  body: {body!r}" if isinstance(body, JsonBody) else (
            f"\n  body: {shorten(body or {})}" if method == "POST" else "")
        if self.in_example:
            note(what + sent_body)
        raised = self.app.config["fuzz_raised"]
        raised.clear()
        response = self.response = self.client.open(url, method=method, data=data, **options)
        self.sent += 1
        if response.status_code >= 500:
            summary, error = raised[-1] if raised else ("(no exception recorded)", "")
            return f"{what} answered {response.status_code}: {summary}{sent_body}\n{error}"
        if response.mimetype == "text/html":
            found = unescaped_scripts(response.get_data(as_text=True))
            if found:
                return f"{what}: injected markup in the answer ({response.status_code}): {found}{sent_body}"
        if method == "POST" and self.user is not None and csrf == "valid":
            self._stay_signed_in()
        return None

    def _stay_signed_in(self) -> None:
        """Signing out or changing the password ends this browser's session: sign in again for the next request."""
        cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        state = serializer.loads(cookie.value) if cookie is not None else {}
        if state.get("_user_id") and state.get("csrf_token") == SESSION_SECRET and self.db.session.scalar(
                select(SignedInSession.id).where(SignedInSession.key_hash == sha256(state["_user_id"].encode())
                                                 .hexdigest(), SignedInSession.ended_at.is_(None))):
            return
        with self.client.session_transaction() as state:
            state["_user_id"] = start_session_key(self.db.session, self.user)
            state["_fresh"] = True
            state["csrf_token"] = SESSION_SECRET


def sweep_report(problems: dict[str, list[str]]) -> str:
    """Per kind of hostile value: how many requests failed, the first of them in full (with its traceback) and the
    first line of each of the others."""
    parts = []
    for what, found in problems.items():
        others = "\n".join("  - " + problem.splitlines()[0] for problem in found[1:])
        parts.append(f"== {what}: {len(found)} request(s) failed. The first:\n{found[0]}"
                     + (f"The others:\n{others}\n" if others else ""))
    return "\n".join(parts)


def _materialise(value):
    if isinstance(value, Upload):
        return io.BytesIO(value.content), value.filename
    if isinstance(value, list):
        return [_materialise(item) for item in value]
    return value


def check_pages(app: Flask, db, world: World, roles: list[str]) -> int:
    """Every page each role reaches answers below 500 and carries no injected markup. Returns how many pages show a
    payload as text (escaped): the proof that payloads were stored and shown, so the check is not vacuous."""
    problems: list[str] = []
    shown: set[str] = set()

    def looking_as(role: str):
        def look(url: str, html: str) -> None:
            found = unescaped_scripts(html)
            if found:
                problems.append(f"GET {url} as {role}: stored script {found}")
            if ESCAPED_PAYLOAD in html:
                shown.add(url)

        return look

    for role in roles:
        client = signed_in_client(app, db, world.users.get(role), SESSION_SECRET)
        site = crawl(app, client, role, world.seeds(app), looking_as(role))
        problems.extend(f"GET {url} as {role} answered {status}" for url, status in site.statuses.items()
                        if status >= 500)
    assert problems == [], "\n".join(problems)
    return len(shown)


# -- the catalogue: every route and form, found ------------------------------------------------------------------


def post_rules(app: Flask) -> list[Rule]:
    return [rule for rule in routable_rules(app) if "POST" in (rule.methods or ())]


def forms_for(app: Flask, world: World, site: Site) -> list[tuple[str, list[Form]]]:
    """Per POST rule of the url_map, the forms to fuzz it with: those the role's pages carry, else one with no fields
    (a button the role is never shown, or a form only shown in a state the records aren't in) at the rule's URL
    with real records, so refused requests are tried too."""
    targets = []
    for rule in post_rules(app):
        forms = [form for form in site.forms.get(rule.endpoint, []) if _matches_rule(app, form, rule)]
        if not forms:
            url = world.url_for_rule(rule)
            if url is None:
                continue
            forms = [Form(endpoint=rule.endpoint, action=url, source="(url_map)", fields={})]
        targets.append((f"{rule.endpoint} {rule.rule}", forms))
    return targets


def _matches_rule(app: Flask, form: Form, rule: Rule) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        matched_rule, _ = adapter.match(form.action.split("?", 1)[0], method="POST", return_rule=True)
    except (HTTPException, RequestRedirect):  # not found, not allowed, or a redirect: not this rule
        return False
    return matched_rule is rule


# POST routes whose form no page of the fuzzer's world shows, and why (they are fuzzed with fields of our own).
NOT_FORMS_ON_A_PAGE = {
    "portal.passkey_registration_options": "JSON, posted by static/js/passkeys.js",
    "portal.add_passkey": "JSON, posted by static/js/passkeys.js",
    "portal.passkey_sign_in_options": "JSON, posted by static/js/passkeys.js",
    "portal.passkey_sign_in": "JSON, posted by static/js/passkeys.js",
    "portal.second_step": "shown only between the password and the code, to nobody signed in",
    "portal.turn_off_second_step": "shown only to a family that turned the second step on",
    "portal.end_other_sessions": "shown only with more than one session",
    "portal.remove_passkey": "shown only to the owner of a passkey",
    "licensing.staff_lead": "its one form, 'Invite to apply', shows only for a lead who attended and isn't invited",
    "appointments.revoke_feed": "shown only to a family with a live calendar address",
    "court_reports.staff_confirm_receipt": "shown only once the family sent its report (the world's is not sent)",
    "mileage.family_resubmit_claim": "shown only on a claim staff returned (the world's is submitted)",
    "training.stripe_webhook": "Stripe's events (JSON, signed), no form: tests/training/test_payments_webhooks.py",
    "training.pay_enrollment": "the pay button shows only with Stripe keys, which the fuzzer's app has not",
    "training.pay_fee_item": "the pay button shows only with Stripe keys, which the fuzzer's app has not",
}


def test_every_route_and_form_is_found(fuzz_app, db, world):
    """The fuzzer's targets come from the url_map and the rendered pages: guard against them silently shrinking."""
    app = fuzz_app
    rules = routable_rules(app)
    assert len(rules) == len(list(app.url_map.iter_rules()))
    found: dict[str, set[str]] = {}
    pages: set[str] = set()
    for role in ROLES:
        site = site_of(app, db, world, role)
        pages |= site.answered
        for endpoint, forms in site.forms.items():
            found.setdefault(endpoint, set()).update(name for form in forms for name in form.fields)
        assert not [url for url, status in site.statuses.items() if status >= 500], role
    post_endpoints = {rule.endpoint for rule in post_rules(app)}
    get_endpoints = {rule.endpoint for rule in rules if "GET" in (rule.methods or ())} - STATIC_ENDPOINTS
    # Every GET route answers some role, and all but a handful of the form routes have their form found (the
    # rest are fuzzed with fields of our own: see forms_for).
    assert get_endpoints - pages == set(), f"GET routes no role reaches: {sorted(get_endpoints - pages)}"
    missing = post_endpoints - set(found) - set(NOT_FORMS_ON_A_PAGE)
    assert len(missing) <= 2, f"forms not found on any page: {sorted(missing)}"
    # The parser reads the fields of the forms, with their types: a sample of what must be there.
    assert {"email", "password"} <= found["portal.login"]
    assert any(name.startswith("members-0-") for name in found["licensing.application_section"])
    assert "file" in found["licensing.upload_document"]


# -- hostile path values and query strings ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_hostile_path_values(fuzz_app, db, world, role):
    """Every route with arguments, with hostile values for each (by converter), GET and POST as the route allows;
    every page without arguments with hostile query values."""
    app = fuzz_app
    site = site_of(app, db, world, role)
    today = agency_today()
    with_arguments = [rule for rule in routable_rules(app) if rule_arguments(rule)]
    query_names: dict[str, set[str]] = {}
    for url, endpoint in site.pages.items():
        query_names.setdefault(endpoint, set()).update(name for name, _ in query_pairs(url))
    plain_pages = [rule for rule in routable_rules(app)
                   if not rule_arguments(rule) and "GET" in (rule.methods or ())]
    browser = Browser(app, db, role, world.users.get(role))

    @FUZZ
    @given(st.data())
    def run(data):
        browser.start()
        for rule in with_arguments:
            if data.draw(st.integers(0, 2), label=f"send {rule.rule}") < 2:  # a third of them; shrinks to none
                continue
            values = {name: data.draw(path_value(converter), label=name)
                      for name, converter in rule_arguments(rule).items()}
            url = hostile_path(rule, values)
            methods = sorted((rule.methods or set()) & {"GET", "POST"})
            method = data.draw(st.sampled_from(methods), label="method")
            if method == "GET":
                browser.send("GET", url)
                continue
            forms = site.forms.get(rule.endpoint) or [Form(rule.endpoint, url, "(url_map)", {})]
            body = data.draw(form_body(data.draw(st.sampled_from(forms), label="form"), today), label="body")
            browser.send("POST", url, body, data.draw(st.sampled_from(["valid", "missing", "wrong"]), label="csrf"))
        for rule in plain_pages:
            if data.draw(st.integers(0, 3), label=f"query {rule.rule}"):  # three quarters left out
                continue
            names = sorted(query_names.get(rule.endpoint, set()) | set(COMMON_QUERY_NAMES))
            chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), label="names")
            query = {name: data.draw(hostile_strings(URL_SIZES), label=name) for name in chosen}
            browser.send("GET", f"{rule.rule}?{urlencode(query)}")

    run()
    assert browser.sent > FUZZ_EXAMPLES


# -- hostile form bodies, with and without a valid CSRF token ----------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_hostile_form_bodies(fuzz_app, db, world, role):
    """Every form route, with a hostile body: first with a missing or wrong CSRF token, then with a valid one. Then
    every page the role and an administrator reach: no 5xx, no stored script."""
    app = fuzz_app
    site = site_of(app, db, world, role)
    today = agency_today()
    targets = forms_for(app, world, site)
    browser = Browser(app, db, role, world.users.get(role))

    # First, each form the role has, filled in plausibly with a script payload in every free-text field: bodies
    # meant to be accepted, so that a payload really gets stored somewhere.
    problems: dict[str, list[str]] = {}
    browser.start(in_example=False)
    forms = [form for _target, forms in targets for form in forms]
    for number, form in enumerate(forms):
        what = "a plausible body with script payloads"
        body = plausible_body(form, today, (SCRIPT, IMG) if number % 2 else (IMG, SCRIPT))
        problem = browser.try_send("POST", form.action, body, "valid", what)
        if problem is not None:
            problems.setdefault(what, []).append(problem)
    # Then each kind of hostile value once per form (tests/fuzz_support.py sweep_bodies) with a valid token, so a
    # regression of any kind shows whatever the random examples draw (they send every body with a bad token too). A
    # public form is swept as the anonymous visitor it is for (the random examples send it as every role). Every
    # problem of these two passes is reported together, by kind, before the random examples run.
    swept = set()
    for form in forms:
        if form.signature in swept or (role != "anonymous" and rule_for(app, form.endpoint).public):
            continue
        swept.add(form.signature)
        for what, body, tokens in sweep_bodies(form, today):
            for csrf in tokens:
                browser.start(in_example=False)
                problem = browser.try_send("POST", form.action, body, csrf, what)
                if problem is not None:
                    problems.setdefault(what, []).append(problem)
    if problems:
        pytest.fail(sweep_report(problems), pytrace=False)

    @FUZZ
    @given(st.data())
    def run(data):
        browser.start()
        for target, forms in targets:
            if data.draw(st.integers(0, 2), label=f"send {target}") < 2:  # a third of them; shrinks to none
                continue
            form = data.draw(st.sampled_from(forms), label="form")
            as_json = data.draw(st.integers(0, 9), label="as JSON") == 9  # one in ten; shrinks to a form body
            body = data.draw(json_body(form, today) if as_json else form_body(form, today), label="body")
            bad = data.draw(st.sampled_from(BAD_TOKENS), label="bad csrf")
            browser.send("POST", form.action, body, bad)
            browser.send("POST", form.action, body, "valid")

    run()
    assert browser.sent > FUZZ_EXAMPLES
    shown = check_pages(app, db, world, sorted({role, "admin"}))
    assert shown > 0, "no page shows a stored payload, even escaped: the stored-script check saw nothing stored"


# -- the checks themselves work ------------------------------------------------------------------------------------


def test_the_script_check_tells_markup_from_text():
    assert unescaped_scripts(f"<p>{SCRIPT}</p>")
    assert unescaped_scripts(f'<input value="{IMG}">')  # the attribute closed early: a real <img onerror>
    assert unescaped_scripts("<img src=x onerror=alert(1)>")
    assert not unescaped_scripts("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert not unescaped_scripts('<input value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">')
    assert not unescaped_scripts('<textarea>&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>')
    assert not unescaped_scripts('<script nonce="x">document.body.dataset.ready = 1</script>')


def test_a_500_is_caught(fuzz_app, db):
    """The control: with exceptions answered as in production, a view that raises is seen as a 500 by Browser."""
    app = fuzz_app
    browser = Browser(app, db, "anonymous", None)
    browser.start(in_example=False)
    view = app.view_functions["portal.healthz"]

    def broken():
        raise RuntimeError("planted")

    broken.access_rule = view.access_rule  # the same route, still public
    app.view_functions["portal.healthz"] = broken
    try:
        with pytest.raises(AssertionError, match="answered 500"):
            browser.send("GET", "/healthz")
    finally:
        app.view_functions["portal.healthz"] = view
    assert browser.send("GET", "/healthz").status_code == 200

