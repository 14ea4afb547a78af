"""The day-before reminder of a child's appointments, run from cron every hour (`flask send-appointment-reminders`).

The due appointments are claimed with one conditional UPDATE on `reminder_sent_at` (`WHERE id IN (...) AND
reminder_sent_at IS NULL`, stamped with this run's moment) before their emails are queued, then the ids stamped with
that moment are read back: two runs at once, or a run repeated, never remind twice, in a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import click
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.appointments import bp
from portal.appointments.services import _notify_family, family_recipients
from portal.children.models import Appointment, AppointmentStatus
from portal.clock import agency_today, agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.jobs import runs_alone


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), agency_zone()).astimezone(UTC)


def send_appointment_reminders(today: date | None = None) -> int:
    """Remind the families of scheduled appointments on the agency's next day (the email says "tomorrow"; one
    scheduled later today is not reminded). Returns how many appointments were reminded."""
    today = today or agency_today()
    start, end = _start_of(today + timedelta(days=1)), _start_of(today + timedelta(days=2))
    due = db.session.scalars(select(Appointment).options(selectinload(Appointment.child)).where(
        Appointment.status == AppointmentStatus.SCHEDULED, Appointment.reminder_sent_at.is_(None),
        Appointment.starts_at >= start, Appointment.starts_at < end).order_by(Appointment.starts_at)).all()
    if not due:
        return 0
    stamp = now_utc()
    ids = [appointment.id for appointment in due]
    db.session.execute(update(Appointment).where(Appointment.id.in_(ids), Appointment.reminder_sent_at.is_(None))
                       .values(reminder_sent_at=stamp).execution_options(synchronize_session=False))
    # Ours are those stamped with this run's moment (another run got the others first).
    claimed = set(db.session.scalars(select(Appointment.id).where(Appointment.id.in_(ids),
                                                                  Appointment.reminder_sent_at == stamp)))
    mine = [appointment for appointment in due if appointment.id in claimed]
    recipients = family_recipients(mine)
    for appointment in mine:
        _notify_family(appointment, appointment.child, "appointment_reminder", recipients[appointment.id])
    db.session.flush()
    return len(mine)


@bp.cli.command("send-appointment-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (for checking what would be sent).")
@runs_alone("send-appointment-reminders")
def send_appointment_reminders_command(today) -> None:
    """Email the families of children's appointments tomorrow (each appointment once)."""
    with db.unit_of_work():
        count = send_appointment_reminders(today.date() if today else None)
    click.echo(f"appointments reminded: {count}")
