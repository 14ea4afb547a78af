"""What the standing fuzzer (tests/test_fuzz.py) needs: the site as each role sees it, found by crawling, and hostile
values for every kind of path argument and form field.

Nothing here lists routes or forms by hand. Routes come from `app.url_map`; forms and their fields come from the
HTML the app renders (every `<form>` on every page a role can reach, following the app's own links), so a new route
or a new field is fuzzed the day it is added. Only the records that make id routes and emailed links answer (a
household well into licensing, an applicant with an open application, tokens of each kind) are built by hand.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

from flask import Flask, session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.routing.exceptions import RequestRedirect

from licensing.application.models import Application, ApplicationStatus, HouseholdMember, MemberRole, Reference
from licensing.application.others import MEMBER_PURPOSE, REFERENCE_PURPOSE, SIGNATURE_PURPOSE
from licensing.recruitment.models import Interest, Lead, LeadSource
from licensing.recruitment.services import lead_token
from licensing.tracker.models import (
    ChecklistItem,
    HomeStudyReport,
    HomeStudyStatus,
    HomeStudyVisit,
    ItemStatus,
    VisitKind,
    VisitStatus,
)
from licensing.tracker.services.home_study import REPORT_SECTIONS
from portal.calendars import issue_feed
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Role, User
from portal.tokens import TokenPurpose, make_token
from tests.portal.access_records import AccessRecords, build_access_records, household_user, open_application_for
from tests.support import start_session_key

ROLES = ("anonymous", "applicant", "family", "homefinder", "coordinator", "admin")
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
MAX_URLS_PER_PAGE_KIND = 3  # pages of one kind (same endpoint and words in the path) with other ids or queries
MAX_PAGES_PER_ROLE = 200  # the url_map grew with trainings: every seed must still be reached

# -- the stored-script markers ------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SCRIPT_PAYLOADS = (SCRIPT, IMG, f"Ana {SCRIPT}", f"x{IMG}", f"</textarea>{SCRIPT}", f"'>{SCRIPT}")


class _ScriptFinder(HTMLParser):
    """Real tags a browser would run: a <script> whose body is alert(1), or any tag with an onerror handler. Escaped
    text (`&lt;script&gt;`) and attribute values (`value="&#34;&gt;&lt;img ..."`) are data, not tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if any(name == "onerror" for name, _value in attrs):
            self.found.append(f"<{tag} onerror=...> ({self.getpos()})")
        self._in_script = tag == "script"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(1)" in data:
            self.found.append(f"<script>{data[:60]}</script> ({self.getpos()})")


_MAYBE_INJECTED = re.compile(r"<script>alert\(1\)|<[a-z][^<>]*\bonerror\s*=", re.IGNORECASE)


def unescaped_scripts(html: str) -> list[str]:
    """The injected tags present as markup in a page (empty when every payload came back escaped)."""
    if not _MAYBE_INJECTED.search(html):  # escaped payloads have no "<" before them: nothing to parse
        return []
    finder = _ScriptFinder()
    finder.feed(html)
    finder.close()
    found = finder.found
    if SCRIPT in html:  # belt and braces: the literal tag, wherever the parser would have put it
        found = [*found, f"literal {SCRIPT}"]
    return found


# -- forms and links in the rendered pages ------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type ("text", "date", "checkbox", "file"...), "select", "textarea" or "submit"
    values: list[str] = field(default_factory=list)  # options, or the value the page filled in
    multiple: bool = False
    attrs: dict[str, str] = field(default_factory=dict)  # autocomplete, inputmode, maxlength, min, max...


