"""The agency's clock: domain dates (ages, due dates, reminder thresholds, visit days) are days in the agency's time
zone, not the server's. A server in UTC would otherwise call 7 p.m. in California "tomorrow".

Timestamps stay UTC (portal.database.now_utc); these give the agency's "now" and "today" for dates people see.
ruff's flake8-datetimez rules (DTZ in pyproject.toml) keep the server's clock out of domain dates.
"""

from __future__ import annotations

from datetime import date, datetime
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
