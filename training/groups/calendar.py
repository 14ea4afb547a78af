"""A family's training calendar: the meetings of the sessions its people are enrolled in (enrolled or completed; a
make-up enrollment only for the meetings it makes up; cancelled enrollments and sessions as cancelled events) and the
support-group meetings it answered, as items for the month page and as iCalendar entries (portal/calendars.py). Two
queries whatever the number of items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select

from portal.calendars import CalendarEntry, ends_after
from portal.extensions import db
from training.catalog.models import Course, CourseSession, Enrollment, EnrollmentStatus, SessionMeeting, SessionStatus
from training.groups.models import GroupMeeting, GroupRsvp, RsvpStatus, SupportGroup

#: How far back a calendar reaches (a subscription keeps recent past items visible).
PAST_DAYS = 60


@dataclass(frozen=True)
class TrainingItem:
    kind: str  # "session" or "group"
    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    where: str
    cancelled: bool
    sequence: int
    group_id: int | None = None


def _host() -> str:
    return urlsplit(current_app.config["PORTAL_URL"]).hostname or "portal"


def family_items(household_id: int, language: str, since: datetime, until: datetime | None = None
                 ) -> list[TrainingItem]:
    """The household's training items starting from `since` (and before `until`), in time order."""
    # Seated enrollments, and cancelled ones that had a seat (the family's or staff's cancellation, or the session's):
    # those stay in the feed as cancelled, so calendar apps remove the event instead of keeping a stale one.
    session_query = (select(SessionMeeting, CourseSession.status, Course.title_en, Course.title_es,
                            Enrollment.makeup_meetings, Enrollment.status)
                     .join(CourseSession, CourseSession.id == SessionMeeting.session_id)
                     .join(Course, Course.id == CourseSession.course_id)
                     .join(Enrollment, Enrollment.session_id == CourseSession.id)
                     .where(Enrollment.household_id == household_id,
                            or_(Enrollment.status.in_([EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED]),
                                and_(Enrollment.status == EnrollmentStatus.CANCELLED,
                                     Enrollment.seat_at.is_not(None))),
                            SessionMeeting.starts_at >= since))
    group_query = (select(GroupMeeting, SupportGroup.name_en, SupportGroup.name_es, SupportGroup.place,
                          SupportGroup.virtual_link, GroupRsvp.status)
                   .join(SupportGroup, SupportGroup.id == GroupMeeting.group_id)
                   .join(GroupRsvp, GroupRsvp.meeting_id == GroupMeeting.id)
                   .where(GroupRsvp.household_id == household_id, GroupMeeting.starts_at >= since))
    if until is not None:
        session_query = session_query.where(SessionMeeting.starts_at < until)
        group_query = group_query.where(GroupMeeting.starts_at < until)
    items: dict[tuple[str, int], TrainingItem] = {}
    for meeting, status, title_en, title_es, makeup, enrollment_status in db.session.execute(session_query):
        if makeup is not None and meeting.number not in makeup:
            continue
        cancelled = status is SessionStatus.CANCELLED or enrollment_status is EnrollmentStatus.CANCELLED
        key = ("session", meeting.id)
        if cancelled and key in items and not items[key].cancelled:
            continue  # someone else of the household still goes (or re-enrolled): the live entry wins
        title = title_es if language == "es" and title_es else title_en
        items[key] = TrainingItem(
            "session", meeting.id, meeting.starts_at, ends_after(meeting.starts_at, meeting.duration_minutes), title,
            meeting.place or meeting.virtual_link, cancelled, meeting.sequence + (1 if cancelled else 0))
    for meeting, name_en, name_es, place, link, answer in db.session.execute(group_query):
        # An answer cancelled by the family stays in the feed as cancelled, so calendar apps remove it.
        cancelled = meeting.is_cancelled or answer is RsvpStatus.CANCELLED
        items[("group", meeting.id)] = TrainingItem(
            "group", meeting.id, meeting.starts_at, ends_after(meeting.starts_at, meeting.duration_minutes),
            name_es if language == "es" and name_es else name_en, place or link, cancelled,
            meeting.sequence + (1 if answer is RsvpStatus.CANCELLED else 0), group_id=meeting.group_id)
    return sorted(items.values(), key=lambda item: (item.starts_at, item.kind, item.meeting_id))


def calendar_entries(items: list[TrainingItem]) -> list[CalendarEntry]:
    host = _host()
    prefix = {"session": "training-meeting", "group": "group-meeting"}
    return [CalendarEntry(uid=f"{prefix[item.kind]}-{item.meeting_id}@{host}", starts_at=item.starts_at,
                          ends_at=item.ends_at, summary=item.title, location=item.where, sequence=item.sequence,
                          cancelled=item.cancelled) for item in items]


def calendar_since(now: datetime) -> datetime:
    return now - timedelta(days=PAST_DAYS)