@dataclass
class Form:
    endpoint: str
    action: str  # path and query the form posts to
    source: str  # the page it was found on
    fields: dict[str, Field]
    multipart: bool = False

    @property
    def signature(self) -> tuple:
        return self.endpoint, tuple(sorted(self.fields))


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: Field | None = None
        self._option: list | None = None
        self._textarea: Field | None = None

    def _add(self, name: str | None, kind: str, value: str | None = None, multiple: bool = False,
             attrs: dict | None = None) -> Field | None:
        if self._form is None or not name:
            return None
        fields = self._form["fields"]
        existing = fields.get(name)
        if existing is None:
            existing = fields[name] = Field(name, kind, multiple=multiple, attrs=attrs or {})
        if value is not None and value not in existing.values:
            existing.values.append(value)
        if kind == "checkbox" and len(existing.values) > 1:
            existing.multiple = True
        return existing

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                          "enctype": a.get("enctype", ""), "fields": {}}
            self.forms.append(self._form)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "reset", "button"):
                if a.get("name"):
                    self._add(a["name"], "submit", a.get("value", ""))
                return
            if kind in ("checkbox", "radio"):
                self._add(a.get("name"), kind, a.get("value", "on"), attrs=a)
            else:
                self._add(a.get("name"), kind, a.get("value"), attrs=a)
        elif tag == "button" and a.get("name"):
            self._add(a["name"], "submit", a.get("value", ""))
        elif tag == "select":
            self._select = self._add(a.get("name"), "select", multiple="multiple" in a, attrs=a)
        elif tag == "option" and self._select is not None:
            self._option = [dict(attrs).get("value")]
        elif tag == "textarea":
            self._textarea = self._add(a.get("name"), "textarea", attrs=a)
            if self._textarea is not None:
                self._textarea.values.append("")

    def handle_data(self, data):
        if self._option is not None and self._option[0] is None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option[0] is not None else "".join(self._option[1:]).strip()
            if value not in self._select.values:
                self._select.values.append(value)
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea.values[-1]  # a newline right after <textarea> is not part of the value
            self._textarea.values[-1] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._textarea = None


# -- the site as a role sees it ------------------------------------------------------------------------------------


def rule_arguments(rule: Rule) -> dict[str, object]:
    return dict(rule._converters)  # werkzeug keeps a rule's converters here, by argument name


def routable_rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


@dataclass
class Site:
    """What one role reached: the HTML pages (url -> endpoint) and the forms on them, by the endpoint they post to."""

    role: str
    pages: dict[str, str] = field(default_factory=dict)
    forms: dict[str, list[Form]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, int] = field(default_factory=dict)  # every URL requested, HTML or not
    answered: set[str] = field(default_factory=set)  # endpoints that answered a request below 400


    def add_form(self, form: Form) -> None:
        known = self.forms[form.endpoint]
        if all(existing.signature != form.signature or existing.action != form.action for existing in known):
            known.append(form)


def match(app: Flask, url: str, method: str) -> tuple[str, dict] | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(parts.path, method=method, query_args=parts.query)
    except (HTTPException, RequestRedirect):
        return None
    return endpoint, args


def crawl(app: Flask, client: FlaskClient, role: str, seeds: Iterable[str],
          look: Callable[[str, str], None] | None = None) -> Site:
    """Breadth-first over the app's own links from the seeds, GET only, HTML pages parsed for links and forms (and
    handed to `look` with their URL)."""
    site = Site(role)
    queue = list(dict.fromkeys(seeds))
    seen: set[str] = set()
    per_kind: dict[tuple, int] = defaultdict(int)
    while queue and len(site.statuses) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        url = url.split("#", 1)[0]
        if not url or url in seen:
            continue
        seen.add(url)
        matched = match(app, url, "GET")
        if matched is None or matched[0] in STATIC_ENDPOINTS:
            continue
        endpoint, arguments = matched
        kind = (endpoint, tuple(sorted((name, value) for name, value in arguments.items() if isinstance(value, str))))
        if per_kind[kind] >= MAX_URLS_PER_PAGE_KIND:
            continue
        per_kind[kind] += 1
        response = client.get(url)
        site.statuses[url] = response.status_code
        if response.status_code < 400:
            site.answered.add(endpoint)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        site.pages[url] = endpoint
        html = response.get_data(as_text=True)
        if look is not None:
            look(url, html)
        parser = _PageParser()
        parser.feed(html)
        parser.close()
        for raw in parser.forms:
            action = (raw["action"] or url).split("#", 1)[0]
            if raw["method"] != "post":
                queue.append(action)  # a search or filter form: another page to read
                continue
            target = match(app, action, "POST")
            if target is None:
                continue
            site.add_form(Form(endpoint=target[0], action=action, source=url, fields=raw["fields"],
                               multipart="multipart" in raw["enctype"]))
        queue.extend(link for link in parser.links if link.startswith("/") and not link.startswith("//"))
    return site


