"""IDOR sweep (issue 9): every URL naming a record that one household can reach is refused to everyone else.

Household A is built through its own pages until it has every kind of record a family can reach: an inquiry with
an RSVP to an information session, an invitation to apply and the account opened from it, a complete submitted
application (sections, documents, signatures, references, another adult), a file sent for a checklist item, and a
home-study visit a homefinder proposed with two times to choose from. Signed in as A, a bounded crawl (depth 2)
from A's pages, once before signing and once after submitting (the forms to send a document and to sign exist only
before), collects:

- links: every same-site URL in `href` or `src` that names a record (a number or a token in its path, a number in
  its query); documents also as the inline preview (`?preview=1`) of the same route;
- forms: every `<form action>` that names a record, and every POST form whose hidden or choice fields name one of
  A's records (an upload slot "photo_id:<member>", a member to sign for, a visit time), one request per such value,
  with the fields a browser would send;
- emailed links: the same-site URLs with a token in the emails A's story sent (outbox_message); an emailed link
  with only a number (staff told of the submission) is swept as the links are.

What anyone signed out reaches from the public pages (an information session's sign-up) names nothing of A's and is
left out. Every link and form is then sent as: a second household B with an open application of its own, an
applicant without any application, a coordinator, and someone signed out; GET for links, the form's own method and
fields with a valid CSRF token of the requester's session for forms. The answer must be 403 or 404 (signed out: a
redirect to the sign-in page). A form whose ACTION names no record (it works on the requester's own application,
and only its fields name A's) may also answer with the requester's own page again, as the family pages do for a
refused choice (303 with a message): that page must then show nothing of A. After every request no row of any table
may have changed (row count and a hash of the rows, as in tests/portal/test_unit_of_work.py; no table is left out,
audit_event included), and no file may have been added to the upload folder.

Emailed token links (a reference's answer form, another adult's own part of the application, the RSVP and
start-your-application links) are capabilities meant for one person, for the first two someone outside the
household: whoever holds the link opens it, signed in or not, so 200 is a right answer (and 400 for a link already
spent). For them the sweep checks that opening one as any of the four changes nothing and shows nothing of A beyond
what the link is for (the name of the person it was sent to): none of what A typed, and no link to any of A's
records. They are not POSTed: answering is what the link is for.

Homefinders and administrators legitimately work A's application, so they are not swept as attackers (the access
matrix in tests/portal/test_access_rules.py pins what each staff role gets on every id route).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, select

from licensing.application.models import (
    Application,
    ApplicationStatus,
    HouseholdMember,
    MemberRole,
    Reference,
)
from licensing.recruitment.models import InfoSession, Lead, SessionFormat
from licensing.tracker.models import VisitKind
from portal.database import Base, now_utc
from portal.models import OutboxMessage, Role, User
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.licensing.conftest import (
    PDF,
    SECTION_ANSWERS,
    application_row,
    fill_all_sections,
    sign_through_emailed_link,
    upload,
)
from tests.portal.access_records import open_application_for
from tests.support import days_ahead, db_session_of, start_session_key

START_PAGES = ["/dashboard", "/licensing/application", "/licensing/checklist", "/account",
               *(f"/licensing/application/section/{key}" for key in SECTION_ANSWERS)]
PUBLIC_PAGES = ["/", "/licensing/sessions", "/licensing/inquiry", "/login", "/register"]
CRAWL_DEPTH = 2
NUMBER = re.compile(r"^\d+$")
TOKEN = re.compile(r"^[A-Za-z0-9_.-]{24,}$")  # a signed token; no word of a path is this long
NAMED_NUMBER = re.compile(r"^[a-z_]+:(\d+)$")  # an upload slot such as "photo_id:12" (a member's id; 0 is no one)
NOT_CRAWLED = ("/static/", "/bootstrap/static/", "/logout", "/language")
URL_IN_EMAIL = re.compile(r"https?://[^\s\"'<>]+|(?<![\w/])/[a-z][^\s\"'<>]*")
ATTACKERS = ["household_b", "no_application", "coordinator", "anonymous"]
REFUSED = (403, 404)


# -- Reading pages ------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    page: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends by default
    files: list[str] = field(default_factory=list)
    # hidden or choice fields whose values name records -> those values (each is sent in a request of its own)
    id_values: dict[str, list[str]] = field(default_factory=dict)

    def variants(self) -> list[Form]:
        """The form once per value of a field that names a record (the others as a browser sends them)."""
        if not self.id_values:
            return [self]
        return [replace(self, fields=[(n, value if n == name else v) for n, v in self.fields],
                        id_values={name: [value]})
                for name, values in self.id_values.items() for value in values]

    def key(self) -> tuple[str, str, str]:
        return self.method, self.action, repr(sorted(self.id_values.items()))

    def describe(self) -> str:
        named = {name: values[0] for name, values in self.id_values.items()}
        return f"{self.method} {self.action}" + (f" with {named}" if named else "")


def names_a_record(name: str, value: str) -> bool:
    """A field that names a record: an id ("member_id", the "slot" chosen for a visit) or an upload slot such as
    "photo_id:12" (a member's id; 0 names no one). Numbers in other fields (bedrooms, ages, versions) are not ids."""
    if match := NAMED_NUMBER.match(value):
        return int(match.group(1)) > 0
    return bool(NUMBER.match(value)) and int(value) > 0 and (name.endswith(("id", "_ids")) or name == "slot")


class PageReader(HTMLParser):
    """Every href, src and form of a page."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, option values, selected values
        self._in_textarea = False
        self._radios: dict[str, list[tuple[str, bool]]] = {}
        self._button_taken = False

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if "href" in a and tag in ("a", "link", "area"):
            self.hrefs.append(a["href"])
        for name in ("src", "formaction", "poster", "data"):
            if a.get(name):
                self.srcs.append(a[name])
        if tag == "form":
            self._form = Form(action=a.get("action") or self.page, method=(a.get("method") or "get").upper(),
                              page=self.page, multipart="multipart" in a.get("enctype", ""))
            self._radios, self._button_taken = {}, False
            return
        if tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        form, name = self._form, a.get("name", "")
        if form is None or not name or "disabled" in a:
            return
        kind = a.get("type", "text").lower()
        if tag == "input" and kind == "file":
            form.files.append(name)
        elif tag == "input" and kind == "radio":
            self._radios.setdefault(name, []).append((a.get("value", "on"), "checked" in a))
        elif tag == "input" and kind == "checkbox":
            if "checked" in a:
                form.fields.append((name, a.get("value", "on")))
        elif (tag == "input" and kind in ("submit", "image", "button")) or (tag == "button" and kind == "submit"):
            if not self._button_taken:
                form.fields.append((name, a.get("value", "")))
                self._button_taken = True
        elif tag == "input":
            form.fields.append((name, a.get("value", "")))
            if kind == "hidden" and names_a_record(name, a.get("value", "")):
                form.id_values[name] = [a["value"]]
        elif tag == "select":
            self._select = (name, [], [])
        elif tag == "textarea":
            self._in_textarea = True
            form.fields.append((name, ""))

    def handle_data(self, data):
        if self._in_textarea and self._form is not None:
            name, typed = self._form.fields[-1]
            self._form.fields[-1] = (name, typed + data)

    def handle_endtag(self, tag):
        form = self._form
        if tag == "textarea":
            self._in_textarea = False
        elif tag == "select" and self._select is not None and form is not None:
            name, options, selected = self._select
            form.fields.append((name, selected[0] if selected else next((o for o in options if o), "")))
            if naming := [o for o in options if names_a_record(name, o)]:
                form.id_values[name] = naming
            self._select = None
        elif tag == "form" and form is not None:
            for name, choices in self._radios.items():
                form.fields.append((name, next((v for v, checked in choices if checked), choices[0][0])))
                if naming := [v for v, _checked in choices if names_a_record(name, v)]:
                    form.id_values[name] = naming
            self.forms.append(form)
            self._form = None


def same_site(url: str, base: str) -> str | None:
    """The path and query of a same-site URL (fragment dropped), or None for another site, mailto: and the like."""
    if url.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
        return None
    parts = urlsplit(urljoin("http://localhost" + base, url.strip()))
    if parts.scheme not in ("http", "https") or parts.hostname not in ("localhost", None):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def url_names_a_record(url: str) -> bool:
    parts = urlsplit(url)
    if parts.path.startswith(NOT_CRAWLED[:2]):
        return False
    segments = [s for s in parts.path.split("/") if s]
    values = [v for _k, v in parse_qsl(parts.query)]
    return any(NUMBER.match(s) or TOKEN.match(s) for s in segments) or any(NUMBER.match(v) for v in values)


@dataclass
class Collected:
    links: dict[str, str] = field(default_factory=dict)  # url -> the page it was found on
    forms: dict[tuple[str, str, str], Form] = field(default_factory=dict)
    emailed: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> template and recipient of the email
    pages_read: list[str] = field(default_factory=list)
    public: list[str] = field(default_factory=list)  # what anyone signed out reaches too: not A's, not swept


def crawl(client: FlaskClient, start: list[str], collected: Collected) -> None:
    """Read the pages from `start` on (links followed CRAWL_DEPTH deep) and collect what names a record."""
    queue = [(url, 0) for url in start]
    seen: set[str] = set()
    while queue:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        collected.pages_read.append(url)
        assert response.status_code < 500, f"A's own {url} answered {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reader = PageReader(url)
        reader.feed(response.get_data(as_text=True))
        for raw in [*reader.hrefs, *reader.srcs]:
            target = same_site(raw, url)
            if target is None or target.startswith(NOT_CRAWLED):
                continue
            if url_names_a_record(target):
                collected.links.setdefault(target, url)
            if raw in reader.hrefs and depth < CRAWL_DEPTH:
                queue.append((target, depth + 1))
        for form in reader.forms:
            action = same_site(form.action, url)
            if action is None or action.startswith(NOT_CRAWLED):
                continue
            form.action = action
            if url_names_a_record(action) or (form.method == "POST" and form.id_values):
                for variant in form.variants():
                    collected.forms.setdefault(variant.key(), variant)
            elif form.method == "GET" and depth < CRAWL_DEPTH:
                queue.append((action, depth + 1))


# -- What must not change -----------------------------------------------------------------------------------------


def snapshot(connection: Connection) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table of the models, as the test's own connection sees them."""
    tables = {}
    for table in Base.metadata.sorted_tables:
        rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
        tables[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return tables


def stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()


# -- Household A, and the people who must not reach it -----------------------------------------------------------


def signed_in_as(client: FlaskClient, user: User) -> None:
    """As after /login (tests/portal/test_access_rules.py), without an Argon2 check per person."""
    key = start_session_key(db_session_of(client), user)
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = key
        session["_fresh"] = True


@dataclass
class HouseholdA:
    user: User
    application_id: int
    client: FlaskClient  # signed in as A
    collected: Collected
    typed: list[str]  # what the household typed into its application: no one else may see it


@pytest.fixture
def household_a(app, db, make_user, monkeypatch, tmp_path):
    # Files of this test only: what the sweep may add is seen exactly, and nothing is left behind.
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    # As an inquiring family does: asks, says it will come to an information session, is invited to apply, and
    # opens its account and application from the emailed link (so A holds every emailed link a family gets).
    info_session = InfoSession(starts_at=now_utc() + timedelta(days=7), format=SessionFormat.IN_PERSON,
                               address="1 Main St, Fresno")
    db.session.add(info_session)
    db.session.commit()
    client = app.test_client()
    asked = post_form(client, "/licensing/inquiry", {
        "first_name": "Ana", "last_name": "Torres", "email": "ana.torres@example.com", "phone": "555-123-4567",
        "preferred_locale": "en", "county": "Fresno", "zip_code": "93701", "interest": "foster",
        "source": "faith_community", "questions": "Can we foster siblings?", "session_id": str(info_session.id)})
    assert asked.status_code == 200, asked.get_data(as_text=True)[-2000:]
    lead = db.session.scalar(select(Lead).where(Lead.email == "ana.torres@example.com"))
    info_session.starts_at = now_utc() - timedelta(hours=2)  # the session is held (attendance comes after it)
    db.session.commit()
    staff = app.test_client()
    signed_in_as(staff, make_user(Role.HOMEFINDER))
    for url, form in [(f"/licensing/staff/sessions/{info_session.id}", {"attended": [str(lead.id)]}),
                      (f"/licensing/staff/leads/{lead.id}", {"action": "invite"})]:
        assert post_form(staff, url, form).status_code in (302, 303), url
    invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "invited_to_apply"))
    start = same_site(URL_IN_EMAIL.search(invitation.body_text).group(0), "/")
    opened = post_form(client, start, {"password": TEST_PASSWORD, "confirm": TEST_PASSWORD})
    assert opened.status_code == 302, opened.get_data(as_text=True)[-2000:]
    user = db.session.scalar(select(User).where(User.email == "ana.torres@example.com"))
    application_id = db.session.scalar(select(Application.id).where(Application.household_id == user.household_id))
    collected = Collected()

    # As tests/licensing/conftest.py's submit_complete_application, with a crawl before signing.
    fill_all_sections(client)
    members = db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application_id)
                                 .order_by(HouseholdMember.position)).all()
    adults = [m for m in members if m.first_name != "Mateo"]
    applicants = [m for m in members if m.role is not MemberRole.OTHER]
    slots = [f"photo_id:{m.id}" for m in adults] + [f"medical_statement:{m.id}" for m in applicants]
    for slot in [*slots, "proof_of_income:0", "proof_of_residence:0", "pet_vaccination:0"]:
        assert upload(client, slot).status_code == 303, slot
    crawl(client, START_PAGES, collected)
    for member in applicants:
        if member.role is MemberRole.PRIMARY:
            post_form(client, "/licensing/application/sign", {"member_id": str(member.id),
                                                              "typed_name": member.full_name})
        else:
            sign_through_emailed_link(client, db, member)
    post_form(client, "/licensing/application/submit")
    assert application_row(db, application_id).status is ApplicationStatus.SUBMITTED

    # The homefinder offers two times for a visit: the family's checklist shows them to choose from.
    proposed = post_form(staff, f"/licensing/staff/applications/{application_id}/visits",
                         {"kind": VisitKind.INDIVIDUAL_INTERVIEW.value, "slot_1": days_ahead(30),
                          "slot_2": days_ahead(31, "15:00")})
    assert proposed.status_code in (302, 303), proposed.get_data(as_text=True)[-2000:]

    # A file sent for a checklist item: the checklist then links the item's document too.
    checklist = PageReader("/licensing/checklist")
    checklist.feed(client.get("/licensing/checklist").get_data(as_text=True))
    item_forms = [f for f in checklist.forms if re.search(r"/checklist/items/\d+/document$", f.action)]
    assert item_forms, "the checklist offers no item to send a file for"
    sent = client.post(item_forms[0].action, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/licensing/checklist"), "file": (io.BytesIO(PDF), "cpr.pdf")})
    assert sent.status_code == 303, sent.status_code

    crawl(client, START_PAGES, collected)
    # What anyone reaches from the public pages (the information sessions, ...) names no record of A's.
    public = Collected()
    crawl(app.test_client(), PUBLIC_PAGES, public)
    collected.public = sorted({*public.links, *(form.describe() for form in public.forms.values())})
    for url in public.links:
        collected.links.pop(url, None)
    for key in public.forms:
        collected.forms.pop(key, None)
    for url in [u for u in collected.links if re.fullmatch(r"/licensing/documents/\d+", u)]:
        collected.links.setdefault(f"{url}?preview=1", "(the inline preview of the same route)")
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        for raw in URL_IN_EMAIL.findall(f"{message.body_text} {message.body_html}"):
            target = same_site(raw.rstrip(".,;)"), "/")
            if target is None or not url_names_a_record(target):
                continue
            if any(TOKEN.match(segment) for segment in urlsplit(target).path.split("/")):
                collected.emailed.setdefault(target, (message.template, message.recipient))
                collected.links.pop(target, None)
            else:  # an ordinary link to a record (e.g. staff told of the submission): swept as the pages' links
                collected.links.setdefault(target, f"email {message.template} to {message.recipient}")

    # What A typed that is telling on its own: names, addresses, emails, dates of birth, phone numbers.
    answers = [v for section in SECTION_ANSWERS.values() for v in section.values() if isinstance(v, str)]
    answers += [m.full_name for m in members] + [user.full_name, user.email, "Can we foster siblings?"]
    answers += db.session.scalars(select(Reference.name).where(Reference.application_id == application_id)).all()
    typed = sorted({v for v in answers if len(v) >= 6 and re.search(r"[A-Za-z]\w* \w|@|\d{4}-\d\d-|\d{3}-\d{4}", v)})
    return HouseholdA(user=user, application_id=application_id, client=client, collected=collected, typed=typed)


@pytest.fixture
def attackers(app, make_user) -> dict[str, FlaskClient]:
    household_b = make_user(Role.APPLICANT)
    open_application_for(app, household_b.household_id)
    people = {"household_b": household_b, "no_application": make_user(Role.APPLICANT),
              "coordinator": make_user(Role.COORDINATOR)}
    clients = {name: app.test_client() for name in ATTACKERS}
    for name, person in people.items():
        signed_in_as(clients[name], person)
    return clients


# -- The sweep ----------------------------------------------------------------------------------------------------


def send_form(client: FlaskClient, form: Form):
    data: dict[str, list | tuple | str] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)  # type: ignore[union-attr]
    data["csrf_token"] = csrf_token(client)  # a valid token of the requester's own session
    for name in form.files:
        data[name] = (io.BytesIO(PDF), "scan.pdf")
    if form.method == "GET":
        return client.get(form.action, query_string={k: v for k, v in data.items() if k != "csrf_token"})
    multipart = form.multipart or bool(form.files)
    return client.post(form.action, data=data, content_type="multipart/form-data" if multipart else None)


