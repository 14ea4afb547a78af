"""Demo children (`flask seed-demo`, idempotent): a caseload for coordinator@demo.test — mixed languages and goals, a
brother and sister — with one child placed with the Rivera household (family@demo.test) and one with the González
household (family2@demo.test), and a respite stay next month; and a second coordinator, coordinator2@demo.test
(Celia Coordinator, staff with the demo's second step), with two children of her own, so an administrator can try
assigning a child and handing a caseload over. Runs after licensing's demo (it licenses both households); if their
licenses are absent, the placements are skipped."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal import two_step
from portal.children import services
from portal.children.licenses import licensed_homes
from portal.children.models import Child, PermanencyGoal, Placement, RespiteStay, StayKind
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.models import Role, User
from portal.passwords import hash_password
from portal.signals import demo_seeding

# first, last, years old, language, goal, school, needs, sibling group, placed with (family email)
DEMO_CHILDREN = [
    ("Mia", "Torres", 7, "en", PermanencyGoal.REUNIFICATION, "Roosevelt Elementary", ["medical"], "",
     "family@demo.test"),
    ("Sofía", "Hernández", 9, "es", PermanencyGoal.REUNIFICATION, "Lincoln Elementary", ["emotional"], "",
     "family2@demo.test"),
    ("Lucas", "Ramírez", 5, "es", PermanencyGoal.ADOPTION, "Jefferson Kindergarten", [], "ramirez", None),
    ("Ana", "Ramírez", 8, "es", PermanencyGoal.ADOPTION, "Jefferson Elementary", [], "ramirez", None),
    ("Ethan", "Brooks", 15, "en", PermanencyGoal.OTHER_PLANNED, "Fresno High", ["behavioral"], "", None),
    ("Noah", "Kim", 2, "en", PermanencyGoal.GUARDIANSHIP, "", ["developmental"], "", None),
]


# The second demo coordinator and her caseload: first, last, years old, language, goal, school, needs.
SECOND_COORDINATOR = ("coordinator2@demo.test", "Celia Coordinator")
SECOND_CASELOAD = [
    ("Jayden", "Lee", 11, "en", PermanencyGoal.REUNIFICATION, "Washington Middle School", ["emotional"]),
    ("Camila", "Cruz", 4, "es", PermanencyGoal.GUARDIANSHIP, "", []),
]


def _birth_date(years: int, today: date) -> date:
    return date(today.year - years, 3, 15) if (today.month, today.day) >= (3, 15) else \
        date(today.year - years - 1, 3, 15)


def demo_children() -> dict[str, Child]:
    """The demo's placed children by the email of the family they are placed with (for other parts' demo data)."""
    wanted = {(first, last): email for first, last, *_rest, email in DEMO_CHILDREN if email}
    rows = db.session.execute(select(Child, User.email).join(Placement, Placement.child_id == Child.id)
                              .join(User, User.household_id == Placement.household_id)
                              .where(User.email.in_(set(wanted.values())))).all()
    return {email: child for child, email in rows if wanted.get((child.first_name, child.last_name)) == email}


def seed_second_coordinator(today: date) -> User:
    """coordinator2@demo.test (created once, with the demo's password and second step) and her two children (each
    created once, whoever works it now: a hand-over in the demo doesn't bring them back)."""
    from portal.demo import DEMO_PASSWORD

    email, full_name = SECOND_COORDINATOR
    celia = db.session.scalar(select(User).where(User.email == email))
    if celia is None:
        celia = User(email=email, full_name=full_name, role=Role.COORDINATOR, preferred_locale="en",
                     password_hash=hash_password(DEMO_PASSWORD), email_confirmed_at=now_utc())
        two_step.enrol_demo(celia)
        db.session.add(celia)
        db.session.flush()
    names = {(first, last) for first, last, *_rest in SECOND_CASELOAD}
    existing = {(c.first_name, c.last_name) for c in db.session.scalars(select(Child).where(
        Child.first_name.in_([first for first, _last in names]), Child.last_name.in_([last for _f, last in names])))}
    for first, last, years, language, goal, school, needs in SECOND_CASELOAD:
        if (first, last) not in existing:
            services.create_child(celia, {
                "first_name": first, "last_name": last, "birth_date": _birth_date(years, today),
                "preferred_locale": language, "school": school, "needs": needs, "permanency_goal": goal,
                "needs_summary": "New to care this month." if language == "en" else "Llegó al sistema este mes.",
                "case_notes": "Internal: referred by the school counselor.",
                "family_visible": ["birth_date", "preferred_locale", "school", "permanency_goal", "needs_summary"]})
    return celia


@demo_seeding.connect
def seed_children(_app, **_kwargs) -> None:
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    if coordinator is None:
        return
    today = agency_today()
    seed_second_coordinator(today)
    # Scale seeding draws names from a pool that holds these ("Mia Torres"): the demo's own child is the first made,
    # so the newest namesake is read first and the oldest kept.
    existing = {(c.first_name, c.last_name): c for c in db.session.scalars(
        select(Child).where(Child.coordinator_id == coordinator.id).order_by(Child.id.desc())).all()}
    families = {u.email: u for u in db.session.scalars(select(User).where(
        User.email.in_(["family@demo.test", "family2@demo.test"]))).all()}
    placed = {}
    for first, last, years, language, goal, school, needs, siblings, family in DEMO_CHILDREN:
        child = existing.get((first, last))
        if child is None:
            child = services.create_child(coordinator, {
                "first_name": first, "last_name": last, "birth_date": _birth_date(years, today),
                "preferred_locale": language, "school": school, "needs": needs, "permanency_goal": goal,
                "sibling_group": siblings,
                "needs_summary": "Settling in well; likes drawing." if language == "en" else
                "Se está adaptando bien; le gusta dibujar.",
                "health_needs": "Asthma: inhaler at school and at home." if "medical" in needs else "",
                "visitation_plan": "Weekly supervised visit with mother, Saturdays." if goal is
                PermanencyGoal.REUNIFICATION else "",
                "case_notes": "Internal: case opened after a hotline report.",
                "family_visible": ["birth_date", "preferred_locale", "school", "health_needs", "permanency_goal",
                                   "visitation_plan", "needs_summary"]})
        user = families.get(family) if family else None
        if user is not None and user.household_id is not None:
            placed[child.id] = (child, user.household_id)
    if not placed:
        return
    current = set(db.session.scalars(select(Placement.child_id).where(Placement.child_id.in_(placed))).all())
    homes = {home.household_id for home in licensed_homes(today - timedelta(days=60))}
    new_placements = {}
    for child_id, (child, household_id) in placed.items():
        if child_id in current or household_id not in homes:
            continue
        new_placements[household_id] = services.place_child(coordinator, child, household_id,
                                                            today - timedelta(days=60), "Demo placement.")
    rivera = families.get("family@demo.test")
    gonzalez = families.get("family2@demo.test")
    if rivera is None or gonzalez is None or rivera.household_id not in new_placements:
        return
    placement = new_placements[rivera.household_id]
    if db.session.scalar(select(RespiteStay.id).where(RespiteStay.placement_id == placement.id)) is None \
            and gonzalez.household_id in {h.household_id for h in licensed_homes(today + timedelta(days=21))}:
        services.record_stay(coordinator, placement, StayKind.RESPITE_HOME, today + timedelta(days=20),
                             today + timedelta(days=21), "Weekend respite for the Rivera family.",
                             household_id=gonzalez.household_id)
