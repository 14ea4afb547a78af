"""The recruitment metrics for a period, each one aggregate query in the database (never a loop over rows): how
many families reached each stage, how long each step took (median and 90th percentile), where families came from
and how many of them were licensed, and how fast inquiries were first contacted, by homefinder.

The page runs the same handful of statements whatever the number of families (tests/licensing/
test_pipeline_metrics.py counts them at two sizes). The results are small dataclasses; words for their keys are the
view's and the template's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, String, and_, case, cast, exists, func, literal, select, union_all

from licensing.application.models import Application
from licensing.pipeline.sql import day_number, percentiles, rank_at
from licensing.pipeline.stages import OPEN_STAGES, Stage, homefinder_column, pipeline_select, stage_column
from licensing.recruitment.models import Lead, RecruitmentEvent, SessionRsvp
from licensing.tracker.models import License
from portal.clock import agency_zone
from portal.data_versions import remembered, watch
from portal.extensions import db
from portal.folding import fold_text
from portal.i18n import local_to_utc
from portal.models import User


@dataclass(frozen=True)
class Period:
    """Days in the agency's time zone, both ends included."""

    first: date
    last: date

    @property
    def start_utc(self) -> datetime:
        return local_to_utc(datetime.combine(self.first, time.min))

    @property
    def end_utc(self) -> datetime:
        """The instant after the period (exclusive)."""
        return local_to_utc(datetime.combine(self.last + timedelta(days=1), time.min))

    def holds(self, column):
        return and_(column >= self.start_utc, column < self.end_utc)


def last_twelve_months(today: date) -> Period:
    """The default period: the twelve months up to and including today."""
    try:
        first = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        first = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return Period(first, today)


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    reached: int
    # The share of the previous stage's families that reached this one (None for the first, or after zero).
    rate: float | None


@dataclass(frozen=True)
class Funnel:
    families: int
    closed: int
    stages: tuple[StageCount, ...]


@dataclass(frozen=True)
class StepDuration:
    step: str  # a key of STEPS
    count: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class GroupCount:
    key: str | int | None  # the source, the event's name, the language code, the homefinder's id
    name: str  # the event's or homefinder's name (empty when the key says it)
    families: int
    licensed: int

    @property
    def license_rate(self) -> float | None:
        return self.licensed / self.families if self.families else None


@dataclass(frozen=True)
class FirstContact:
    homefinder_id: int | None  # None: families no homefinder is assigned to (or, in `overall`, everyone)
    name: str
    families: int
    contacted: int
    within_one_business_day: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def share_within(self) -> float | None:
        return self.within_one_business_day / self.families if self.families else None


@dataclass(frozen=True)
class Metrics:
    """Shared by every request that reads the same period until the pipeline changes (`compute`): tuples and frozen
    dataclasses, so no view or chart can change what the next page shows."""
    period: Period
    funnel: Funnel
    durations: tuple[StepDuration, ...]
    by_source: tuple[GroupCount, ...]
    by_event: tuple[GroupCount, ...]
    by_language: tuple[GroupCount, ...]
    by_homefinder: tuple[GroupCount, ...]
    first_contact: tuple[FirstContact, ...]
    first_contact_overall: FirstContact | None = field(default=None)


# What the metrics read: a commit writing any of these moves the "pipeline" data version (portal/data_versions.py),
# and the metrics of a period (and the board's counts per stage, board.py) are remembered until it moves. A lead's
# "last activity" and "in this stage since" are written at every family action and count in no metric; of an
# account, only the name shows (a homefinder's).
PIPELINE_VERSION = "pipeline"
watch(PIPELINE_VERSION, Lead, ignore=("last_activity_at", "status_changed_at"))
watch(PIPELINE_VERSION, Application, License, SessionRsvp, RecruitmentEvent)
watch(PIPELINE_VERSION, User, only=("full_name",))


def compute(period: Period) -> Metrics:
    """Every number of the metrics page for the period: remembered in this process until the pipeline's data
    changes (one statement reads its version), else computed (`compute_now`)."""
    return remembered(db.session, PIPELINE_VERSION, (period.first, period.last), lambda: compute_now(period))


def compute_now(period: Period) -> Metrics:
    """Every number of the metrics page, in two statements: the families of the period (one scan, kept by the
    database as a materialized CTE, then grouped seven ways), and the days per step."""
    groups = _cohort_groups(period)
    first_contact = [_first_contact(row) for row in groups.get("first_contact", [])]
    overall = groups.get("first_contact_all", [])
    return Metrics(
        period=period,
        funnel=_funnel(groups.get("funnel", [])),
        durations=step_durations(period),
        by_source=_group_counts(groups.get("source", [])),
        by_event=_group_counts(groups.get("event", [])),
        by_language=_group_counts(groups.get("language", [])),
        by_homefinder=_group_counts(groups.get("homefinder", []), key=_int_or_none),
        first_contact=tuple(sorted(first_contact, key=lambda row: (row.name == "", fold_text(row.name)))),
        first_contact_overall=_first_contact(overall[0]) if overall else None,
    )


