"""The groups' small recurrence rule: every week, every two weeks, or the nth weekday of each month (5: the last)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from training.groups.models import Recurrence


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth `weekday` (Monday 0) of the month; nth 5 is the month's last one, whether it has four or five."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    last_day = calendar.monthrange(year, month)[1]
    if nth >= 5:
        while day.day + 7 <= last_day:
            day += timedelta(days=7)
        return day
    return day + timedelta(days=7 * (nth - 1))


def occurrences(recurrence: Recurrence, *, weekday: int, week_of_month: int, starts_on: date, since: date,
                until: date) -> list[date]:
    """The meeting days from max(starts_on, since) to until (both included). Every two weeks counts from the first
    such weekday on or after `starts_on`, so the rhythm stays the same whenever it is asked."""
    begin = max(starts_on, since)
    if begin > until:
        return []
    if recurrence is Recurrence.MONTHLY:
        days, year, month = [], begin.year, begin.month
        while date(year, month, 1) <= until:
            day = nth_weekday(year, month, weekday, week_of_month)
            if begin <= day <= until:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return days
    step = 7 if recurrence is Recurrence.WEEKLY else 14
    anchor = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    if anchor < begin:
        anchor += timedelta(days=-(-(begin - anchor).days // step) * step)
    days = []
    while anchor <= until:
        days.append(anchor)
        anchor += timedelta(days=step)
    return days