# -- the people and records -----------------------------------------------------------------------------------------


@dataclass
class World:
    """The records every route can name, the people of each role, and the tokens of the emailed links."""

    records: AccessRecords
    users: dict[str, User]
    url_values: dict[str, list[int]]  # by the name of a path argument: ids of real records
    tokens: list[str]
    # Which tokens each emailed-link route took (answered below 400) in the first crawl: later crawls send only those.
    tokens_taken: dict[str, set[str]] = field(default_factory=dict)

    def learn(self, app: Flask, site: Site) -> None:
        for url, status in site.statuses.items():
            matched = match(app, url, "GET")
            if matched is None or "token" not in matched[1]:
                continue
            taken = self.tokens_taken.setdefault(matched[0], set())
            if status < 400:
                taken.add(matched[1]["token"])

    def url_for_rule(self, rule: Rule) -> str | None:
        """The rule's path with the first record of each argument, or None when one has no record here."""
        values = {}
        for name, converter in rule_arguments(rule).items():
            if isinstance(converter, IntegerConverter) and self.url_values.get(name):
                values[name] = self.url_values[name][0]
            elif name == "token":
                values[name] = self.tokens[0]
            else:
                return None
        return rule.build(values, append_unknown=False)[1]

    def seeds(self, app: Flask) -> list[str]:
        """Every GET route of the url_map, with the records' ids and each kind of token filled in."""
        urls = []
        for rule in routable_rules(app):
            if "GET" not in (rule.methods or ()) or rule.endpoint in STATIC_ENDPOINTS:
                continue
            choices: list[dict[str, object]] = [{}]
            for name, converter in rule_arguments(rule).items():
                if isinstance(converter, IntegerConverter):
                    values: list = self.url_values.get(name, [])
                elif name == "token":
                    taken = self.tokens_taken.get(rule.endpoint)
                    values = self.tokens if taken is None else sorted(taken) or self.tokens[:1]
                else:
                    values = []  # a section key and the like: the links of the pages name them
                choices = [{**choice, name: value} for choice in choices for value in values]
            urls += [rule.build(choice, append_unknown=False)[1] for choice in choices]
        return urls


