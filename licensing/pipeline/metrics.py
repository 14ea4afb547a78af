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
from sqlalchemy import and_, case, exists, func, literal, select, union_all

from licensing.application.models import Application
from licensing.pipeline.sql import days_between, local_weekday, percentiles, rank_at
from licensing.pipeline.stages import OPEN_STAGES, Stage, pipeline_select, stage_column
from licensing.recruitment.models import Lead, RecruitmentEvent, SessionRsvp
from licensing.tracker.models import License
from portal.clock import agency_now, agency_zone
from portal.extensions import db
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
    stages: list[StageCount]


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
    period: Period
    funnel: Funnel
    durations: list[StepDuration]
    by_source: list[GroupCount]
    by_event: list[GroupCount]
    by_language: list[GroupCount]
    by_homefinder: list[GroupCount]
    first_contact: list[FirstContact]
    first_contact_overall: FirstContact | None = field(default=None)


def compute(period: Period) -> Metrics:
    """Every number of the metrics page: eight statements."""
    first_contact = first_contact_by_homefinder(period)
    return Metrics(
        period=period,
        funnel=funnel(period),
        durations=step_durations(period),
        by_source=families_by(period, Lead.source),
        by_event=families_by_event(period),
        by_language=families_by(period, Lead.preferred_locale),
        by_homefinder=families_by_homefinder(period),
        first_contact=first_contact,
        first_contact_overall=first_contact_overall(period),
    )


# --- Conversion between stages ----------------------------------------------------------------------------------

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


def funnel(period: Period) -> Funnel:
    """Families whose first inquiry arrived in the period, each counted at every stage up to the furthest it
    reached: the later of where it is now (a closed family is nowhere now) and what its records show it did — so
    a family closed after applying still counts as having applied, and a family at stage k has passed every stage
    before it, even one it skipped."""
    families = (pipeline_select(stage_column().label("stage"), _records_rank().label("records"))
                .where(period.holds(Lead.created_at))
                .subquery("funnel_families"))
    current = case(*((families.c.stage == stage.value, literal(rank)) for stage, rank in STAGE_RANK.items()),
                   else_=literal(0))
    reached = case((current > families.c.records, current), else_=families.c.records).label("reached")
    closed = case((families.c.stage == Stage.CLOSED.value, 1), else_=0)
    ranked = select(reached, closed.label("closed")).subquery("funnel_reached")
    counts = db.session.execute(
        select(ranked.c.reached, func.count(), func.sum(ranked.c.closed)).group_by(ranked.c.reached)
    ).all()
    at_rank = {int(rank): int(count) for rank, count, _closed in counts}
    total = sum(at_rank.values())
    closed_count = sum(int(closed or 0) for _rank, _count, closed in counts)
    stages: list[StageCount] = []
    previous: int | None = None
    for stage, rank in STAGE_RANK.items():  # seven stages, not rows
        reached_count = sum(count for r, count in at_rank.items() if r >= rank)
        stages.append(StageCount(stage, reached_count, reached_count / previous if previous else None))
        previous = reached_count
    return Funnel(families=total, closed=closed_count, stages=stages)


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


def step_durations(period: Period) -> list[StepDuration]:
    """Median and 90th-percentile days of each step that ended in the period, in one statement."""
    parts = [
        pipeline_select(literal(key).label("key"), days_between(start, end).label("value"))
        .where(start.is_not(None), end.is_not(None), end >= start, period.holds(end))
        for key, (start, end) in STEPS.items()
    ]
    rows = union_all(*parts)
    found = {row.key: row for row in db.session.execute(percentiles(select(rows.subquery()))).all()}
    return [StepDuration(key, int(found[key].n) if key in found else 0,
                         _float(found[key].p50) if key in found else None,
                         _float(found[key].p90) if key in found else None)
            for key in STEPS]


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- Where families came from -----------------------------------------------------------------------------------

def families_by(period: Period, column) -> list[GroupCount]:
    """Families whose inquiry arrived in the period, by a column of the lead, with how many are licensed (a license
    was issued, whatever its status now)."""
    rows = db.session.execute(
        pipeline_select(column, func.count(Lead.id), func.count(License.id))
        .where(period.holds(Lead.created_at))
        .group_by(column)
        .order_by(func.count(Lead.id).desc(), column)
    ).all()
    return [GroupCount(str(key), "", int(families), int(licensed)) for key, families, licensed in rows]


