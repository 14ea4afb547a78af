"""`flask --app app ...` commands: migrate, seed the demo, create staff, send mail, clean up."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import demo, emails, pending, services
from portal.extensions import db
from portal.jobs import runs_alone
from portal.models import STAFF_ROLES, Role


@click.command("upgrade-db")
@with_appcontext
def upgrade_db_command() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    from portal.migrations import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("seed-demo")
@click.option("--households", default=0, show_default=True, type=click.IntRange(0, 1_000_000),
              help="Also add this many families across every stage of the pipeline, with their children, placements, "
                   "appointments, messages and trainings (agency scale, for trying and measuring pages; "
                   "docs/performance.md). Each run adds that many more.")
@with_appcontext
def seed_demo_command(households: int) -> None:
    """Create the demo accounts (idempotent). Refuses to run in production."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production (FLASK_ENV=production).")
    label = f"seeding {households} households, then their children, appointments, messages and trainings"
    with click.progressbar(length=demo.progress_length(households), label=label,
                           hidden=households == 0) as bar, db.unit_of_work():
        created = demo.seed_all(current_app._get_current_object(), households=households, progress=bar.update)
    if households:
        demo.tidy_after_bulk_load(db.engine)
    click.echo(f"demo data ready ({created} new accounts); password for all: {demo.DEMO_PASSWORD}")
    if households:
        click.echo(f"{households} households added, with their children, appointments, messages and trainings "
                   "(docs/performance.md says in which proportions)")


@click.command("demo-code")
@with_appcontext
def demo_code_command() -> None:
    """Print the code the demo's authenticator secret gives now (the demo's staff accounts sign in with it)."""
    from portal import two_step

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo-code refuses to run in production: the demo secret is refused there.")
    click.echo(two_step.demo_code())


@click.command("reset-second-step")
@click.option("--email", required=True)
@click.option("--reason", required=True, help="Why, for the event log (e.g. 'lost phone, confirmed in person').")
@with_appcontext
def reset_second_step_command(email: str, reason: str) -> None:
    """Reset someone's second step from the server (the last administrator lost their phone; SECRET_KEY changed).
    Every session of theirs ends; staff set it up again at their next sign-in."""
    from portal import two_step

    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException("no account with this email")
    with db.unit_of_work():
        two_step.reset(None, user, reason.strip())
    click.echo(f"second step reset for {user.email}")


@click.command("create-staff")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(sorted(r.value for r in STAFF_ROLES)), required=True)
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.password_option()
@with_appcontext
def create_staff_command(email: str, full_name: str, role: str, language: str, password: str) -> None:
    """Create a staff account (homefinder, coordinator, admin) that can sign in at once."""
    if services.find_user_by_email(email) is not None:
        raise click.ClickException("an account with this email already exists")
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    with db.unit_of_work():
        services.create_staff(full_name, email, Role(role), password, language)
    click.echo(f"created {role} {email}")


@click.command("send-mail")
@click.option("--limit", default=20_000, show_default=True, help="At most this many due messages in this run.")
@with_appcontext
def send_mail_command(limit: int) -> None:
    """Send due messages from the outbox over one SMTP connection (run from cron every minute). Several runs at once,
    on one machine or several, share the work: each message is claimed by one of them (portal/emails.py)."""
    counts = emails.deliver_due(limit=limit)
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@click.command("cleanup")
@with_appcontext
@runs_alone("cleanup")
def cleanup_command() -> None:
    """Delete what is kept only for a while: input typed when a session ended, after a day (run from cron hourly)."""
    with db.unit_of_work():
        removed = pending.delete_expired()
    click.echo(f"kept input deleted: {removed}")


@click.command("remove-orphan-files")
@click.option("--older-than-hours", default=24, show_default=True, type=click.IntRange(1, None),
              help="Only files stored at least this long ago (a request in progress has not written its rows yet).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
@with_appcontext
def remove_orphan_files_command(older_than_hours: int, dry_run: bool) -> None:
    """Delete stored files no record names: what a process killed between storing a file and committing its row
    left behind (a rolled-back request removes its own files). Run daily from cron, with the database that owns the
    store: a bucket or folder shared with another database would lose that database's files."""
    from datetime import timedelta

    from portal.uploads import remove_orphans

    with db.unit_of_work():
        removed = remove_orphans(timedelta(hours=older_than_hours), dry_run=dry_run)
    for key in removed:
        click.echo(key)
    click.echo(f"orphan files {'found' if dry_run else 'deleted'}: {len(removed)}")


def init_app(app: Flask) -> None:
    for command in (upgrade_db_command, seed_demo_command, demo_code_command, reset_second_step_command,
                    create_staff_command, send_mail_command, cleanup_command, remove_orphan_files_command):
        app.cli.add_command(command)
