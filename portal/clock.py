"""The agency's clock: domain dates (ages, due dates, reminder thresholds, visit days) are days in the agency's time
zone, not the server's. A server in UTC would otherwise call 7 p.m. in California "tomorrow".

Timestamps stay UTC (portal.database.now_utc); these give the agency's "now" and "today" for dates people see.
ruff's flake8-datetimez rules (DTZ in pyproject.toml) keep the server's clock out of domain dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def agency_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PORTAL_TIMEZONE"])


def agency_now() -> datetime:
    """Now, as an aware datetime in the agency's time zone."""
    return datetime.now(agency_zone())


def agency_today() -> date:
    """Today's date where the agency is."""
    return agency_now().date()


# A business day is 24 hours of weekdays in the agency's time zone: Saturday and Sunday don't count, so an inquiry
# sent on Friday evening is answered in time on Monday until the same evening hour. Holidays are not known to the
# portal yet; when an agency asks, a list of closed dates in its config would be skipped here like weekends.
BUSINESS_DAY = timedelta(hours=24)


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def first_contact_due(arrived_at: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The instant one business day after an inquiry arrives (weekends skipped, in the agency's time zone), as UTC:
    THE definition of "within one business day". Stored on the lead when it is made (Lead.first_contact_due_at), so
    the dashboard, the leads list and the metrics all compare a column with it instead of redoing the calendar in
    SQL (which SQLite and PostgreSQL, and PostgreSQL under different session time zones, would do differently).
    `zone` is the agency's unless given (a script without the app)."""
    zone = zone or agency_zone()
    remaining = BUSINESS_DAY
    start = arrived_at.astimezone(UTC)  # the start of the stretch still to count, walking forward a day at a time
    day = arrived_at.astimezone(zone).date()
    while True:
        day_end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)  # 23 or 25 hours on a change
        if not _is_weekend(day):
            if day_end - start >= remaining:
                return start + remaining
            remaining -= day_end - start
        start, day = day_end, day + timedelta(days=1)


def business_day_cutoff(now: datetime) -> datetime:
    """The instant one business day before `now`: the inverse of first_contact_due (an inquiry that arrived before
    it is due before `now`; tests/licensing/test_lead_contacts.py checks the two agree)."""
    zone = agency_zone()
    remaining = BUSINESS_DAY
    end = now.astimezone(UTC)  # the end of the stretch still to count back, walking back a day at a time
    day = now.astimezone(zone).date()
    while True:
        day_start = datetime.combine(day, time(), zone).astimezone(UTC)  # real hours: a clock change day has 23 or 25
        if not _is_weekend(day):
            if end - day_start >= remaining:
                return end - remaining
            remaining -= end - day_start
        end, day = day_start, day - timedelta(days=1)


def past_one_business_day(arrived_at: datetime, now: datetime) -> bool:
    """Whether more than one business day (weekends not counted) went by between `arrived_at` and `now`."""
    return first_contact_due(arrived_at) < now


def week_bounds(today: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of the agency's week around `today`, as UTC instants."""
    monday = today - timedelta(days=today.weekday())
    zone = agency_zone()
    return (datetime.combine(monday, time(), zone).astimezone(UTC),
            datetime.combine(monday + timedelta(days=7), time(), zone).astimezone(UTC))
