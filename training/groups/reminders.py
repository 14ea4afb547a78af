"""Day-before reminders of trainings (`flask --app app send-training-reminders`, from cron every hour): each
session meeting tomorrow to the households of the people enrolled in it, each support-group meeting tomorrow to the
households that answered it; in each recipient's language, through the outbox.

Each meeting (and each answer) is claimed by a conditional UPDATE (`... SET reminder_sent_at = now WHERE
reminder_sent_at IS NULL`) before its mail is queued, in the same transaction: two runs at once, on one machine or
two, send it once. Also `flask extend-group-meetings` (daily): the meetings of the next three months."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
from sqlalchemy import select, update

from licensing.application.models import HouseholdMember
from portal import emails
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.i18n import local_to_utc
from portal.jobs import runs_alone
from portal.models import User
from training import bp
from training.catalog.models import (
    Course,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionMeeting,
    SessionStatus,
)
from training.groups import services
from training.groups.models import GroupMeeting, GroupRsvp, MeetingStatus, RsvpStatus, SupportGroup


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = local_to_utc(datetime.combine(day, datetime.min.time()))
    return start, local_to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def _users_by_household(household_ids: set[int]) -> dict[int, list[User]]:
    users: dict[int, list[User]] = {}
    if household_ids:
        for user in db.session.scalars(select(User).where(User.household_id.in_(household_ids),
                                                          User.is_active.is_(True)).order_by(User.id)):
            users.setdefault(user.household_id, []).append(user)
    return users


def _claim(model, row_id: int, *conditions) -> bool:
    result = db.session.execute(update(model).where(model.id == row_id, model.reminder_sent_at.is_(None), *conditions)
                                .values(reminder_sent_at=now_utc()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def send_training_reminders(today: date) -> dict[str, int]:
    """Reminders for the meetings of the day after `today` (agency time). Safe to run any number of times."""
    start, end = _day_bounds(today + timedelta(days=1))
    link = emails.portal_url("training.training_calendar")
    counts = {"session_meetings": 0, "group_meetings": 0}

    meetings = db.session.execute(
        select(SessionMeeting, Course).join(CourseSession, CourseSession.id == SessionMeeting.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(SessionMeeting.starts_at >= start, SessionMeeting.starts_at < end,
               SessionMeeting.reminder_sent_at.is_(None), CourseSession.status == SessionStatus.OPEN)
        .order_by(SessionMeeting.id)).all()  # claimed in id order: two runs never wait on each other crosswise
    enrolled = db.session.execute(
        select(Enrollment.session_id, Enrollment.household_id, Enrollment.makeup_meetings,
               HouseholdMember.first_name)
        .join(HouseholdMember, HouseholdMember.id == Enrollment.member_id)
        .where(Enrollment.session_id.in_({meeting.session_id for meeting, _ in meetings} | {0}),
               Enrollment.status == EnrollmentStatus.ENROLLED)
        .order_by(Enrollment.id)).all()
    rsvps = db.session.execute(
        select(GroupRsvp, GroupMeeting, SupportGroup).join(GroupMeeting, GroupMeeting.id == GroupRsvp.meeting_id)
        .join(SupportGroup, SupportGroup.id == GroupMeeting.group_id)
        .where(GroupMeeting.starts_at >= start, GroupMeeting.starts_at < end,
               GroupMeeting.status == MeetingStatus.SCHEDULED, GroupRsvp.status == RsvpStatus.GOING,
               GroupRsvp.reminder_sent_at.is_(None)).order_by(GroupRsvp.id)).all()
    users = _users_by_household({row.household_id for row in enrolled} | {rsvp.household_id for rsvp, _, _ in rsvps})

    for meeting, course in meetings:
        people: dict[int, list[str]] = {}
        for row in enrolled:
            if row.session_id == meeting.session_id and (row.makeup_meetings is None
                                                         or meeting.number in row.makeup_meetings):
                people.setdefault(row.household_id, []).append(row.first_name)
        if not _claim(SessionMeeting, meeting.id):
            continue  # another run took it
        for household_id, names in people.items():
            for user in users.get(household_id, []):
                emails.queue_email(user.email, user.preferred_locale, "training_meeting_reminder", user=user,
                                   course_title=course.title(user.preferred_locale), when=meeting.starts_at,
                                   place=meeting.place or meeting.virtual_link, people=", ".join(names), link=link)
        counts["session_meetings"] += 1

    for rsvp, meeting, group in rsvps:
        if not _claim(GroupRsvp, rsvp.id, GroupRsvp.status == RsvpStatus.GOING):
            continue
        for user in users.get(rsvp.household_id, []):
            emails.queue_email(user.email, user.preferred_locale, "group_meeting_reminder", user=user,
                               group_name=group.name(user.preferred_locale), when=meeting.starts_at,
                               place=group.place or group.virtual_link,
                               childcare=rsvp.childcare_status.value == "booked", link=link)
        counts["group_meetings"] += 1
    db.session.flush()
    return counts


@bp.cli.command("send-training-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (for checking what would be sent).")
@runs_alone("send-training-reminders")
def send_training_reminders_command(today) -> None:
    """Email the day-before reminders of training meetings and support-group meetings (each once)."""
    with db.unit_of_work():
        counts = send_training_reminders(today.date() if today else agency_today())
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@bp.cli.command("extend-group-meetings")
@runs_alone("extend-group-meetings")
def extend_group_meetings_command() -> None:
    """Make the support groups' meetings of the next three months that don't exist yet (idempotent)."""
    with db.unit_of_work():
        made = services.extend_all_groups(agency_today())
    click.echo(f"meetings made: {made}")