def wrong_answer(role: str, response, own_page_allowed: bool = False) -> str | None:
    """What is wrong with the answer someone who may not reach the record got, or None for a refusal."""
    status, location = response.status_code, response.headers.get("Location", "")
    if status in REFUSED:
        return None
    if status in (302, 303) and role == "anonymous" and urlsplit(location).path == "/login":
        return None
    if status == 303 and own_page_allowed and not url_names_a_record(location):
        return None  # the requester's own page again, with the refusal said (checked below: nothing of A on it)
    return f"answered {status}" + (f" -> {location}" if location else "")


def _kind(url: str) -> str:
    """The URL's shape, ids and tokens replaced, so that URLs of one route count together."""
    parts = urlsplit(url)
    path = "/".join("<id>" if NUMBER.match(s) else "<token>" if TOKEN.match(s) else s for s in parts.path.split("/"))
    query = "&".join(f"{k}=<id>" if NUMBER.match(v) else f"{k}={v}" for k, v in parse_qsl(parts.query))
    return path + (f"?{query}" if query else "")


def _report(household_a: HouseholdA) -> str:
    collected = household_a.collected
    kinds = Counter(f"GET {_kind(url)}" for url in collected.links)
    kinds.update(f"{form.method} {_kind(form.action)}" + (f" [{', '.join(form.id_values)}]" if form.id_values else "")
                 for form in collected.forms.values())
    kinds.update(f"emailed {_kind(url)}" for url in collected.emailed)
    lines = [f"IDOR sweep: {len(collected.pages_read)} pages read as A; {len(collected.links)} links, "
             f"{len(collected.forms)} form requests, {len(collected.emailed)} emailed links; public, left out: "
             f"{collected.public}"]
    lines += [f"  {count:3} x {kind}" for kind, count in sorted(kinds.items())]
    return "\n".join(lines)


