"""A bounded load client of our own (locust is heavy): simulated people of mixed roles, one thread each, against a
running portal (gunicorn on loopback), with every write counted in the database before and after.

Each simulated person signs in first (families and applicants with their password; staff also pass the second step
with the demo authenticator), then loops over their role's pages and now and then writes: a family enrolls in a
training session and starts a message thread, an applicant saves an application section. A write answered 2xx/3xx
must have made exactly one row (an enrollment, a message, a `section_saved` event); a refused one (4xx) none.
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyotp
import requests
from sqlalchemy import bindparam, create_engine, text

from portal.demo import DEMO_PASSWORD
from portal.two_step import DEMO_SECRET

TIMEOUT = 60
ROLE_MIX = {"family": 0.4, "applicant": 0.2, "homefinder": 0.2, "coordinator": 0.2}
WRITE_EVERY = 5  # one write in about five requests of the people who write
# The trivial signed-in page (the benchmark's baseline, tests/performance/pages.py::BASELINE): the session and user
# load, the menu and the base template, nothing else. `make load` runs it as a third, reported run: the most any mix of
# signed-in pages could reach on this machine.
BASE_TEMPLATE_PATH = "/account/signed-in"
# Sections whose seeded answers, completed with "no" where unanswered, make a valid save (the others are only read).
SAVED_SECTIONS = ("employment",)


# -- forms in a page --------------------------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser would send as it is
    options: dict[str, list[str]] = field(default_factory=dict)  # checkboxes and selects: the values offered


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._selected, self._first_option = name, None, None
            form.options.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.options[self._select].append(value)
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._selected = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self.forms:
            chosen = self._selected if self._selected is not None else self._first_option
            if chosen is not None:
                self.forms[-1].fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].fields.append((self._textarea, self._text.strip("\n")))
            self._textarea = None


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_form(page: requests.Response, action_part: str) -> Form | None:
    """The page's POST form whose action contains `action_part` (a form without an action posts to the page)."""
    path = urlsplit(page.url).path
    return next((f for f in forms_in(page.text) if f.method == "post" and action_part in (f.action or path)), None)


def replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in fields if k != name] + [(name, value)]


# -- what happened ----------------------------------------------------------------------------------------------------

@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    deadline: float = float("inf")  # requests per second count the answers that came before it
    in_window: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # no answer at all (connection refused, timeout)
    by_page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    # writes answered, per (kind, account): how many were accepted (2xx/3xx) and refused (4xx)
    accepted: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    unknown_writes: int = 0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, page: str, seconds: float, status: int | None, error: str = "") -> None:
        with self.lock:
            if time.perf_counter() <= self.deadline:
                self.in_window += 1
            self.latencies.append(seconds)
            self.by_page[page].append(seconds)
            if status is None:
                self.errors[error] += 1
            else:
                self.statuses[status] += 1
                if status >= 500:
                    self.server_errors.append(f"{status} {page}")

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        """Answers received within the run's time, per second (requests still under way at the end are timed for
        the latencies but not counted here)."""
        return self.in_window / self.elapsed if self.elapsed else 0.0

    @property
    def five_xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000

    def summary(self, name: str) -> dict:
        return {"run": name, "requests": self.requests, "seconds": round(self.elapsed, 1),
                "rps": round(self.rps, 1), "p50_ms": round(self.percentile(50), 1),
                "p95_ms": round(self.percentile(95), 1), "5xx": self.five_xx,
                "no_answer": sum(self.errors.values()), "statuses": dict(sorted(self.statuses.items()))}

    def page_table(self) -> list[str]:
        lines = []
        for page, values in sorted(self.by_page.items()):
            lines.append(f"  {page:<28} {len(values):>6}  p50 {self.percentile(50, values):7.1f} ms  "
                         f"p95 {self.percentile(95, values):7.1f} ms  mean {statistics.fmean(values) * 1000:7.1f} ms")
        return lines


# -- the people -------------------------------------------------------------------------------------------------------

@dataclass
class Account:
    email: str
    role: str
    user_id: int
    household_id: int | None = None


