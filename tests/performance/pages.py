"""The main pages of the portal, each for the person who usually opens it: one list shared by the benchmark
(`make bench`, tests/performance/bench.py) and the statement budgets (tests/performance/test_page_budgets.py).

Who signs in is found by query in whatever data is there (the demo's and the scale seed's), so each page shows real
data: a licensed family with a child placed in their home, a family in the middle of its application, the
homefinder with the most families, the coordinator with the biggest caseload and a child of that caseload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, and_, case, event, func, select

from licensing.application.models import Application, ApplicationSection, ApplicationStatus, SectionStatus
from licensing.recruitment.models import Lead
from licensing.tracker.models import ChecklistItem
from portal.children.models import Appointment, CaseStatus, Child, Placement, PlacementStatus
from portal.clock import agency_today
from portal.extensions import db
from portal.models import Role, User

# At 10,000 households every page must answer in under this many times the baseline page's median, and in under
# MAX_MEDIAN_MS; every page issues the same number of statements at both sizes, at most MAX_STATEMENTS.
MAX_RATIO = 8.0
MAX_MEDIAN_MS = 50.0
MAX_STATEMENTS = 20


@dataclass(frozen=True)
class Accounts:
    """The people (user ids) and records the pages are opened for."""

    family: int  # a licensed family with a child placed in their home (the one whose children have most appointments)
    applicant: int  # a family in the middle of its application
    homefinder: int  # the homefinder with the most families
    coordinator: int  # the coordinator with the biggest caseload
    child: int  # the child of that caseload with the most appointments
    staff_application: int  # the application of that homefinder's families with the longest checklist
    report_period: str  # last month, as the reports page opens it ("2026-10")

    def user_for(self, role: str) -> int:
        return getattr(self, role)


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # which of Accounts' people opens it: family, applicant, homefinder or coordinator
    path: Callable[[Accounts], str]


# The page every other is compared with: the base template for a signed-in person, nothing else.
BASELINE = Page("baseline (signed-in base template)", "family", lambda a: "/account/signed-in")

PAGES = [
    Page("family home", "family", lambda a: "/dashboard"),
    Page("application section", "applicant", lambda a: "/licensing/application/section/household"),
    Page("family checklist", "family", lambda a: "/licensing/checklist"),
    Page("training catalog", "family", lambda a: "/training/catalog"),
    Page("family training record", "family", lambda a: "/training/hours"),
    Page("child appointments (family's list)", "family", lambda a: "/appointments/family"),
    Page("message inbox", "family", lambda a: "/messages/"),
    Page("homefinder home", "homefinder", lambda a: "/dashboard"),
    Page("pipeline board, first page", "homefinder", lambda a: "/licensing/staff/pipeline"),
    Page("pipeline board, everyone's, Spanish, search", "homefinder",
         lambda a: "/licensing/staff/pipeline?who=all&language=es&q=ana"),
    Page("recruitment metrics", "homefinder", lambda a: "/licensing/staff/metrics"),
    Page("monthly report", "homefinder", lambda a: f"/licensing/staff/reports/{a.report_period}"),
    Page("staff checklist", "homefinder",
         lambda a: f"/licensing/staff/applications/{a.staff_application}/checklist"),
    Page("coordinator caseload", "coordinator", lambda a: "/children/"),
    Page("a child's page", "coordinator", lambda a: f"/children/{a.child}"),
]


def _first(query, what: str) -> int:
    found = db.session.execute(query.limit(1)).first()
    if found is None:
        raise LookupError(f"no {what} in this database: seed it first (flask --app app seed-demo --households N)")
    return found[0]


def find_accounts() -> Accounts:
    """The people and records the pages are opened for, by query (inside an application context)."""
    placed = and_(Placement.household_id == User.household_id, Placement.status == PlacementStatus.ACTIVE)
    family = _first(
        select(User.id).join(Placement, placed).outerjoin(Appointment, Appointment.child_id == Placement.child_id)
        .where(User.role == Role.FAMILY, User.is_active.is_(True))
        .group_by(User.id).order_by(func.count(Appointment.id).desc(), User.id),
        "licensed family with a placed child")
    complete = func.sum(case((ApplicationSection.status == SectionStatus.COMPLETE, 1), else_=0))
    applicant = _first(
        select(User.id).join(Application, Application.household_id == User.household_id)
        .join(ApplicationSection, ApplicationSection.application_id == Application.id)
        .where(User.role == Role.APPLICANT, User.is_active.is_(True),
               Application.status == ApplicationStatus.IN_PROGRESS)
        .group_by(User.id).order_by(complete.desc(), User.id),
        "family in the middle of its application")
    homefinder = _first(
        select(User.id).join(Lead, Lead.assigned_homefinder_id == User.id)
        .where(User.role == Role.HOMEFINDER, User.is_active.is_(True))
        .group_by(User.id).order_by(func.count(Lead.id).desc(), User.id),
        "homefinder with families")
    staff_application = _first(
        select(Application.id).join(ChecklistItem, ChecklistItem.application_id == Application.id)
        .where(Application.assigned_homefinder_id == homefinder)
        .group_by(Application.id).order_by(func.count(ChecklistItem.id).desc(), Application.id),
        "application with a checklist")
    open_case = and_(Child.coordinator_id == User.id, Child.case_status == CaseStatus.OPEN)
    coordinator = _first(
        select(User.id).join(Child, open_case).where(User.role == Role.COORDINATOR, User.is_active.is_(True))
        .group_by(User.id).order_by(func.count(Child.id).desc(), User.id),
        "coordinator with a caseload")
    child = _first(
        select(Child.id).outerjoin(Appointment, Appointment.child_id == Child.id)
        .where(Child.coordinator_id == coordinator, Child.case_status == CaseStatus.OPEN)
        .group_by(Child.id).order_by(func.count(Appointment.id).desc(), Child.id),
        "child on a caseload")
    last_month = agency_today().replace(day=1) - timedelta(days=1)
    return Accounts(family=family, applicant=applicant, homefinder=homefinder, coordinator=coordinator, child=child,
                    staff_application=staff_application, report_period=f"{last_month:%Y-%m}")


@dataclass
class StatementCount:
    count: int = 0


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementCount]:
    """Every SQL statement the engine runs inside the block (a test's own SAVEPOINTs aside)."""
    counter = StatementCount()

    def _before(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            counter.count += 1

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _before)
