"""`flask --app app send-reminders`: renewal and due-date reminders, safe to run every hour from cron."""

from datetime import date

import click

from licensing import bp, tracker
from portal.extensions import db


@bp.cli.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend it is this day (for checking what would be sent).")
def send_reminders_command(today) -> None:
    """Email families about items due in 90, 60, 30 and 7 days and overdue ones (each once), and visits tomorrow."""
    counts = tracker.send_reminders(today.date() if today else date.today())
    db.commit()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