class Person:
    """One simulated person: their own HTTP session (cookies), signing in, then their role's loop."""

    def __init__(self, base: str, account: Account, results: Results, sessions: list[int], rng: random.Random):
        self.base = base
        self.account = account
        self.results = results
        self.sessions = sessions
        self.rng = rng
        self.http = requests.Session()
        self.child_paths: list[str] = []
        self.section_keys = ["health", "employment", "residence", "preferences"]
        self.measuring = False
        self.write_every = WRITE_EVERY
        self.base_template_only = False  # the floor run: the signed-in base template, nothing else (run_mixed)

    # A request, timed and noted when measuring (signing in is not part of the figures).
    def get(self, path: str, page: str) -> requests.Response | None:
        return self._call("GET", path, page)

    def post(self, path: str, page: str, data) -> requests.Response | None:
        return self._call("POST", path, page, data=data)

    def _call(self, method: str, path: str, page: str, **kwargs) -> requests.Response | None:
        url = path if path.startswith("http") else self.base + path
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as error:
            if self.measuring:
                self.results.note(page, time.perf_counter() - started, None, type(error).__name__)
            return None
        if self.measuring:
            self.results.note(page, time.perf_counter() - started, response.status_code)
        elif response.status_code >= 500:
            with self.results.lock:
                self.results.server_errors.append(f"{response.status_code} {page} (signing in)")
                self.results.statuses[response.status_code] += 1
        return response

    def sign_in(self) -> bool:
        page = self.get("/login", "sign-in")
        form = page is not None and post_form(page, "/login")
        if not form:
            return False
        data = replace(replace(form.fields, "email", self.account.email), "password", DEMO_PASSWORD)
        answer = self.post("/login", "sign-in", data)
        if answer is None or not 300 <= answer.status_code < 400:
            return False
        if "/login/code" in answer.headers.get("Location", ""):
            return self._second_step()
        return True

    def _second_step(self) -> bool:
        page = self.get("/login/code", "sign-in")
        form = page is not None and post_form(page, "/login/code")
        if not form:
            return False
        answer = self.post("/login/code", "sign-in", replace(form.fields, "code", pyotp.TOTP(DEMO_SECRET).now()))
        return answer is not None and 300 <= answer.status_code < 400

    def adopt(self, other: Person) -> None:
        """Another browser of the same staff member: each code of the authenticator is taken once per account."""
        self.http.cookies.update(other.http.cookies)

    # One turn of the role's loop.
    def turn(self) -> None:
        if self.base_template_only:
            self.get(BASE_TEMPLATE_PATH, "signed-in base template")
            return
        getattr(self, f"_turn_{self.account.role}")()

    def _turn_family(self) -> None:
        for path, page in (("/dashboard", "family home"), ("/licensing/checklist", "family checklist"),
                           ("/appointments/family", "family appointments"), ("/training/hours", "training record"),
                           ("/messages/", "messages")):
            self.get(path, page)
            if self.rng.randrange(self.write_every) == 0:
                self.rng.choice((self._enroll, self._send_message))()

    def _turn_applicant(self) -> None:
        self.get("/dashboard", "applicant home")
        self.get("/licensing/application", "application")
        key = self.rng.choice(self.section_keys)
        page = self.get(f"/licensing/application/section/{key}", "application section")
        if self.rng.randrange(self.write_every) == 0:
            if key not in SAVED_SECTIONS:
                key = SAVED_SECTIONS[0]
                page = self.get(f"/licensing/application/section/{key}", "application section")
            if page is not None and page.status_code == 200:
                self._save_section(key, page)

    def _turn_homefinder(self) -> None:
        for path, page in (("/dashboard", "homefinder home"), ("/licensing/staff/pipeline", "pipeline board"),
                           ("/licensing/staff/metrics", "metrics")):
            self.get(path, page)

    def _turn_coordinator(self) -> None:
        caseload = self.get("/children/", "caseload")
        if caseload is not None and caseload.status_code == 200 and not self.child_paths:
            self.child_paths = sorted(set(re.findall(r'href="(/children/[0-9]+)"', caseload.text))) or ["/children/"]
        if self.child_paths:
            self.get(self.rng.choice(self.child_paths), "child page")

    # Writes: each answer is counted as accepted or refused, per account.
    def _count(self, kind: str, response: requests.Response | None) -> None:
        with self.results.lock:
            if response is None or response.status_code >= 500:
                self.results.unknown_writes += response is None
            elif response.status_code < 400:
                self.results.accepted[(kind, self.account.user_id)] += 1
            else:
                self.results.refused[(kind, self.account.user_id)] += 1

    def _enroll(self) -> None:
        if not self.sessions:
            return
        session_id = self.rng.choice(self.sessions)
        page = self.get(f"/training/sessions/{session_id}/enroll", "enroll page")
        form = page is not None and page.status_code == 200 and post_form(page, "/enroll")
        if not form or not form.options.get("people"):
            return
        data = replace(form.fields, "people", form.options["people"][0])  # one person: one row when accepted
        self._count("enrollment", self.post(f"/training/sessions/{session_id}/enroll", "enroll (write)", data))

    def _send_message(self) -> None:
        page = self.get("/messages/new", "new message page")
        form = page is not None and page.status_code == 200 and post_form(page, "/messages/new")
        staff = [value for value in (form.options.get("staff_id", []) if form else []) if value]
        if not staff:
            return
        data = replace(replace(replace(form.fields, "staff_id", staff[0]), "subject", "Load test"),
                       "body", f"A question from the load test, {self.rng.random():.6f}.")
        self._count("message", self.post("/messages/new", "message (write)", data))

    def _save_section(self, key: str, page: requests.Response) -> None:
        form = post_form(page, f"/application/section/{key}")
        if not form:
            return
        # Answer what is still unanswered with the last choice ("no" to a yes/no question), as a person would.
        given = {name for name, _value in form.fields}
        fields = [(name, value.strip()) for name, value in form.fields]
        fields += [(name, values[-1]) for name, values in form.options.items() if name not in given and values]
        form.fields = fields
        self._count("section", self.post(f"/licensing/application/section/{key}", "section save (write)",
                                         form.fields))


