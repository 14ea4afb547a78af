"""Agency-scale children for `flask --app app seed-demo --households N` (after licensing added the families): children
on coordinators' caseloads (one coordinator for about 40 children), placed with the run's licensed homes that have
room and fit their age, ended placements as history, appointments past and upcoming, and a few respite stays.

The core never imports licensing: the licensed homes come from the license source registry
(`portal/children/licenses.py`), the families from plain queries on accounts. Bulk inserts only (portal/bulk.py), no
audit events, a seeded random generator; the proportions are below and in docs/performance.md."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal import two_step
from portal.bulk import insert_returning_ids, insert_rows
from portal.children.licenses import LicensedHome, licensed_homes
from portal.children.models import (
    DEFAULT_FAMILY_VISIBLE,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CaseStatus,
    Child,
    PermanencyGoal,
    Placement,
    PlacementEndReason,
    PlacementStatus,
    RespiteStay,
    StayKind,
    Transporter,
)
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.models import Role, User

EMAIL_DOMAIN = "seed.demo.test"  # the seeded accounts' domain (licensing/scale_demo.py writes the families)

# Proportions (docs/performance.md, "What 10,000 households are made of").
CHILDREN_PER_HOME = 1.9  # open cases per home licensed today
UNPLACED_PERCENT = 15  # open cases waiting for a home
MOVED_PERCENT = 30  # placed children who lived with another home before (an ended placement)
CLOSED_PERCENT = 12  # closed cases (per open case): one ended placement each, reunified, adopted...
CHILDREN_PER_COORDINATOR = 40
SIBLING_PERCENT = 20  # open cases in a pair of brothers and sisters
PAST_APPOINTMENTS = (3, 9)  # per open case, over the last six months
UPCOMING_APPOINTMENTS = (1, 4)  # per open case, in the next eight weeks
CLOSED_APPOINTMENTS = 3  # per closed case, before it closed
CANCELLED_PERCENT = 6
RESPITE_PERCENT = 2  # of the current placements

FIRST_NAMES = ["Mia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sofia", "Mateo", "Isabella", "Lucas", "Camila",
               "Ethan", "Valentina", "Aiden", "Luna", "Diego", "Chloe", "Jayden", "Zoe", "Santiago", "Aria", "Leo"]
LAST_NAMES = ["Torres", "Nguyen", "Brooks", "Ramírez", "Kim", "Flores", "Reed", "Castillo", "Patel", "Bennett",
              "Vargas", "Hughes", "Ortiz", "Price", "Mendoza", "Coleman", "Silva", "Foster", "Rojas", "Ward"]
SCHOOLS = ["Roosevelt Elementary", "Lincoln Elementary", "Jefferson Kindergarten", "Washington Middle School",
           "Fresno High", "Madera South High", ""]
NEEDS = ["medical", "behavioral", "emotional", "developmental"]
GOALS = [PermanencyGoal.REUNIFICATION, PermanencyGoal.ADOPTION, PermanencyGoal.GUARDIANSHIP,
         PermanencyGoal.OTHER_PLANNED]
GOAL_WEIGHTS = [55, 25, 12, 8]
KINDS = [(AppointmentKind.MEDICAL, "Checkup", "Valley Children's Clinic, 9300 Valley Children's Pl, Madera"),
         (AppointmentKind.DENTAL, "Dental cleaning", "Smile Dental, 410 N Blackstone Ave, Fresno"),
         (AppointmentKind.THERAPY, "Therapy session", "Family Counseling Center, 1515 E Shields Ave, Fresno"),
         (AppointmentKind.COURT_HEARING, "Review hearing", "Juvenile Court, 3333 E American Ave, Fresno"),
         (AppointmentKind.FAMILY_VISIT, "Family visit", "Agency visit room, 1200 Main Street, Fresno"),
         (AppointmentKind.SCHOOL_MEETING, "IEP meeting", "School office"),
         (AppointmentKind.CASEWORKER_VISIT, "Monthly caseworker visit", "At home")]
KIND_WEIGHTS = [18, 10, 22, 8, 25, 7, 10]
CASE_STEPS = 5  # progress is reported in this many parts of `households`


@dataclass
class _Case:
    index: int
    birth_date: date
    open: bool
    sibling_group: str = ""
    coordinator_id: int = 0
    child_id: int = 0
    home: LicensedHome | None = None  # placed with now
    placed_on: date | None = None
    placement_id: int = 0


def seed_children(households: int, since_household_id: int, password_hash: str,
                  progress: Callable[[int], None]) -> dict:
    """Children, coordinators, placements, appointments and respite stays for the families added after
    `since_household_id`; reports `households` units of progress in all. Returns counts (for the command and tests)."""
    rng = random.Random(households * 104729 + since_household_id)
    today, now = agency_today(), now_utc()
    run = _run_number()
    families = dict(db.session.execute(
        select(User.household_id, User.id).where(User.household_id > since_household_id, User.role == Role.FAMILY,
                                                 User.email.like(f"%@{EMAIL_DOMAIN}"))).all())
    homes = sorted((home for home in licensed_homes(today) if home.household_id in families),
                   key=lambda home: home.household_id)
    steps = _Progress(households, progress)
    cases = _cases(rng, len(homes), run, today)
    coordinators = _coordinators(run, math.ceil(len(cases) / CHILDREN_PER_COORDINATOR), password_hash)
    for case in cases:  # caseloads of about 40, siblings with the same coordinator
        case.coordinator_id = coordinators[(case.index // 2 * 2) * len(coordinators) // max(1, len(cases))]
    child_ids = insert_returning_ids(Child, [_child_row(rng, case, now) for case in cases])
    for case, child_id in zip(cases, child_ids, strict=True):
        case.child_id = child_id
    steps.done(1)
    placements = _placements(rng, cases, homes, today)
    steps.done(2)
    appointments = _appointments(rng, cases, now)
    steps.done(3)
    stays = _respite_stays(rng, cases, homes, today)
    steps.done(CASE_STEPS)
    return {"children": len(cases), "coordinators": len(coordinators), "placements": placements,
            "appointments": appointments, "respite_stays": stays, "homes": len(homes)}


class _Progress:
    def __init__(self, households: int, progress: Callable[[int], None]):
        self.households, self.progress, self.reported = households, progress, 0

    def done(self, step: int) -> None:
        target = self.households * step // CASE_STEPS
        self.progress(target - self.reported)
        self.reported = target


def _run_number() -> int:
    """1 for the first run, 2 for the next...: the extra coordinators' emails of each run differ."""
    return (db.session.scalar(select(func.count()).select_from(User).where(
        User.email.like(f"coordinator1.run%@{EMAIL_DOMAIN}"))) or 0) + 1