def test_no_one_else_reaches_what_a_household_can(app, db, household_a, attackers, capsys, request):
    collected = household_a.collected
    # The build above reached every kind of record a family can: guard against a crawl that silently finds less.
    kinds = {_kind(url) for url in collected.links} | {_kind(f.action) for f in collected.forms.values()}
    assert {"/licensing/documents/<id>", "/licensing/documents/<id>?preview=<id>",
            "/licensing/application/references/<id>/resend", "/licensing/application/members/<id>/resend",
            "/licensing/checklist/items/<id>/document", "/licensing/visits/<id>/choose",
            "/licensing/application/sign", "/licensing/application/documents"} <= kinds, sorted(kinds)
    assert {_kind(url) for url in collected.emailed} >= {"/licensing/reference/<token>",
                                                         "/licensing/household-member/<token>"}

    problems: list[str] = []
    answers: Counter[str] = Counter()
    for role in ATTACKERS:
        client = attackers[role]
        before, files = snapshot(db.connection), stored_files(app)

        def check(what: str, response, wrong: str | None, role=role) -> None:
            nonlocal before
            answers[f"{role} {response.status_code}"] += 1
            if wrong:
                problems.append(f"{role}: {what} {wrong}")
            after = snapshot(db.connection)
            if changed := sorted(name for name in before if before[name] != after[name]):
                problems.append(f"{role}: {what} changed {changed}")
            before = after

        for url in sorted(collected.links):
            response = client.get(url)
            check(f"GET {url}", response, wrong_answer(role, response))
        for form in sorted(collected.forms.values(), key=Form.key):
            own_page_allowed = not url_names_a_record(form.action)
            response = send_form(client, form)
            wrong = wrong_answer(role, response, own_page_allowed)
            if wrong is None and own_page_allowed and response.status_code == 303:
                wrong = _shows_a(household_a, client.get(response.headers["Location"]).get_data(as_text=True))
            check(form.describe(), response, wrong)
        for url, (_template, recipient) in sorted(collected.emailed.items()):
            response = shown = client.get(url)
            if response.status_code in (301, 302, 303, 307, 308):  # e.g. to sign in: what is said there?
                shown = client.get(response.headers["Location"], follow_redirects=True)
            wrong = None if shown.status_code in (*REFUSED, 400) else _shows_a(
                household_a, shown.get_data(as_text=True), allowed=_person_of(db, recipient))
            check(f"GET {url} (emailed link)", response, wrong)
        if added := stored_files(app) - files:
            problems.append(f"{role}: the sweep stored {len(added)} files in the upload folder")
    report = _report(household_a) + "\n  answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items()))
    if request.config.get_verbosity() > 0:  # `pytest -v` shows what was collected and what each person got
        with capsys.disabled():
            print("\n" + report)
    assert problems == [], "\n".join([*problems, "", report])

    # The checks above can fail: A itself gets its records, and its own pages show what it typed.
    on_pages = [url for url, page in collected.links.items() if not page.startswith("email ")]
    assert all(household_a.client.get(url).status_code == 200 for url in on_pages)
    assert _shows_a(household_a, household_a.client.get("/licensing/application").get_data(as_text=True))


def _shows_a(household_a: HouseholdA, page: str, allowed: str = "") -> str | None:
    """What a page someone else got shows of A: what A typed, or links to A's records."""
    shown = [value for value in household_a.typed if value in page and value not in allowed]
    reader = PageReader("/")
    reader.feed(page)
    mine = set(household_a.collected.links) | {form.action for form in household_a.collected.forms.values()}
    linked = sorted({same_site(raw, "/") for raw in [*reader.hrefs, *reader.srcs, *(f.action for f in reader.forms)]}
                    & {url for url in mine if url_names_a_record(url)})
    if shown or linked:
        return f"shows A's {shown} and links to A's {linked}"
    return None


def _person_of(db, recipient: str) -> str:
    """The name and email of the person an emailed link was sent to: what the page is there to show."""
    db.session.expire_all()
    names = [r.name for r in db.session.scalars(select(Reference).where(Reference.email == recipient))]
    names += [m.full_name for m in db.session.scalars(select(HouseholdMember).where(HouseholdMember.email
                                                                                      == recipient))]
    return " ".join([*names, recipient])
