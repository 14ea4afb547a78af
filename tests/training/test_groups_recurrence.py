"""The groups' recurrence rule and the meetings generated ahead (idempotent, at the agency's wall-clock time)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from portal.extensions import db as portal_db
from portal.models import Role, User
from tests.training.groups_support import GROUP_VALUES, make_group, meetings_of
from training.groups import services
from training.groups.models import Recurrence, SupportGroup
from training.groups.recurrence import nth_weekday, occurrences


def test_second_tuesday_of_each_month():
    days = occurrences(Recurrence.MONTHLY, weekday=1, week_of_month=2, starts_on=date(2026, 1, 1),
                       since=date(2026, 11, 30), until=date(2027, 3, 1))
    assert days == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]


def test_last_friday_of_the_month_with_four_or_five():
    assert nth_weekday(2027, 1, 4, 5) == date(2027, 1, 29)  # five Fridays
    assert nth_weekday(2027, 2, 4, 5) == date(2027, 2, 26)  # four Fridays


def test_every_two_weeks_keeps_its_rhythm_from_the_first_day():
    first = occurrences(Recurrence.EVERY_TWO_WEEKS, weekday=2, week_of_month=1, starts_on=date(2026, 11, 2),
                        since=date(2026, 11, 2), until=date(2026, 12, 31))
    later = occurrences(Recurrence.EVERY_TWO_WEEKS, weekday=2, week_of_month=1, starts_on=date(2026, 11, 2),
                        since=date(2026, 11, 19), until=date(2026, 12, 31))
    assert first == [date(2026, 11, 4), date(2026, 11, 18), date(2026, 12, 2), date(2026, 12, 16),
                     date(2026, 12, 30)]
    assert later == first[2:]


def test_weekly_and_nothing_before_the_first_day():
    assert occurrences(Recurrence.WEEKLY, weekday=0, week_of_month=1, starts_on=date(2027, 1, 10),
                       since=date(2027, 1, 1), until=date(2027, 1, 25)) == [date(2027, 1, 11), date(2027, 1, 18),
                                                                          date(2027, 1, 25)]


def test_meetings_are_made_three_months_ahead_once_at_local_wall_time(app, db, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, recurrence=Recurrence.WEEKLY, time_of_day=time(18, 30))
    made = meetings_of(db, group_id)
    assert 12 <= len(made) <= 14
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    # 18:30 where the agency is, whether or not daylight saving time is on (November → March crosses it).
    assert {meeting.starts_at.astimezone(zone).time() for meeting in made} == {time(18, 30)}
    assert len({meeting.starts_at.utcoffset() for meeting in made}) == 1  # stored as UTC

    runner = app.test_cli_runner()
    result = runner.invoke(args=["extend-group-meetings"])
    assert result.exit_code == 0, result.output
    assert "meetings made: 0" in result.output
    assert len(meetings_of(db, group_id)) == len(made)


def test_changing_the_schedule_drops_unanswered_meetings_it_no_longer_has(app, db, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, recurrence=Recurrence.WEEKLY, weekday=1)
    with app.app_context():
        group = portal_db.session.get(SupportGroup, group_id)
        values = {**GROUP_VALUES, "starts_on": group.starts_on, "weekday": 3}
        services.save_group(portal_db.session.get(User, staff.id), group, values, group.starts_on)
        portal_db.session.commit()
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    assert {m.starts_at.astimezone(zone).weekday() for m in meetings_of(db, group_id)
            if m.starts_at > datetime.now(zone)} == {3}