def build_world(app: Flask, db, make_user) -> World:
    """A household well into licensing (tests/portal/access_records.py) with a write-up waiting for approval and a
    visit that took place; an applicant whose own application is open and has a primary applicant, a co-applicant, a
    reference and another adult; a second household whose checklist is done (a license can be issued); tokens of
    every kind."""
    records = build_access_records(app, make_user)
    applicant = make_user(Role.APPLICANT, full_name="Elena Vargas")
    application_id = open_application_for(app, applicant.household_id)
    ready_owner = make_user(Role.APPLICANT, full_name="Marta Ruiz")
    ready_application_id = open_application_for(app, ready_owner.household_id)
    family = household_user(make_user, db, Role.FAMILY, records.household_id)
    invited = make_user(Role.COORDINATOR, password=None, confirmed=False)
    unconfirmed = make_user(Role.APPLICANT, confirmed=False)
    users = {
        "applicant": applicant,
        "family": family,
        "homefinder": db.session.get(User, records.homefinder_id),
        "coordinator": make_user(Role.COORDINATOR),
        "admin": make_user(Role.ADMIN),
    }
    now = now_utc()
    with app.app_context():
        session = portal_db.session
        primary = HouseholdMember(application_id=application_id, position=0, role=MemberRole.PRIMARY,
                                  first_name="Elena", last_name="Vargas", birth_date=date(1988, 3, 9),
                                  email=applicant.email, user_id=applicant.id)
        adult = HouseholdMember(application_id=application_id, position=1, role=MemberRole.OTHER,
                                first_name="Rosa", last_name="Vargas", birth_date=date(1950, 1, 15),
                                relationship_to_applicant="Mother", email="rosa.vargas@example.com")
        reference = Reference(application_id=application_id, name="Pat Lee", relationship_to_applicant="Friend",
                              email="pat@example.com")
        co_applicant = HouseholdMember(application_id=application_id, position=2, role=MemberRole.CO_APPLICANT,
                                       first_name="Tomás", last_name="Vargas", birth_date=date(1986, 7, 1),
                                       email="tomas.vargas@example.com")
        lead = Lead(first_name="Luz", last_name="Prado", email="luz.lead@example.com", source=LeadSource.EVENT,
                    interest=Interest.FOSTER, invited_at=now - timedelta(days=100))  # her invitation can be sent again
        done_visit = HomeStudyVisit(application_id=records.application_id, kind=VisitKind.JOINT_INTERVIEW,
                                    homefinder_id=records.homefinder_id, status=VisitStatus.SCHEDULED,
                                    starts_at=now - timedelta(days=1))
        report = HomeStudyReport(application_id=records.application_id, status=HomeStudyStatus.DRAFT,
                                 sections=dict.fromkeys(REPORT_SECTIONS, "Written by the homefinder."))
        ready = session.get(Application, ready_application_id)
        ready.status, ready.submitted_at = ApplicationStatus.SUBMITTED, now
        session.add_all([primary, adult, co_applicant, reference, lead, done_visit, report,
                         ChecklistItem(application_id=ready_application_id, template_id=records.template_id,
                                       due_date=agency_today() + timedelta(days=30), status=ItemStatus.APPROVED)])
        session.flush()
        tokens = [
            make_token(TokenPurpose.RESET_PASSWORD, applicant.id, applicant.session_token),
            make_token(TokenPurpose.INVITATION, invited.id, invited.session_token),
            make_token(TokenPurpose.CONFIRM_EMAIL, unconfirmed.id, unconfirmed.email),
            lead_token(lead),
            make_token(REFERENCE_PURPOSE, reference.id, reference.link_nonce),
            make_token(MEMBER_PURPOSE, adult.id, adult.link_nonce),
            make_token(SIGNATURE_PURPOSE, co_applicant.id, co_applicant.signature_nonce),
            records.end_session_token,  # the owner's "it wasn't me" link of a new-device email
            records.feed_token,  # the owner's private calendar address (appointments)
            issue_feed(session.get(User, family.id), "training"),  # the family's training calendar feed (live)
        ]
        more = {"application_id": [ready_application_id, application_id], "visit_id": [done_visit.id],
                "member_id": [adult.id, co_applicant.id], "reference_id": [reference.id], "user_id": [records.owner_id]}
        portal_db.commit()
    url_values = {name: [value] for name, value in records.url_values().items()}
    for name, values in more.items():
        url_values[name] = url_values.get(name, []) + values
    return World(records=records, users=users, url_values=url_values, tokens=tokens)


def signed_in_client(app: Flask, db, user: User | None, csrf_secret: str) -> FlaskClient:
    """A browser of this person (signed in as after /login, without Argon2), whose session holds `csrf_secret`."""
    client = app.test_client()
    with client.session_transaction() as state:
        if user is not None:
            state.permanent = True
            state["_user_id"] = start_session_key(db.session, user)
            state["_fresh"] = True
        state["csrf_token"] = csrf_secret
    return client


def csrf_for(app: Flask, secret: str) -> str:
    """The token a page of a session holding `secret` hands out, made by Flask-WTF itself."""
    with app.test_request_context():
        session["csrf_token"] = secret
        return generate_csrf()


# -- hostile values ------------------------------------------------------------------------------------------------