def families_by_event(period: Period) -> list[GroupCount]:
    rows = db.session.execute(
        pipeline_select(RecruitmentEvent.id, RecruitmentEvent.name, func.count(Lead.id), func.count(License.id))
        .join(RecruitmentEvent, RecruitmentEvent.id == Lead.event_id)
        .where(period.holds(Lead.created_at))
        .group_by(RecruitmentEvent.id, RecruitmentEvent.name)
        .order_by(func.count(Lead.id).desc(), RecruitmentEvent.name)
    ).all()
    return [GroupCount(event_id, name, int(families), int(licensed)) for event_id, name, families, licensed in rows]


def families_by_homefinder(period: Period) -> list[GroupCount]:
    rows = db.session.execute(
        pipeline_select(Lead.assigned_homefinder_id, User.full_name, func.count(Lead.id), func.count(License.id))
        .outerjoin(User, User.id == Lead.assigned_homefinder_id)
        .where(period.holds(Lead.created_at))
        .group_by(Lead.assigned_homefinder_id, User.full_name)
        .order_by(func.count(Lead.id).desc(), User.full_name)
    ).all()
    return [GroupCount(hf_id, name or "", int(families), int(licensed)) for hf_id, name, families, licensed in rows]


# --- First contact ----------------------------------------------------------------------------------------------

def _days_allowed():
    """One business day from the inquiry, in days, by the weekday it arrived in the agency's time zone: Friday's
    has until Monday (3), Saturday's until Monday (2), any other day's until the next day (1). The agency's offset
    from UTC is today's: around a daylight-saving change an inquiry within an hour of midnight can fall on the
    neighbouring day (an approximation the SQL keeps; holidays are not known)."""
    offset = agency_now().utcoffset() or timedelta(0)
    weekday = local_weekday(Lead.created_at, int(offset.total_seconds()))
    return case((weekday == 5, 3), (weekday == 6, 2), else_=1)


def _first_contact_rows(period: Period, key=None):
    """One row per family of the period: its hours to first contact (NULL if none yet), whether within one business
    day, and its rank among its homefinder's contacted families (everyone's when `key` is None)."""
    keys = () if key is None else (key,)
    key = literal(0) if key is None else key
    days = days_between(Lead.created_at, Lead.first_contact_at)
    within = case((and_(Lead.first_contact_at.is_not(None), days <= _days_allowed()), 1), else_=0)
    hours = case((Lead.first_contact_at.is_not(None), days * 24))
    rank = func.row_number().over(partition_by=(*keys, Lead.first_contact_at.is_(None)), order_by=hours)
    contacted = func.count(Lead.first_contact_at).over(partition_by=keys or None)
    return (select(key.label("key"), hours.label("hours"), within.label("within"), rank.label("rn"),
                   contacted.label("n"))
            .where(period.holds(Lead.created_at))
            .subquery("first_contact_rows"))


def _first_contact_select(rows):
    def at(percent: int):
        return func.max(case((and_(rows.c.hours.is_not(None), rows.c.rn == rank_at(rows.c.n, percent)),
                              rows.c.hours)))

    return (rows.c.key, func.count().label("families"), func.count(rows.c.hours).label("contacted"),
            func.sum(rows.c.within).label("within"), at(50).label("median"), at(90).label("p90"))


def first_contact_by_homefinder(period: Period) -> list[FirstContact]:
    """Families whose inquiry arrived in the period, by assigned homefinder: how many were contacted, how many
    within one business day, and the median and 90th-percentile hours to the first logged contact."""
    rows = _first_contact_rows(period, Lead.assigned_homefinder_id)
    result = db.session.execute(
        select(*_first_contact_select(rows), User.full_name)
        .outerjoin(User, User.id == rows.c.key)
        .group_by(rows.c.key, User.full_name)
        .order_by(User.full_name)
    ).all()
    return [_first_contact(row, row.full_name or "") for row in result]


def first_contact_overall(period: Period) -> FirstContact | None:
    rows = _first_contact_rows(period)
    row = db.session.execute(select(*_first_contact_select(rows)).group_by(rows.c.key)).first()
    if row is None:
        return None
    return _first_contact(row, "", homefinder_id=None)


def _first_contact(row, name: str, **override) -> FirstContact:
    return FirstContact(homefinder_id=override.get("homefinder_id", row.key), name=name,
                        families=int(row.families), contacted=int(row.contacted),
                        within_one_business_day=int(row.within or 0),
                        median_hours=_float(row.median), p90_hours=_float(row.p90))


def agency_today_period() -> Period:
    """The default period, from the agency's today."""
    return last_twelve_months(datetime.now(agency_zone()).date())
