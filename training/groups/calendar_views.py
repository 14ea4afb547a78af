"""The family's training calendar: a month page (works on a phone), an .ics download, and a private subscription
URL (a secret token, revocable) whose feed is public by design and answers 404 for an unknown or revoked token."""

from __future__ import annotations

import calendar as month_calendar
import re
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from licensing.roles import FAMILY
from portal.access import public, roles_required
from portal.calendars import build_calendar, calendar_response, has_live_feed, issue_feed, revoke_feed, user_for_feed
from portal.clock import agency_today, agency_zone
from portal.database import now_utc
from portal.emails import portal_url
from portal.forms import ConfirmForm
from portal.i18n import current_language, in_language, local_to_utc
from portal.models import Role
from training import bp
from training.groups.calendar import calendar_entries, calendar_since, family_items

FEED_SCOPE = "training"
CALENDAR_NAME = _l("My trainings and support groups")


def _month_from(value: str | None) -> date:
    """`?month=2026-12`, read safely: anything else is this month."""
    today = agency_today()
    if value and re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        year, month = int(value[:4]), int(value[5:])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def _render_calendar(feed_url: str | None = None):
    month = _month_from(request.args.get("month"))
    start = local_to_utc(datetime.combine(month, datetime.min.time()))
    end = local_to_utc(datetime.combine(_shift(month, 1), datetime.min.time()))
    items = family_items(current_user.household_id or 0, current_language(), start, end)
    zone = agency_zone()
    by_day: dict[int, list] = {}
    for item in items:
        by_day.setdefault(item.starts_at.astimezone(zone).day, []).append(item)
    weeks = month_calendar.Calendar(firstweekday=6).monthdayscalendar(month.year, month.month)
    return render_template("training/groups/calendar.html", month=month, weeks=weeks, by_day=by_day, items=items,
                           previous=_shift(month, -1), following=_shift(month, 1), today=agency_today(),
                           has_feed=has_live_feed(current_user, FEED_SCOPE), feed_url=feed_url,
                           button_form=ConfirmForm())


@bp.get("/calendar")
@roles_required(*FAMILY)
def training_calendar():
    return _render_calendar()


@bp.get("/calendar.ics")
@roles_required(*FAMILY)
def training_calendar_ics():
    items = family_items(current_user.household_id or 0, current_user.preferred_locale, calendar_since(now_utc()))
    body = build_calendar(calendar_entries(items), in_language(current_user.preferred_locale, CALENDAR_NAME))
    return calendar_response(body, "trainings.ics", download=True)


@bp.post("/calendar/subscription")
@roles_required(*FAMILY)
def issue_training_feed():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("training.training_calendar"), code=303)
    token = issue_feed(current_user, FEED_SCOPE)
    # The secret URL is shown this once (only its hash is kept): the page is answered here, not after a redirect.
    return _render_calendar(feed_url=portal_url("training.training_calendar_feed", token=token))


@bp.post("/calendar/subscription/revoke")
@roles_required(*FAMILY)
def revoke_training_feed():
    if ConfirmForm().validate_on_submit():
        revoke_feed(current_user, FEED_SCOPE)
        flash(_("The subscription link no longer works. Calendars that used it stop updating."), "success")
    return redirect(url_for("training.training_calendar"), code=303)


@bp.get("/calendar/feed/<token>.ics")
@public
def training_calendar_feed(token: str):
    """The private subscription: the token is the only key (calendar apps can't sign in)."""
    user = user_for_feed(FEED_SCOPE, token)
    if user is None or user.household_id is None or user.role not in (Role.APPLICANT, Role.FAMILY):
        abort(404)
    items = family_items(user.household_id, user.preferred_locale, calendar_since(now_utc()))
    body = build_calendar(calendar_entries(items), in_language(user.preferred_locale, CALENDAR_NAME))
    return calendar_response(body, "trainings.ics", download=False)