HUGE_NUMBERS = ("99999999999999999999", str(2**31), str(2**31 - 1), str(2**32), str(2**63), str(2**63 - 1),
                str(2**64), "9" * 400, "0", "00000000001", "-1", "-0", "+1", "1e309", "1.5", "0x1F", "NaN", "inf")
# Digits of other scripts (str.isdigit() is true for most): superscript two, Arabic-Indic three, Devanagari three,
# fullwidth twelve, circled five, mathematical bold nine, Roman twelve, Ethiopic one.
UNICODE_DIGITS = ("²", "٣", "३", "\uff11\uff12", "⑤", "\U0001d7d7", "Ⅻ", "፩", "¹²³")
HOSTILE_TEXT = (
    *SCRIPT_PAYLOADS,
    "' OR 1=1 --", "'; DROP TABLE users; --", '" OR ""="', "1; SELECT pg_sleep(0)", "%' AND 1=0 UNION SELECT 1 --",
    "\x00", "a\x00b", "\r\n", "line\r\nSet-Cookie: hacked=1", "\x1b[31m", "\x7f\x08\x0b\x0c",
    "../../../../etc/passwd", "..\\..\\windows", "%2e%2e%2f", "%00", "%0d%0a", "{{7*7}}", "${7*7}", "{% raw %}",
    "\u202eevil", "\ufeff", "\u200b", "Z̷̢a̵l̶g̸o̴", "😀👨‍👩‍👧‍👦", "\uff21\uff22\uff23", "Ñandú José Müller", "ß" * 300,
    " ", "", "null", "None", "true", "[]", "{}", "0", "-1",
)
HOSTILE_DATES = ("0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "1900-02-29", "-0001-01-01", "20260101",
                 "01/02/2026", "2026-13-01", "10000-01-01", "9999-12-31T23:59", "0001-01-01T00:00",
                 "2026-01-01T25:61", "2026-01-01T10:00:00+14:00", "2026-01-01T10:00Z", "today", "1970-01-01")
FILE_BYTES = (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
              b"\xff\xd8\xff\xe0" + b"\x00" * 32, f"<html>{SCRIPT}</html>".encode(), b"", b"\x00" * 1024,
              b"%PDF-1.4 " + SCRIPT.encode())
FILE_NAMES = ("scan.pdf", "photo.png", "x.jpg", "a" * 300 + ".pdf", "../../etc/passwd", "evil.html", "evil.pdf.exe",
              f"{SCRIPT}.pdf", "ñandú.pdf", "con.pdf", "", ".pdf", "a\x00.pdf", "a\r\nb.pdf")

SAFE_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def long_text(sizes: tuple[int, ...] = (256, 1_001, 10_000, 70_000)) -> st.SearchStrategy[str]:
    """A piece repeated to about `size` bytes of UTF-8 (70,000: more than the 64 KiB the portal keeps of a form)."""
    return st.builds(lambda piece, size: piece * max(1, size // len(piece.encode())),
                     st.sampled_from(["A", "é", "😀", "<", "\x00", SCRIPT]), st.sampled_from(sizes))


# A URL longer than a few kilobytes never reaches the app (gunicorn refuses a request line over 4094 bytes).
URL_SIZES = (101, 256, 700)


def hostile_strings(sizes: tuple[int, ...] | None = None) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(HUGE_NUMBERS), st.sampled_from(UNICODE_DIGITS),
                     st.sampled_from(HOSTILE_DATES), ANY_TEXT, long_text(sizes) if sizes else long_text())


def _dates(lo: int, hi: int) -> st.SearchStrategy[date]:
    return st.dates(min_value=date(lo, 1, 1), max_value=date(hi, 12, 31))