# --- The families of the period, grouped ------------------------------------------------------------------------

STAGE_RANK = {stage: rank for rank, stage in enumerate(OPEN_STAGES)}


def _records_rank():
    """The furthest open stage a family's records show it reached, as a SQL integer: a first contact, a session
    sign-up, an invitation, an application started or sent, a license (what a closed family did before closing)."""
    signed_up = exists().where(SessionRsvp.lead_id == Lead.id)
    return case(
        (License.id.is_not(None), literal(STAGE_RANK[Stage.LICENSED])),
        (Application.submitted_at.is_not(None), literal(STAGE_RANK[Stage.HOME_STUDY])),
        (Application.id.is_not(None), literal(STAGE_RANK[Stage.APPLYING])),
        (Lead.invited_at.is_not(None), literal(STAGE_RANK[Stage.INVITED])),
        (signed_up, literal(STAGE_RANK[Stage.ORIENTATION])),
        (Lead.first_contact_at.is_not(None), literal(STAGE_RANK[Stage.CONTACTED])),
        else_=literal(0),
    )


def _cohort(period: Period):
    """One row per family whose first inquiry arrived in the period: what it is counted by, how far it got, whether
    it was licensed, its hours to first contact and their rank (by homefinder, and among everyone).

    Two MATERIALIZED CTEs (SQLite >= 3.35, PostgreSQL >= 12): the join, the stage and the timestamps are read once
    per family, then the ranks are computed on plain numbers, and the seven groupings read the result."""
    base = pipeline_select(
        Lead.source.label("source"), Lead.preferred_locale.label("locale"),
        homefinder_column().label("homefinder"), Lead.event_id.label("event"),
        case((License.id.is_not(None), 1), else_=0).label("licensed"),
        stage_column().label("stage"), _records_rank().label("records"),
        (day_number(Lead.first_contact_at) - day_number(Lead.created_at)).label("days"),  # NULL: not contacted
        # Within one business day: by the deadline stored on the lead (portal/clock.py::first_contact_due), the same
        # one the dashboard and the leads list call late.
        case((Lead.first_contact_at <= Lead.first_contact_due_at, 1), else_=0).label("within"),
    ).where(period.holds(Lead.created_at)).cte("cohort_base").prefix_with("MATERIALIZED")
    uncontacted = base.c.days.is_(None)
    by_homefinder = {"partition_by": (base.c.homefinder, uncontacted), "order_by": base.c.days}
    everyone = {"partition_by": uncontacted, "order_by": base.c.days}
    return select(
        base.c.source, base.c.locale, base.c.homefinder, base.c.event, base.c.licensed, base.c.stage,
        base.c.records, (base.c.days * 24).label("hours"),
        base.c.within,
        # Two sorts, not four: the rank and the count share each window's order (the count over the whole
        # partition); the uncontacted are a partition of their own, so `n` counts the contacted ones.
        func.row_number().over(**by_homefinder).label("rn_homefinder"),
        func.count().over(**by_homefinder, rows=(None, None)).label("n_homefinder"),
        func.row_number().over(**everyone).label("rn_all"),
        func.count().over(**everyone, rows=(None, None)).label("n_all"),
    ).cte("cohort").prefix_with("MATERIALIZED")


def _cohort_groups(period: Period) -> dict[str, list]:
    """The cohort grouped by stage reached, source, event, language and homefinder (families, licensed), and the
    first contact by homefinder and for everyone: one statement, rows tagged with their grouping."""
    cohort = _cohort(period)
    current = case(*((cohort.c.stage == stage.value, literal(rank)) for stage, rank in STAGE_RANK.items()),
                   else_=literal(0))
    reached = case((current > cohort.c.records, current), else_=cohort.c.records)
    closed = case((cohort.c.stage == Stage.CLOSED.value, 1), else_=0)
    null_number, no_name, zero = cast(literal(None), Float), literal(""), literal(0)

    def part(grouping: str, key, second, name=no_name, *, joins=(), group_by=(), grouped=True,
             third=zero, median=null_number, p90=null_number):
        query = select(literal(grouping).label("grouping"), cast(key, String).label("key"), name.label("name"),
                       func.count().label("families"), second.label("second"), third.label("third"),
                       median.label("median"), p90.label("p90")).select_from(cohort)
        for target, on in joins:
            query = query.outerjoin(target, on)
        return query.group_by(key, *group_by) if grouped else query  # everyone: one row, even with no family

    def at(rank, count, percent):
        return func.max(case((and_(cohort.c.hours.is_not(None), rank == rank_at(count, percent)), cohort.c.hours)))

    licensed = func.sum(cohort.c.licensed)
    first_contact = {"second": func.count(cohort.c.hours), "third": func.sum(cohort.c.within)}
    rows = db.session.execute(union_all(
        part("funnel", reached, func.sum(closed)),
        part("source", cohort.c.source, licensed),
        part("language", cohort.c.locale, licensed),
        part("event", cohort.c.event, licensed, RecruitmentEvent.name,
             joins=[(RecruitmentEvent, RecruitmentEvent.id == cohort.c.event)], group_by=[RecruitmentEvent.name])
        .where(cohort.c.event.is_not(None)),
        part("homefinder", cohort.c.homefinder, licensed, User.full_name,
             joins=[(User, User.id == cohort.c.homefinder)], group_by=[User.full_name]),
        part("first_contact", cohort.c.homefinder, name=User.full_name, **first_contact,
             median=at(cohort.c.rn_homefinder, cohort.c.n_homefinder, 50),
             p90=at(cohort.c.rn_homefinder, cohort.c.n_homefinder, 90),
             joins=[(User, User.id == cohort.c.homefinder)], group_by=[User.full_name]),
        part("first_contact_all", no_name, name=no_name, **first_contact, grouped=False,
             median=at(cohort.c.rn_all, cohort.c.n_all, 50), p90=at(cohort.c.rn_all, cohort.c.n_all, 90)),
    )).all()
    groups: dict[str, list] = {}
    for row in rows:  # one row per group (seven stages, six sources, two languages...), never per family
        groups.setdefault(row.grouping, []).append(row)
    return groups


