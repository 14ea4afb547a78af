"""Reminders, run from cron every hour (`flask --app app send-reminders`): items and licenses coming due in 90, 60, 30
and 7 days and overdue ones (each once per threshold), expiries, and the day-before reminders of visits."""

from __future__ import annotations

from datetime import date, timedelta

import click
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from licensing import bp
from licensing.application.models import Application
from licensing.tracker.models import (
    ChecklistItem,
    HomeStudyVisit,
    ItemStatus,
    License,
    LicenseStatus,
    ReminderSent,
    VisitStatus,
)
from licensing.tracker.services.checklists import change_item_status
from licensing.tracker.services.licenses import expire_license
from portal import emails
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.jobs import runs_alone
from portal.models import User

REMINDER_THRESHOLDS = [90, 60, 30, 7]


def _threshold(days_left: int) -> str | None:
    if days_left < 0:
        return "overdue"
    for limit in sorted(REMINDER_THRESHOLDS):
        if days_left <= limit:
            return str(limit)
    return None


def send_reminders(today: date) -> dict[str, int]:
    """Email families about items and licenses due in 90, 60, 30 and 7 days, and overdue ones; each at most once
    per item and threshold (a unique row records it). Items and licenses past their expiry are marked expired
    (through their transitions). Also the day-before reminders of scheduled visits. Safe to run every hour."""
    counts = {"items": 0, "licenses": 0, "visits": 0, "expired": 0}
    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS))
    sent = {(r.item_key, r.threshold) for r in db.session.scalars(select(ReminderSent))}
    items = db.session.scalars(
        select(ChecklistItem).options(selectinload(ChecklistItem.template))
        .where(ChecklistItem.status.not_in([ItemStatus.WAIVED]))
    ).all()
    households = dict(db.session.execute(select(Application.id, Application.household_id).where(
        Application.id.in_({i.application_id for i in items} | {0}))).all())
    users_by_household: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.household_id.is_not(None), User.is_active.is_(True))):
        users_by_household.setdefault(user.household_id, []).append(user)
    for item in items:
        household_id = households[item.application_id]
        if item.status is ItemStatus.APPROVED and item.expires_on is not None and item.expires_on < today:
            # Past its expiry (CPR card, pet vaccinations): the item is open again until renewed.
            change_item_status(None, item, ItemStatus.EXPIRED, household_id=household_id, today=today)
            counts["expired"] += 1
        # An approved item reminds about its expiry (CPR, pet vaccinations); an open one about its due date.
        when = item.expires_on if item.status in (ItemStatus.APPROVED, ItemStatus.EXPIRED) and item.expires_on \
            else item.due_date
        if when is None or when > horizon:
            continue
        threshold = _threshold((when - today).days)
        key = f"item:{item.id}"
        if threshold is None or (key, threshold) in sent:
            continue
        db.session.add(ReminderSent(item_key=key, threshold=threshold))
        for user in users_by_household.get(household_id, []):
            emails.queue_email(user.email, user.preferred_locale, "item_reminder", user=user, item=item,
                               when=when, overdue=threshold == "overdue",
                               expiring=item.status in (ItemStatus.APPROVED, ItemStatus.EXPIRED),
                               link=emails.portal_url("licensing.family_checklist", _anchor=f"item-{item.id}"))
        counts["items"] += 1
    for license_ in db.session.scalars(select(License).where(License.expires_on <= horizon,
                                                            License.status != LicenseStatus.CLOSED)):
        if license_.status is LicenseStatus.ACTIVE and license_.expires_on < today:
            expire_license(license_)
            counts["expired"] += 1
        threshold = _threshold((license_.expires_on - today).days)
        key = f"license:{license_.id}"
        if threshold is None or (key, threshold) in sent:
            continue
        db.session.add(ReminderSent(item_key=key, threshold=threshold))
        for user in users_by_household.get(license_.household_id, []):
            emails.queue_email(user.email, user.preferred_locale, "license_reminder", user=user, license=license_,
                               overdue=threshold == "overdue", link=emails.portal_url("licensing.family_checklist"))
        counts["licenses"] += 1
    counts["visits"] = _visit_reminders(users_by_household)
    db.session.flush()
    return counts


def _visit_reminders(users_by_household: dict[int, list[User]]) -> int:
    """Visits starting within the next day and a half get their day-before reminder (once)."""
    visits = db.session.scalars(select(HomeStudyVisit).options(selectinload(HomeStudyVisit.homefinder)).where(
        HomeStudyVisit.status == VisitStatus.SCHEDULED, HomeStudyVisit.reminder_sent_at.is_(None),
        HomeStudyVisit.starts_at <= now_utc() + timedelta(hours=36), HomeStudyVisit.starts_at > now_utc())).all()
    if not visits:
        return 0
    # Claimed by one conditional UPDATE before any mail is queued; ours are those stamped with this run's moment.
    stamp = now_utc()
    ids = [visit.id for visit in visits]
    db.session.execute(update(HomeStudyVisit)
                       .where(HomeStudyVisit.id.in_(ids), HomeStudyVisit.reminder_sent_at.is_(None))
                       .values(reminder_sent_at=stamp).execution_options(synchronize_session=False))
    claimed = set(db.session.scalars(select(HomeStudyVisit.id).where(HomeStudyVisit.id.in_(ids),
                                                                     HomeStudyVisit.reminder_sent_at == stamp)))
    visits = [visit for visit in visits if visit.id in claimed]
    households = dict(db.session.execute(select(Application.id, Application.household_id).where(
        Application.id.in_({v.application_id for v in visits} | {0}))).all())
    emails.queue_each((person.email, person.preferred_locale, "visit_reminder",
                       {"user": person, "kind": visit.kind.value, "when": visit.starts_at})
                      for visit in visits
                      for person in [*users_by_household.get(households[visit.application_id], []), visit.homefinder])
    return len(visits)


@bp.cli.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (for checking what would be sent).")
@runs_alone("send-reminders")
def send_reminders_command(today) -> None:
    """Email families about items due in 90, 60, 30 and 7 days and overdue ones (each once), and visits tomorrow."""
    with db.unit_of_work():
        counts = send_reminders(today.date() if today else agency_today())
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