def typed_value(kind: str, today: date) -> st.SearchStrategy[str]:
    """A value of the field's own type: plausible (near today) or at the ends of its range."""
    if kind == "date":
        return st.one_of(_dates(today.year - 120, today.year + 3).map(date.isoformat),
                         _dates(1, 9999).map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"))
    if kind == "datetime-local":
        day = st.one_of(st.integers(-400, 900).map(lambda days: today + timedelta(days=days)), _dates(1, 9999))
        return st.builds(lambda d, hour, minute: f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{hour:02d}:{minute:02d}",
                         day, st.integers(0, 23), st.integers(0, 59))
    if kind == "time":
        return st.times().map(lambda t: t.strftime("%H:%M"))
    if kind == "number" or kind == "range":
        return st.one_of(st.integers(-5, 200), st.integers(-(2**70), 2**70)).map(str)
    if kind == "email":
        return st.one_of(st.just("someone@example.com"), st.emails().map(str),
                         st.sampled_from(["a@b", "@example.com", "x@example.com\r\nBcc: y@example.com",
                                          "a" * 300 + "@example.com", "ñ@ejemplo.es"]))
    if kind == "tel":
        return st.sampled_from(["555-123-4567", "+1 (559) 555 0100", "5" * 40, "٥٥٥١٢٣٤٥٦٧"])
    if kind == "checkbox":
        return st.sampled_from(["y", "on", "1", "true", "false", "0", ""])
    return SAFE_TEXT


@dataclass(frozen=True)
class Upload:
    """A file to post; made into a fresh stream for each request (the same body is sent more than once)."""

    content: bytes
    filename: str

    def __repr__(self) -> str:
        return f"Upload({self.content[:24]!r}{'...' if len(self.content) > 24 else ''}, {shorten(self.filename)})"


def file_value() -> st.SearchStrategy[Upload]:
    return st.builds(Upload, st.sampled_from(FILE_BYTES), st.sampled_from(FILE_NAMES))


FREE_TEXT_KINDS = ("text", "textarea", "search", "url")


def plausible_value(spec: Field, today: date, payload: str | None = None) -> object:
    """What a careful person would type, read from the field's type and its HTML hints (autocomplete, inputmode,
    min, max), with `payload` in the free-text fields: a body meant to be accepted, so a payload gets stored."""
    hints = {spec.attrs.get("autocomplete", ""), spec.attrs.get("inputmode", ""), spec.kind}
    offered = [value for value in spec.values if value]
    if spec.kind == "file":
        return Upload(FILE_BYTES[0], "scan.pdf")
    if spec.kind in ("submit", "hidden", "radio", "select"):
        return offered[0] if offered else ""
    if spec.kind == "checkbox":
        return offered[:1] if spec.multiple else (offered[0] if offered else "y")
    if spec.kind == "password":
        return "a brand new passphrase"
    if spec.kind == "date":
        return "1985-04-02" if "bday" in hints else today.isoformat()
    if spec.kind == "datetime-local":
        return f"{(today + timedelta(days=30)).isoformat()}T10:00"
    if spec.kind in ("number", "range"):
        low = int(spec.attrs.get("min") or 1)
        return str(max(low, min(2, int(spec.attrs.get("max") or 2))))
    if "email" in hints or "email" in spec.name:
        return "someone@example.com"
    if "tel" in hints:
        return "555-123-4567"
    if "postal-code" in hints or "numeric" in hints:
        return "93701"
    if "address-level1" in hints:
        return "CA"
    if payload is not None and spec.kind in FREE_TEXT_KINDS:
        return payload
    return offered[0] if offered else "Typed by the fuzzer"


def plausible_body(form: Form, today: date, payloads: tuple[str, ...] = (SCRIPT, IMG)) -> dict:
    """Every field filled in plausibly, the free-text ones with a script payload (the two kinds in turn)."""
    body = {}
    for number, (name, spec) in enumerate(sorted(form.fields.items())):
        if name != "csrf_token":
            body[name] = plausible_value(spec, today, payloads[number % len(payloads)])
    return body


# One request per form for each kind of hostile value, in every field it applies to (the rest filled in
# plausibly): a regression of any kind shows in every run, whatever the random examples after it happen to draw.
HOSTILE_SWEEP: tuple[tuple[str, object, tuple[str, ...] | None], ...] = (
    # (what, value, the kinds of field it goes in; None: every field). 2**63 overflows SQLite's INTEGER and
    # PostgreSQL's.
    ("a file where text was expected", Upload(FILE_BYTES[0], "scan.pdf"), None),
    ("a number of 400 digits", "9" * 400, None),
    ("2**63 where a number or a choice was expected", str(2**63), ("number", "hidden", "radio", "select",
                                                                     "checkbox", "submit")),
    ("digits of other scripts", "²٣", None),
    ("year 9999", {"date": "9999-12-31", "datetime-local": "9999-12-31T23:59"}, ("date", "datetime-local")),
    ("year 1", {"date": "0001-01-01", "datetime-local": "0001-01-01T00:00"}, ("date", "datetime-local")),
    # In the typed-text fields only, the others valid: a body that gets stored (PostgreSQL refuses NUL in text).
    ("NUL, CR/LF and a script tag", f"a\x00b\r\nc{SCRIPT}", (*FREE_TEXT_KINDS, "email", "password", "tel", "hidden")),
    ("10,000 characters", "A" * 10_000, None),
)


def sweep_bodies(form: Form, today: date) -> list[tuple[str, dict, tuple[str, ...]]]:
    """(what, body, CSRF tokens to send it with) for each kind of HOSTILE_SWEEP the form has a field for, and: every
    field sent twice; every field missing; field names Werkzeug can't read (multipart, so a file goes with them),
    without a token too, since Flask-WTF then looks for a token under every name."""
    plausible = plausible_body(form, today)
    bodies = []
    for what, value, kinds in HOSTILE_SWEEP:
        body = dict(plausible)
        hit = False
        for name, spec in form.fields.items():
            if name == "csrf_token" or (kinds is not None and spec.kind not in kinds):
                continue
            if isinstance(value, dict):  # by kind of field
                body[name] = value[spec.kind]
            elif isinstance(value, Upload) and spec.kind == "file":
                body[name] = "not a file"
            else:
                body[name] = value
            hit = True
        if hit:
            bodies.append((what, body, ("valid",)))
    bodies.append(("every field twice", {name: [value, value] for name, value in plausible.items()}, ("valid",)))
    bodies.append(("every field missing", {}, ("missing", "valid")))
    strange = {**plausible, "\r": "x", "a\nb": "y", "\x00": "z", "upload": Upload(FILE_BYTES[0], "a.pdf")}
    bodies.append(("field names with control characters", strange, ("missing", "valid")))
    bodies.append(("a JSON body of the wrong types", JsonBody(json_of_wrong_types(form)), ("missing", "valid")))
    return bodies


WRONG_JSON_TYPES = (123, [1, 2], {"a": 1}, None, True, 1.5e308, -(2**70), [], "x")


@dataclass(frozen=True)
class JsonBody:
    """A body sent as application/json (its CSRF token, if any, in the X-CSRFToken header)."""

    values: dict

    def __repr__(self) -> str:
        return f"JsonBody({shorten(self.values)})"


def json_of_wrong_types(form: Form) -> dict:
    """Each field of the form with a JSON value of another type than the text a browser posts, in turn."""
    names = sorted(name for name in form.fields if name != "csrf_token") or ["extra"]
    return {name: WRONG_JSON_TYPES[number % len(WRONG_JSON_TYPES)] for number, name in enumerate(names)}


@st.composite
def json_body(draw, form: Form, today: date) -> JsonBody:
    """The form's fields as JSON: a plain body's values or values of other types (numbers, lists, objects, null)."""
    values = {}
    for name in form.fields:
        if name != "csrf_token" and draw(st.integers(0, 5)) < 5:
            values[name] = draw(st.one_of(st.sampled_from(WRONG_JSON_TYPES), hostile_strings(),
                                          st.lists(hostile_strings(URL_SIZES), max_size=3)))
    return JsonBody(values)


def field_value(spec: Field, today: date) -> st.SearchStrategy:
    """A value for one field: what the page offered or filled in, a plausible one, one of its type at the ends of
    its range, a script payload, or something hostile; for a multiple select or checkbox group, a list of them."""
    offered = [value for value in spec.values if value is not None]
    one = st.one_of(
        *([st.sampled_from(offered)] if offered else []),
        st.just(plausible_value(spec, today)),
        typed_value(spec.kind, today),
        st.sampled_from(SCRIPT_PAYLOADS),
        hostile_strings(),
    )
    if spec.multiple:
        return st.lists(one, min_size=0, max_size=4)
    return one


@st.composite
def form_body(draw, form: Form, today: date) -> dict:
    """A body for the form: each field sent or left out, with its own kind of value or a hostile one, a file where
    text was expected and the other way round, the same name twice, and fields the form doesn't have."""
    body: dict[str, object] = {}
    for name, spec in form.fields.items():
        if name == "csrf_token" or draw(st.integers(0, 5)) == 5:  # left out, now and then
            continue
        if spec.kind == "file":
            value = draw(st.one_of(file_value(), hostile_strings()))
        elif spec.kind == "submit":
            value = draw(st.one_of(st.sampled_from(spec.values or [""]), hostile_strings()))
        else:
            value = draw(field_value(spec, today))
            wrong = draw(st.integers(0, 19))
            if wrong == 0 and not spec.multiple:
                value = [value, draw(hostile_strings())]  # the same name twice
            elif wrong == 1:
                value = draw(file_value())  # a file where text was expected
        body[name] = value
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.one_of(st.sampled_from(["id", "user_id", "role", "is_admin", "status", "household_id",
                                               "next", "application_id", "members-99-first_name", "x" * 300,
                                               "a[b]", "__proto__", "\x00", "version", "slot"]), SAFE_TEXT))
        body.setdefault(name or "extra", draw(hostile_strings()))
    return body