def _cases(rng: random.Random, homes: int, run: int, today: date) -> list[_Case]:
    open_count = round(homes * CHILDREN_PER_HOME)
    closed_count = open_count * CLOSED_PERCENT // 100
    cases = []
    for index in range(open_count + closed_count):
        years = rng.choices(range(18), [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 4, 4])[0]
        birth = today - timedelta(days=365 * years + rng.randint(30, 330))
        cases.append(_Case(index, birth, open=index < open_count))
    for index in range(0, open_count * SIBLING_PERCENT // 100 - 1, 2):  # pairs, next to each other
        key = f"seed{run}-{index}"
        cases[index].sibling_group = cases[index + 1].sibling_group = key
    return cases


def _coordinators(run: int, wanted: int, password_hash: str) -> list[int]:
    """The demo's active coordinators and enough more (with the demo password and second step) for caseloads of
    about 40."""
    ids = list(db.session.scalars(select(User.id).where(User.role == Role.COORDINATOR, User.is_active.is_(True),
                                                        User.email.like("%@demo.test")).order_by(User.id)))
    extra = max(0, wanted - len(ids))
    if extra:
        secret = two_step.encrypt_secret(two_step.DEMO_SECRET)  # the demo's second step (README)
        now = now_utc()
        ids += insert_returning_ids(User, [
            {"email": f"coordinator{k}.run{run}@{EMAIL_DOMAIN}", "full_name": f"{rng_name(k)} Coordinator",
             "role": Role.COORDINATOR, "preferred_locale": "es" if k % 3 == 0 else "en",
             "password_hash": password_hash, "email_confirmed_at": now, "totp_secret_encrypted": secret,
             "totp_enabled_at": now} for k in range(1, extra + 1)])
    return ids


def rng_name(k: int) -> str:
    return f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {LAST_NAMES[(k // len(FIRST_NAMES)) % len(LAST_NAMES)]}"


def _child_row(rng: random.Random, case: _Case, now: datetime) -> dict:
    spanish = rng.random() < 0.35
    goal = rng.choices(GOALS, GOAL_WEIGHTS)[0]
    needs = rng.sample(NEEDS, rng.choices([0, 1, 2], [50, 35, 15])[0])
    return {"first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES), "birth_date": case.birth_date,
            "preferred_locale": "es" if spanish else "en",
            "school": rng.choice(SCHOOLS) if case.birth_date.year < now.year - 4 else "", "needs": needs,
            "needs_summary": "Settling in; likes drawing and soccer." if not spanish else
            "Se está adaptando; le gusta dibujar y el fútbol.",
            "health_needs": "Asthma: inhaler at school and at home." if "medical" in needs else "",
            "visitation_plan": "Weekly supervised visit, Saturdays." if goal is PermanencyGoal.REUNIFICATION else "",
            "permanency_goal": goal, "case_status": CaseStatus.OPEN if case.open else CaseStatus.CLOSED,
            "sibling_group": case.sibling_group, "case_notes": "Internal: case opened after a hotline report.",
            "reporter": "", "court_notes": "", "birth_family_notes": "", "education_needs": "",
            "family_visible": list(DEFAULT_FAMILY_VISIBLE), "coordinator_id": case.coordinator_id,
            "created_at": now - timedelta(days=rng.randint(30, 900))}


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _placements(rng: random.Random, cases: list[_Case], homes: list[LicensedHome], today: date) -> int:
    """At most one active placement per child, only with a home licensed today that has room (its capacity) and
    whose license's age range fits the child; a start on or after the license began. Earlier homes end the day
    before; closed cases have one ended placement."""
    room = {home.household_id: home.capacity for home in homes}
    order = list(homes)
    rng.shuffle(order)
    cursor = 0
    rows = []
    for case in cases:
        if not case.open or rng.randrange(100) < UNPLACED_PERCENT:
            continue
        age = _age_on(case.birth_date, today)
        for step in range(len(order)):  # the next home round the circle with room and the right ages
            home = order[(cursor + step) % len(order)]
            if room[home.household_id] > 0 and home.age_min <= age <= home.age_max:
                cursor = (cursor + step + 1) % len(order)
                room[home.household_id] -= 1
                case.home = home
                break
        if case.home is None:
            continue
        earliest = max(case.home.effective_on, case.birth_date, today - timedelta(days=900))
        case.placed_on = earliest + timedelta(days=rng.randint(0, max(0, (today - earliest).days - 1)))
        rows.append(_placement_row(case.child_id, case.home.household_id, case.placed_on, case.coordinator_id))
    active_ids = insert_returning_ids(Placement, rows)
    for case, placement_id in zip((c for c in cases if c.home is not None), active_ids, strict=True):
        case.placement_id = placement_id
    ended = []
    for case in cases:
        if case.open and (case.home is None or rng.randrange(100) >= MOVED_PERCENT):
            continue
        until = case.placed_on - timedelta(days=1) if case.open else today - timedelta(days=rng.randint(10, 300))
        earlier = [home for home in rng.sample(homes, min(8, len(homes)))
                   if (case.home is None or home.household_id != case.home.household_id)
                   and home.effective_on < until - timedelta(days=30) and case.birth_date < until - timedelta(days=30)]
        if not earlier:
            continue
        home = earlier[0]
        start = max(home.effective_on, case.birth_date, until - timedelta(days=500))
        start += timedelta(days=rng.randint(0, max(0, (until - start).days - 30)))
        row = _placement_row(case.child_id, home.household_id, start, case.coordinator_id)
        reason = PlacementEndReason.MOVED if case.open else rng.choice(
            [PlacementEndReason.REUNIFIED, PlacementEndReason.REUNIFIED, PlacementEndReason.ADOPTED,
             PlacementEndReason.GUARDIANSHIP])
        row.update(status=PlacementStatus.ENDED, ends_on=until, end_reason=reason,
                   end_note="Moved closer to the child's school." if case.open else "")
        ended.append(row)
    insert_rows(Placement, ended)
    return len(rows) + len(ended)


def _placement_row(child_id: int, household_id: int, starts_on: date, placed_by: int) -> dict:
    return {"child_id": child_id, "household_id": household_id, "status": PlacementStatus.ACTIVE,
            "starts_on": starts_on, "start_reason": "Emergency placement." if starts_on.day % 3 == 0 else "",
            "ends_on": None, "end_reason": None, "end_note": "", "placed_by_id": placed_by,
            "created_at": datetime.combine(starts_on, time(17), tzinfo=now_utc().tzinfo)}


def _appointments(rng: random.Random, cases: list[_Case], now: datetime) -> int:
    """Past appointments (a reminder was sent) and upcoming ones, at agency hours; a few cancelled."""
    rows = []
    for case in cases:
        if case.open:
            moments = [now - timedelta(days=rng.randint(1, 180)) for _ in range(rng.randint(*PAST_APPOINTMENTS))]
            moments += [now + timedelta(days=rng.randint(1, 56)) for _ in range(rng.randint(*UPCOMING_APPOINTMENTS))]
        else:
            moments = [now - timedelta(days=rng.randint(320, 700)) for _ in range(CLOSED_APPOINTMENTS)]
        for moment in moments:
            kind, title, place = rng.choices(KINDS, KIND_WEIGHTS)[0]
            starts = moment.replace(hour=rng.randint(15, 23), minute=rng.choice([0, 15, 30, 45]), second=0,
                                    microsecond=0)  # 7 am to 4 pm in California, in UTC
            cancelled = rng.randrange(100) < CANCELLED_PERCENT
            rows.append({
                "child_id": case.child_id, "kind": kind, "title": title, "place": place, "virtual_link": "",
                "status": AppointmentStatus.CANCELLED if cancelled else AppointmentStatus.SCHEDULED,
                "starts_at": starts, "duration_minutes": rng.choice([30, 45, 60, 60, 90]),
                "transport_by": rng.choices([Transporter.FAMILY, Transporter.COORDINATOR, Transporter.AGENCY],
                                            [70, 15, 15])[0],
                "transport_note": "", "transport_answer_note": "", "family_notes": "", "internal_notes": "",
                "cancel_reason": "The clinic rescheduled." if cancelled else "", "sequence": 1 if cancelled else 0,
                "reminder_sent_at": starts - timedelta(days=1) if starts < now else None,
                "created_by_id": case.coordinator_id, "created_at": min(starts, now) - timedelta(days=14)})
    insert_rows(Appointment, rows)
    return len(rows)


def _respite_stays(rng: random.Random, cases: list[_Case], homes: list[LicensedHome], today: date) -> int:
    """A weekend with another licensed home (or camp) for a few placed children: half past, half ahead."""
    placed = [case for case in cases if case.placement_id]
    rows = []
    for case in rng.sample(placed, len(placed) * RESPITE_PERCENT // 100):
        others = [home for home in rng.sample(homes, min(5, len(homes))) if home.household_id != case.home.household_id
                  and home.expires_on > today + timedelta(days=40)]
        start = max(case.placed_on + timedelta(days=1), today + timedelta(days=rng.randint(-60, 30)))
        if not others or start > today + timedelta(days=35):
            continue
        camp = rng.randrange(4) == 0
        rows.append({"placement_id": case.placement_id, "kind": StayKind.CAMP if camp else StayKind.RESPITE_HOME,
                     "household_id": None if camp else others[0].household_id,
                     "place_name": "Camp Sierra" if camp else "", "starts_on": start,
                     "ends_on": start + timedelta(days=rng.randint(1, 3)),
                     "reason": "Weekend respite." if not camp else "Summer camp.", "cancelled_at": None,
                     "created_by_id": case.coordinator_id})
    insert_rows(RespiteStay, rows)
    return len(rows)
