"""Demo data for `make run`: one account per role, all with the same password. Idempotent."""

from __future__ import annotations

from portal import services, two_step
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password
from portal.signals import demo_seeding

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
    families at agency scale to add (licensing/scale_demo.py), reporting each batch done to `progress(count)`."""
    created = seed()
    demo_seeding.send(app, households=households, progress=progress)
    return created
