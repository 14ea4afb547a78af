"""Calendars: .ics files and private subscription feeds, made with the icalendar library.

Each event has a stable UID (`<kind>-<id>@<host>`) and a SEQUENCE that grows when it changes; a cancelled event stays
in the feed with STATUS:CANCELLED so calendar apps remove it. Times are written in the agency's time zone with its
VTIMEZONE (`add_missing_timezones`), so a phone shows the right local time in any season.

Feed tokens: `issue_feed(user, scope)` makes a new secret URL (and revokes the person's old one for that scope);
`user_for_feed(scope, token)` finds the live feed's person, or None (the view answers 404).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response
from icalendar import Calendar, Event
from sqlalchemy import select, update

from portal.clock import agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.models import CalendarFeed, User

PRODID = "-//Foster Portal//Calendar//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable per event: "appointment-12@portal"
    starts_at: datetime  # aware (UTC from the database)
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    updated_at: datetime | None = None


def build_calendar(entries: Iterable[CalendarEntry], name: str) -> bytes:
    """An iCalendar document (RFC 5545) of the entries, times in the agency's zone with its VTIMEZONE."""
    zone = agency_zone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    stamp = now_utc()
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at.astimezone(zone))
        event.add("dtend", entry.ends_at.astimezone(zone))
        event.add("summary", entry.summary)
        event.add("sequence", entry.sequence)
        if entry.updated_at is not None:
            event.add("last-modified", entry.updated_at)
        if entry.description:
            event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        if entry.url:
            event.add("url", entry.url)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(body: bytes, filename: str, *, download: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed(user: User, scope: str) -> str:
    """A new secret feed token for this person and scope; the old URL stops working. Returns the token (shown once
    in the URL the page builds; only its hash is kept)."""
    revoke_feed(user, scope)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, scope=scope, token_hash=_hash(token)))
    db.session.flush()
    return token


def revoke_feed(user: User, scope: str) -> int:
    result = db.session.execute(update(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.scope == scope, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now_utc()))
    return result.rowcount or 0


def has_live_feed(user: User, scope: str) -> bool:
    return db.session.scalar(select(CalendarFeed.id).where(
        CalendarFeed.user_id == user.id, CalendarFeed.scope == scope, CalendarFeed.revoked_at.is_(None))) is not None


def user_for_feed(scope: str, token: str) -> User | None:
    """The active person whose live feed this token is, or None. Tokens that are too long or odd are simply not
    found."""
    if not token or len(token) > 100 or not token.isascii():
        return None
    return db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id).where(
        CalendarFeed.token_hash == _hash(token), CalendarFeed.scope == scope, CalendarFeed.revoked_at.is_(None),
        User.is_active.is_(True)))


def ends_after(starts_at: datetime, minutes: int) -> datetime:
    return starts_at + timedelta(minutes=max(minutes, 1))
