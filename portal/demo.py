"""Demo data for `make run`: one account per role, all with the same password. Idempotent."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from portal import services, two_step
from portal.children import scale_demo as children_scale
from portal.database import now_utc
from portal.extensions import db
from portal.messaging import scale_demo as messaging_scale
from portal.models import Household, Role, User
from portal.passwords import hash_password
from portal.signals import demo_scaled, demo_seeding

DEMO_PASSWORD = "demo-pass-2026"

DEMO_ACCOUNTS = [
    # email, full name, role, language, household name
    ("applicant@demo.test", "Alex Applicant", Role.APPLICANT, "en", "Applicant household"),
    ("family@demo.test", "Jordan Rivera", Role.FAMILY, "en", "Rivera family"),
    ("family2@demo.test", "María González", Role.FAMILY, "es", "Familia González"),
    ("homefinder@demo.test", "Hana Homefinder", Role.HOMEFINDER, "en", None),
    ("coordinator@demo.test", "Carlos Coordinator", Role.COORDINATOR, "en", None),
    ("admin@demo.test", "Ada Admin", Role.ADMIN, "en", None),
]


def seed() -> int:
    """Create what is missing; never touches accounts that already exist. Returns how many were created."""
    created = 0
    password_hash = hash_password(DEMO_PASSWORD)
    for email, full_name, role, language, household_name in DEMO_ACCOUNTS:
        existing = services.find_user_by_email(email)
        if existing is not None:
            if existing.is_staff and not existing.has_authenticator:  # a demo database from before two steps
                two_step.enrol_demo(existing)
            continue
        user = User(
            email=email,
            full_name=full_name,
            role=role,
            preferred_locale=language,
            password_hash=password_hash,
            email_confirmed_at=now_utc(),
            household=Household(name=household_name) if household_name else None,
        )
        if role.is_staff:  # README: "Demo authenticator secret"; `flask --app app demo-code` prints the code
            two_step.enrol_demo(user)
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


def seed_all(app, households: int = 0, progress=None) -> int:
    """Core accounts, then every feature package's demo data (they listen to `demo_seeding`). `households`: how many
    families at agency scale to add: licensing's families (licensing/scale_demo.py, on `demo_seeding`), then what
    hangs on them (`seed_agency`). Each part reports `households` units to `progress(count)`:
    `progress_length(households)` in all."""
    created = seed()
    progress = progress or (lambda _count: None)
    since_household_id = db.session.scalar(select(func.max(Household.id))) or 0
    password_hash = hash_password(DEMO_PASSWORD) if households > 0 else None  # hashed once (Argon2 is slow)
    answers = demo_seeding.send(app, households=households, progress=progress, password_hash=password_hash)
    if households > 0:
        # Threads a package planned for its families (licensing's with the homefinder), written with the core's.
        planned = [talk for _receiver, answer in answers if isinstance(answer, list) for talk in answer
                   if isinstance(talk, messaging_scale.Conversation)]
        seed_agency(app, households, since_household_id, password_hash, progress, planned)
    return created


def seed_agency(app, households: int, since_household_id: int, password_hash: str, progress,
                planned_threads: list[messaging_scale.Conversation] | None = None) -> None:
    """At agency scale, after licensing added the run's families (households after `since_household_id`): the core's
    children, placements, appointments and messages, then the feature packages' part (`demo_scaled`: trainings).
    Called, not a receiver of `demo_seeding`, so the order licensing → core → training is fixed. `planned_threads`:
    the `Conversation`s packages planned for their families (licensing's with the homefinder), written with the
    core's in one pass."""
    children_scale.seed_children(households, since_household_id, password_hash, progress)
    messaging_scale.seed_threads(households, since_household_id, planned_threads or ())
    progress(households)
    demo_scaled.send(app, households=households, since_household_id=since_household_id, progress=progress)


def progress_length(households: int) -> int:
    """How many units `seed_all` reports: `households` for the families, the children, the messages and each
    package listening to `demo_scaled`."""
    return households * (3 + len(demo_scaled.receivers)) if households > 0 else 0


def tidy_after_bulk_load(engine) -> None:
    """What PostgreSQL's autovacuum does some minutes after a bulk load, done at once: `VACUUM ANALYZE` gives the
    planner the new tables' statistics and marks their pages all-visible, so counts read from an index alone (the
    work queue's). Without it, the pages measured right after `seed-demo --households` are planned as if the tables
    were empty. Nothing to do on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The portal's own tables (those of the connection's schema), not every database's on the server.
        names = inspect(connection).get_table_names()
        if names:
            quote = engine.dialect.identifier_preparer.quote
            connection.exec_driver_sql("VACUUM ANALYZE " + ", ".join(quote(name) for name in names))