def _funnel(rows) -> Funnel:
    at_rank = {int(row.key): int(row.families) for row in rows}
    stages: list[StageCount] = []
    previous: int | None = None
    for stage, rank in STAGE_RANK.items():
        reached = sum(count for r, count in at_rank.items() if r >= rank)
        stages.append(StageCount(stage, reached, reached / previous if previous else None))
        previous = reached
    return Funnel(families=sum(at_rank.values()), closed=sum(int(row.second or 0) for row in rows),
                  stages=tuple(stages))


def _int_or_none(key):
    return None if key is None else int(key)


def _group_counts(rows, key=lambda value: value) -> tuple[GroupCount, ...]:
    counts = [GroupCount(key(row.key), row.name or "", int(row.families), int(row.second or 0)) for row in rows]
    return tuple(sorted(counts, key=lambda g: (-g.families, fold_text(str(g.name or g.key or "")))))


def _first_contact(row) -> FirstContact:
    return FirstContact(homefinder_id=_int_or_none(row.key or None), name=row.name or "",
                        families=int(row.families), contacted=int(row.second or 0),
                        within_one_business_day=int(row.third or 0),
                        median_hours=_float(row.median), p90_hours=_float(row.p90))


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- Days per step ----------------------------------------------------------------------------------------------

# Each step: from which record's time to which. A step counts in the period when it ENDED in the period.
STEPS: dict[str, tuple] = {
    "first_contact": (Lead.created_at, Lead.first_contact_at),
    "invited": (Lead.first_contact_at, Lead.invited_at),
    "application_started": (Lead.invited_at, Application.created_at),
    "application_sent": (Application.created_at, Application.submitted_at),
    "licensed": (Application.submitted_at, License.issued_at),
    "inquiry_to_license": (Lead.created_at, License.issued_at),
}


STEP_LABELS = {
    "first_contact": _l("Inquiry to first contact"),
    "invited": _l("First contact to invitation to apply"),
    "application_started": _l("Invitation to application started"),
    "application_sent": _l("Application started to sent"),
    "licensed": _l("Application sent to license"),
    "inquiry_to_license": _l("Inquiry to license, in all"),
}


def step_durations(period: Period) -> tuple[StepDuration, ...]:
    """Median and 90th-percentile days of each step that ended in the period, in one statement: each record's time
    is read once (a materialized CTE of the families who asked before the period ended, with each time as a day
    number and as itself for the period's bounds), then each step's days are a subtraction."""
    columns = {f"t{index}": column for index, column in enumerate(
        dict.fromkeys(column for pair in STEPS.values() for column in pair))}
    name_of = {column: name for name, column in columns.items()}
    times = (pipeline_select(*(column.label(name) for name, column in columns.items()),
                             *(day_number(column).label(f"{name}_day") for name, column in columns.items()))
             .where(Lead.created_at < period.end_utc)
             .cte("step_times").prefix_with("MATERIALIZED"))
    parts = []
    for key, (start_column, end_column) in STEPS.items():
        start, end = name_of[start_column], name_of[end_column]
        days = times.c[f"{end}_day"] - times.c[f"{start}_day"]
        parts.append(select(literal(key).label("key"), days.label("value"))
                     .where(times.c[start].is_not(None), times.c[end] >= period.start_utc,
                            times.c[end] < period.end_utc, days >= 0))
    found = {row.key: row for row in db.session.execute(percentiles(select(union_all(*parts).subquery()))).all()}
    return tuple(StepDuration(key, int(found[key].n) if key in found else 0,
                              _float(found[key].p50) if key in found else None,
                              _float(found[key].p90) if key in found else None)
                 for key in STEPS)


def agency_today_period() -> Period:
    """The default period, from the agency's today."""
    return last_twelve_months(datetime.now(agency_zone()).date())