def shorten(value: object, limit: int = 60) -> str:
    """repr() of a value for a report, long strings cut (with their length)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value)} characters)"
    if isinstance(value, list):
        return "[" + ", ".join(shorten(item, limit) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{shorten(k, limit)}: {shorten(v, limit)}" for k, v in value.items()) + "}"
    return repr(value)


# Sent as they are: already percent-encoded (everything else is encoded before it goes into a path).
ENCODED_PATH_VALUES = ("%2D1", "%2d2147483648", "%C2%B2", "%D9%A3", "%00", "%0D%0A", "%2e%2e%2f%2e%2e",
                       "%252e%252e%252f", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%FF%FE", "%E2%80%AE", "%2F", "%20",
                       "%", "..", ".")


def path_value(converter) -> st.SearchStrategy[str]:
    """A hostile value for a path argument, by its converter."""
    encoded = st.sampled_from(ENCODED_PATH_VALUES)
    if isinstance(converter, IntegerConverter):
        return st.one_of(st.sampled_from(HUGE_NUMBERS), st.sampled_from(UNICODE_DIGITS), encoded,
                         st.integers(0, 2**80).map(str), st.integers(1, 50).map(str),
                         st.sampled_from(["1" * 300, "abc", "1abc", " 1", "1 ", "1.0", "1_000"]))
    return st.one_of(encoded, st.sampled_from(["..", "../..", "../../etc/passwd", "." * 300, "a" * 3_000,
                                               SCRIPT, IMG, "' OR 1=1 --", "ñandú", "😀", "²", "\x7f",
                                               "residence", "applicants", "not-a-token", "a/b", "~", "%"]),
                     SAFE_TEXT.filter(bool), long_text(URL_SIZES),
                     st.sampled_from(UNICODE_DIGITS), st.sampled_from(HUGE_NUMBERS))


def hostile_path(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with the values in it, percent-encoded (unless they already are): raw CR, LF or "?" would
    never reach the app as part of the path."""
    def value(found: re.Match) -> str:
        raw = values[found.group(1)]
        return raw if raw in ENCODED_PATH_VALUES else quote(raw, safe="")

    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", value, rule.rule)


def query_pairs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)