# -- the database's side ----------------------------------------------------------------------------------------------

def find_accounts(database_url: str) -> dict[str, list[Account]]:
    """Who can sign in, by role: seeded families with a household, applicants whose application they can still edit,
    and the demo's staff (their authenticator is the demo secret)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        def rows(sql: str) -> list[Account]:
            return [Account(*row) for row in connection.execute(text(sql))]

        accounts = {
            "family": rows("SELECT email, 'family', id, household_id FROM user_account WHERE role = 'family' "
                           "AND is_active AND password_hash IS NOT NULL AND household_id IS NOT NULL ORDER BY id"),
            "applicant": rows("SELECT u.email, 'applicant', u.id, u.household_id FROM user_account u "
                              "JOIN application a ON a.household_id = u.household_id WHERE u.role = 'applicant' "
                              "AND u.is_active AND u.password_hash IS NOT NULL "
                              "AND a.status IN ('in_progress', 'returned') ORDER BY u.id"),
            "homefinder": rows("SELECT email, 'homefinder', id, NULL FROM user_account "
                               "WHERE email = 'homefinder@demo.test'"),
            "coordinator": rows("SELECT email, 'coordinator', id, NULL FROM user_account "
                                "WHERE email = 'coordinator@demo.test'"),
        }
    engine.dispose()
    return accounts


def open_sessions(database_url: str) -> list[int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM course_session WHERE status = 'open' "
                                           "AND enroll_by >= CURRENT_DATE ORDER BY id")))
    engine.dispose()
    return ids


def count_writes(database_url: str, user_ids: list[int]) -> Counter:
    """Rows per (kind, account) that the writes make: enrollments of the account's household made by it, messages it
    wrote, `section_saved` events it caused."""
    counts: Counter = Counter()
    if not user_ids:
        return counts
    engine = create_engine(database_url)
    queries = {
        "enrollment": "SELECT u.id, count(e.id) FROM user_account u JOIN enrollment e "
                      "ON e.household_id = u.household_id WHERE u.id IN :ids GROUP BY u.id",
        "message": "SELECT author_id, count(*) FROM message WHERE author_id IN :ids GROUP BY author_id",
        "section": "SELECT actor_id, count(*) FROM audit_event WHERE actor_id IN :ids "
                   "AND action = 'section_saved' GROUP BY actor_id",
    }
    with engine.connect() as connection:
        for kind, sql in queries.items():
            query = text(sql).bindparams(bindparam("ids", expanding=True))
            for user_id, n in connection.execute(query, {"ids": list(user_ids)}):
                counts[(kind, user_id)] = n
    engine.dispose()
    return counts


def check_writes(before: Counter, after: Counter, results: Results) -> list[str]:
    """Every accepted write made exactly one row, every refused one none: the problems found (empty: none)."""
    problems = []
    for key in set(before) | set(after) | set(results.accepted):
        made = after[key] - before[key]
        if made != results.accepted[key]:
            kind, user_id = key
            problems.append(f"{kind} of account {user_id}: {results.accepted[key]} accepted, {made} rows made")
    if results.unknown_writes:
        problems.append(f"{results.unknown_writes} writes got no answer")
    return problems


# -- runs -------------------------------------------------------------------------------------------------------------

def pick_people(base: str, accounts: dict[str, list[Account]], users: int, results: Results, sessions: list[int],
                seed: int = 14) -> list[Person]:
    """`users` people in the ROLE_MIX proportions; families and applicants are each a different account."""
    rng = random.Random(seed)
    wanted = {role: max(1, round(users * share)) for role, share in ROLE_MIX.items()}
    wanted["family"] += users - sum(wanted.values())
    people = []
    for role, count in wanted.items():
        pool = accounts.get(role) or []
        if not pool:
            continue
        chosen = rng.sample(pool, min(count, len(pool))) if role in ("family", "applicant") else \
            [pool[i % len(pool)] for i in range(count)]
        people += [Person(base, account, results, sessions, random.Random(rng.random())) for account in chosen]
    return people


def sign_in_all(people: list[Person], workers: int) -> list[Person]:
    """Everyone signs in (in parallel); staff sharing an account sign in once and the others use that browser's
    cookies. Returns who is signed in."""
    first_of: dict[str, Person] = {}
    staff_rest = []
    others = []
    for person in people:
        if person.account.role in ("homefinder", "coordinator"):
            if person.account.email in first_of:
                staff_rest.append(person)
                continue
            first_of[person.account.email] = person
        others.append(person)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        signed = dict(zip(others, pool.map(Person.sign_in, others), strict=True))
    for person in staff_rest:
        first = first_of[person.account.email]
        if signed.get(first):
            person.adopt(first)
            signed[person] = True
    return [person for person in people if signed.get(person)]


def run_for(people: list[Person], seconds: float, results: Results) -> Results:
    """Each person loops over their turns until the time is up (a request under way finishes)."""
    deadline = results.deadline = time.perf_counter() + seconds

    def loop(person: Person) -> None:
        person.measuring = True
        while time.perf_counter() < deadline:
            person.turn()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        list(pool.map(loop, people))
    results.elapsed = seconds
    return results


def run_anonymous(base: str, users: int, seconds: float) -> Results:
    """The baseline: the same number of people asking for the public home page."""
    results = Results()
    deadline = results.deadline = time.perf_counter() + seconds

    def loop(_index: int) -> None:
        http = requests.Session()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = http.get(base + "/", timeout=TIMEOUT, allow_redirects=False)
            except requests.RequestException as error:
                results.note("anonymous home", time.perf_counter() - started, None, type(error).__name__)
            else:
                results.note("anonymous home", time.perf_counter() - started, response.status_code)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(loop, range(users)))
    results.elapsed = seconds
    return results


@dataclass
class MixedRun:
    results: Results
    signed_in: int
    wanted: int
    write_problems: list[str]
    sign_in_seconds: float


def run_mixed(base: str, database_url: str, users: int, seconds: float, write_every: int = WRITE_EVERY,
              window: Callable[[], AbstractContextManager] = nullcontext,
              base_template_only: bool = False) -> MixedRun:
    """Sign everyone in, count rows, run the mixed load (inside `window`, e.g. tests/load/cpu.py::CpuWindow: signing
    in is not part of the figures), count again, compare with the answers. With `base_template_only` the same people
    ask only for the trivial signed-in page (and write nothing)."""
    results = Results()
    people = pick_people(base, find_accounts(database_url), users, results, open_sessions(database_url))
    for person in people:
        person.write_every = write_every
        person.base_template_only = base_template_only
    started = time.perf_counter()
    signed = sign_in_all(people, workers=min(len(people), 10))
    sign_in_seconds = time.perf_counter() - started
    user_ids = sorted({person.account.user_id for person in signed})
    before = count_writes(database_url, user_ids)
    with window():
        run_for(signed, seconds, results)
    after = count_writes(database_url, user_ids)
    return MixedRun(results, len(signed), len(people), check_writes(before, after, results), sign_in_seconds)
