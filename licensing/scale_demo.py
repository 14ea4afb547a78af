"""Agency-scale demo data for `flask --app app seed-demo --households N`: N families spread over every stage of the
pipeline, so lists, the board and the metrics can be tried (and measured) with realistic amounts of data.

Rows are written with bulk INSERTs (`session.execute(insert(Model), [dicts])`) in batches of BATCH rows: no ORM
object per row and no audit event per row (the seeded families have no history in the event log; their dates —
created, status changed, last activity, contacted — are written directly, never later than now). The proportions
are in SEED_STAGES and
documented in docs/performance.md. Running the command again adds N more families (new email addresses: the run's
number is part of them)."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from licensing.application.models import (
    Application,
    ApplicationSection,
    ApplicationStatus,
    HouseholdMember,
    MemberRole,
    SectionStatus,
)
from licensing.application.sections import SECTION_KEYS
from licensing.pipeline import finished
from licensing.recruitment.models import (
    ClosedReason,
    ContactKind,
    ContactOutcome,
    EventKind,
    InfoSession,
    Interest,
    Lead,
    LeadContact,
    LeadInquiry,
    LeadSource,
    LeadStatus,
    RecruitmentEvent,
    SessionFormat,
    SessionRsvp,
)
from licensing.tracker.models import (
    ChecklistItem,
    ItemStatus,
    License,
    LicenseStatus,
    LicenseType,
    RequirementScope,
    RequirementTemplate,
)
from portal.clock import first_contact_due
from portal.database import now_utc
from portal.extensions import db
from portal.messaging.scale_demo import HOMEFINDER_SUBJECTS, Conversation
from portal.models import Household, Role, User
from portal.passwords import hash_password
from portal.signals import demo_seeding

BATCH = 1000
EMAIL_DOMAIN = "seed.demo.test"


# A license runs two years; a licensed family renews it, a few let it lapse (the license's status is then expired).
LICENSE_TERM = timedelta(days=730)
LAPSED_PERCENT = 10  # of the families whose first term has ended
# From the inquiry: first application 21 days later, sent 40 to 90 days after the inquiry, license 120 days after.
APPLICATION_AFTER, INVITED_AFTER, LICENSE_AFTER = timedelta(days=21), timedelta(days=20), timedelta(days=120)


@dataclass(frozen=True)
class SeedStage:
    """Where a seeded family stands: its lead's status and, from `applying` on, its application (and license); how
    long ago its inquiry came, at least as long as reaching this stage takes (nothing dated after now). Not
    licensing/pipeline/stages.Stage, the board's stages: these are the seed's own mix."""

    key: str
    percent: int
    lead_status: LeadStatus
    application: ApplicationStatus | None = None
    licensed: bool = False
    closed: bool = False
    min_age_days: int = 0
    max_age_days: int = 60


# Out of every 100 families (docs/performance.md). The database is a stock built over years, not one month's funnel:
# licensed homes stay (30 of 100) while most inquiries never apply. 66 of 100 have an account and an application;
# 50 of 100 sent theirs and have a checklist (about 16 items, plus the renewal items of each two-year license
# term begun), so 10,000 families carry about 91,000 checklist items.
# Ages: a first contact comes up to 70 hours after the inquiry, an invitation 20 days after, the application 21 days
# after, its sending up to 90 days after and the license 120 days after that (at most 210 days in all).
SEED_STAGES = [
    SeedStage("inquiry", 10, LeadStatus.NEW, min_age_days=0, max_age_days=60),
    SeedStage("contacted", 8, LeadStatus.CONTACTED, min_age_days=3, max_age_days=60),
    SeedStage("rsvped", 4, LeadStatus.RSVPED, min_age_days=7, max_age_days=60),
    SeedStage("attended", 4, LeadStatus.ATTENDED, min_age_days=10, max_age_days=90),
    SeedStage("invited", 3, LeadStatus.INVITED, min_age_days=21, max_age_days=90),
    SeedStage("applying", 16, LeadStatus.APPLYING, ApplicationStatus.IN_PROGRESS, min_age_days=22, max_age_days=400),
    SeedStage("submitted", 12, LeadStatus.APPLYING, ApplicationStatus.SUBMITTED, min_age_days=91, max_age_days=700),
    SeedStage("returned", 3, LeadStatus.APPLYING, ApplicationStatus.RETURNED, min_age_days=91, max_age_days=700),
    SeedStage("licensed", 30, LeadStatus.APPLYING, ApplicationStatus.APPROVED, licensed=True, min_age_days=400,
              max_age_days=1500),  # licensed one to four years ago
    SeedStage("closed", 5, LeadStatus.CLOSED, closed=True, min_age_days=3, max_age_days=400),
    SeedStage("closed_applicant", 5, LeadStatus.CLOSED, ApplicationStatus.WITHDRAWN, closed=True, min_age_days=91,
              max_age_days=700),
]
assert sum(stage.percent for stage in SEED_STAGES) == 100
_BY_SLOT = [stage for stage in SEED_STAGES for _ in range(stage.percent)]

FIRST_NAMES_EN = ["James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "Chris", "Sarah",
                  "Daniel", "Karen", "Kevin", "Nancy", "Brian", "Lisa", "Anthony", "Betty", "Mark", "Ashley"]
FIRST_NAMES_ES = ["José", "María", "Luis", "Ana", "Carlos", "Lucía", "Jorge", "Carmen", "Miguel", "Rosa",
                  "Juan", "Elena", "Pedro", "Sofía", "Diego", "Isabel"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
              "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Lee",
              "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker"]
COUNTIES = [("Fresno", "937"), ("Madera", "936"), ("Kings", "932"), ("Tulare", "932"), ("Merced", "953")]
SOURCES = [LeadSource.EVENT, LeadSource.FOSTER_PARENT_REFERRAL, LeadSource.FAITH_COMMUNITY, LeadSource.SOCIAL_MEDIA,
           LeadSource.SEARCH, LeadSource.OTHER]
SOURCE_WEIGHTS = [25, 20, 15, 20, 15, 5]


def _batches(rows: list[dict]) -> Iterable[list[dict]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _insert(model, rows: list[dict]) -> None:
    for chunk in _batches(rows):
        db.session.execute(insert(model), chunk)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Bulk insert that gives back the new ids in the order of `rows` (to link the next table's rows to them)."""
    ids: list[int] = []
    for chunk in _batches(rows):
        ids.extend(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), chunk))
    return ids


def _run_number() -> int:
    """1 for the first `--households` run, 2 for the next...: emails and codes of each run differ."""
    seeded = db.session.scalar(select(func.count()).select_from(RecruitmentEvent)
                               .where(RecruitmentEvent.source_code.like("SEED%-FAIR")))
    return (seeded or 0) + 1


@demo_seeding.connect
def seed_households(_app, households: int = 0, progress: Callable[[int], None] | None = None,
                    password_hash: str | None = None, **_kwargs) -> list[Conversation]:
    """Add `households` families across the pipeline (nothing when 0, the plain `seed-demo`). `password_hash`: the
    demo password's, hashed once by the caller (else here). Returns the threads with the homefinder for the core to
    write with its own (portal/demo.py: one pass numbers every message in date order)."""
    if households <= 0:
        return []
    progress = progress or (lambda _n: None)
    rng = random.Random(households * 7919 + _run_number())
    run = _run_number()
    now = now_utc()
    today = now.date()
    homefinders = _homefinders(run)
    events = _recruitment_events(run, today)
    sessions = _info_sessions(households, now)
    templates = db.session.execute(select(RequirementTemplate.id, RequirementTemplate.scope,
                                          RequirementTemplate.for_renewal, RequirementTemplate.due_days)
                                   .where(RequirementTemplate.active.is_(True))).all()
    # portal/demo.py DEMO_PASSWORD: seeded families can sign in
    password_hash = password_hash or hash_password("demo-pass-2026")
    conversations: list[Conversation] = []
    leads_before = db.session.scalar(select(func.coalesce(func.max(Lead.id), 0)))
    # This run's leads get their licensed-or-closed flag in one UPDATE at the end, not every lead after every batch.
    with finished.refreshed_at_end(db.session, Lead.id > leads_before):
        for start in range(0, households, BATCH):
            count = min(BATCH, households - start)
            conversations += _seed_batch(rng, run, start, count, now, today, homefinders, events, sessions,
                                         templates, password_hash)
            progress(count)
    return conversations


def _homefinders(run: int) -> list[int]:
    """The demo homefinder and four more (invited, no password), so families are spread over five caseloads."""
    ids = list(db.session.scalars(select(User.id).where(User.role == Role.HOMEFINDER, User.is_active.is_(True))
                                  .order_by(User.id)))
    names = ["Ruth Ortega", "Sam Patel", "Dana Kim", "Luis Morales"]
    ids += _insert_returning_ids(User, [{"email": f"homefinder{k}.run{run}@{EMAIL_DOMAIN}", "full_name": name,
                                         "role": Role.HOMEFINDER, "preferred_locale": "es" if k % 2 else "en"}
                                        for k, name in enumerate(names, start=1)])
    return ids


def _recruitment_events(run: int, today: date) -> list[int]:
    kinds = [(EventKind.FAIR, "FAIR", "County fair booth"), (EventKind.FAITH_TALK, "FAITH", "Talk at St. Anne's"),
             (EventKind.SCHOOL_TALK, "SCHOOL", "Talk at Lincoln Elementary"),
             (EventKind.ONLINE_CAMPAIGN, "ONLINE", "Spring online campaign"),
             (EventKind.COMMUNITY_TALK, "COMMUNITY", "Community center evening")]
    return _insert_returning_ids(RecruitmentEvent, [
        {"name": name, "kind": kind, "source_code": f"SEED{run}-{code}", "starts_on": today - timedelta(days=60 * k),
         "language": "es" if k % 3 == 2 else "en", "county": COUNTIES[k % len(COUNTIES)][0]}
        for k, (kind, code, name) in enumerate(kinds)])


def _info_sessions(households: int, now) -> list[int]:
    """One session for about every 100 families, held every week or so over the past two years, plus four ahead."""
    past = max(2, households // 100)
    rows = [{"starts_at": now - timedelta(days=7 * (k + 1)) - timedelta(hours=k % 5),
             "format": SessionFormat.VIRTUAL if k % 2 else SessionFormat.IN_PERSON,
             "address": "" if k % 2 else "1200 Main Street, Room 3, Fresno, CA",
             "meeting_link": "https://meet.example.com/info" if k % 2 else "",
             "language": "es" if k % 4 == 3 else "en", "capacity": 30} for k in range(past)]
    rows += [{"starts_at": now + timedelta(days=7 * (k + 1)), "format": SessionFormat.IN_PERSON,
              "address": "1200 Main Street, Room 3, Fresno, CA", "language": "es" if k % 2 else "en", "capacity": 30}
             for k in range(4)]
    return _insert_returning_ids(InfoSession, rows)[:past]


def _seed_batch(rng: random.Random, run: int, start: int, count: int, now, today: date, homefinders: list[int],
                events: list[int], sessions: list[int], templates, password_hash: str) -> list[Conversation]:
    families = []
    for number in range(start, start + count):
        stage = _BY_SLOT[(number * 37) % 100]  # every 100 families follow STAGES' proportions exactly, mixed
        spanish = rng.random() < 0.3
        first = rng.choice(FIRST_NAMES_ES if spanish else FIRST_NAMES_EN)
        last = rng.choice(LAST_NAMES)
        # Later stages took longer to reach: their inquiry is older (at least the stage's minimum age).
        age_days = rng.randint(stage.min_age_days, stage.max_age_days)
        created = now - timedelta(days=age_days, minutes=rng.randint(0, 1440))
        family = {"number": number, "stage": stage, "spanish": spanish, "first": first, "last": last,
                  "created": created, "county": rng.choice(COUNTIES),
                  "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0], "couple": rng.random() < 0.6}
        family.update(_timeline(rng, stage, created, now))
        families.append(family)

    # Accounts and households, for the families who applied.
    applicants = [f for f in families if f["stage"].application is not None]
    household_ids = _insert_returning_ids(Household, [{"name": f"{f['last']} household", "created_at": f["created"]}
                                                      for f in applicants])
    for family, household_id in zip(applicants, household_ids, strict=True):
        family["household_id"] = household_id
    user_ids = _insert_returning_ids(User, [
        {"email": _email(run, f), "full_name": f"{f['first']} {f['last']}",
         "role": Role.FAMILY if f["stage"].licensed else Role.APPLICANT,
         "preferred_locale": "es" if f["spanish"] else "en", "password_hash": password_hash,
         "email_confirmed_at": f["created"], "household_id": f["household_id"], "created_at": f["created"]}
        for f in applicants])

    # Leads and their inquiry.
    lead_rows = []
    for family in families:
        stage, created, contacted = family["stage"], family["created"], family["contacted"]
        # The status changed at its stage's last step or later, and before now.
        milestone = max(moment for moment in (created, contacted, family["invited"], family["application_created"],
                                              family["submitted"], family["issued"]) if moment is not None)
        changed = milestone + timedelta(days=rng.randint(0, max(0, (now - milestone).days)))
        county, zip_prefix = family["county"]
        lead_rows.append({
            "first_name": family["first"], "last_name": family["last"], "email": _email(run, family),
            "phone": f"559-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
            "preferred_locale": "es" if family["spanish"] else "en", "county": county,
            "zip_code": f"{zip_prefix}{rng.randint(0, 99):02d}", "source": family["source"],
            "interest": rng.choices(list(Interest), [60, 20, 10, 10])[0], "status": stage.lead_status,
            "created_at": created, "first_contact_at": contacted,
            "first_contact_due_at": first_contact_due(created),  # a bulk insert: no ORM event sets it
            "invited_at": family["invited"],
            "household_id": family.get("household_id"),
            "assigned_homefinder_id": rng.choice(homefinders) if stage.key != "inquiry" else None,
            "event_id": rng.choice(events) if family["source"] is LeadSource.EVENT else None,
            "status_changed_at": changed,
            "last_activity_at": changed + timedelta(days=rng.randint(0, max(0, (now - changed).days))),
            "closed_reason": rng.choice(list(ClosedReason)) if stage.closed else None,
            "closed_at": changed if stage.closed else None,
            "next_follow_up_on": (today + timedelta(days=rng.randint(-5, 14))
                                  if stage.key in ("contacted", "rsvped", "attended") else None),
        })
    lead_ids = _insert_returning_ids(Lead, lead_rows)
    _insert(LeadInquiry, [{"lead_id": lead_id, "created_at": row["created_at"], "interest": row["interest"],
                           "source": row["source"], "questions": ""} for lead_id, row in zip(lead_ids, lead_rows,
                                                                                               strict=True)])
    contacts, rsvps = [], []
    for lead_id, row, family in zip(lead_ids, lead_rows, families, strict=True):
        if row["first_contact_at"] is not None:
            for k in range(1 + (family["number"] % 2)):  # one or two logged contacts
                contacts.append({"lead_id": lead_id, "homefinder_id": row["assigned_homefinder_id"],
                                 "kind": rng.choice(list(ContactKind)),
                                 "outcome": ContactOutcome.REACHED if k else rng.choice(list(ContactOutcome)),
                                 "contacted_at": min(row["first_contact_at"] + timedelta(days=3 * k), now),
                                 "next_follow_up_on": row["next_follow_up_on"] if k == 0 else None})
        if family["stage"].key in ("rsvped", "attended") or (family["stage"].application and family["number"] % 2):
            rsvps.append({"session_id": rng.choice(sessions), "lead_id": lead_id,
                          "attended": None if family["stage"].key == "rsvped" else True})
    _insert(LeadContact, contacts)
    _insert(SessionRsvp, rsvps)

    # Applications, their sections, the applicants, checklists and licenses.
    lead_by_number = {f["number"]: lead_id for f, lead_id in zip(families, lead_ids, strict=True)}
    application_rows = []
    for family, user_id in zip(applicants, user_ids, strict=True):
        family["user_id"] = user_id
        application_rows.append({
            "household_id": family["household_id"], "lead_id": lead_by_number[family["number"]],
            "status": family["stage"].application, "assigned_homefinder_id": rng.choice(homefinders),
            "created_at": family["application_created"], "submitted_at": family["submitted"]})
    application_ids = _insert_returning_ids(Application, application_rows)
    sections, members = [], []
    for family, application_id, row in zip(applicants, application_ids, application_rows, strict=True):
        family["application_id"] = application_id
        done = len(SECTION_KEYS) if row["submitted_at"] else rng.randint(0, len(SECTION_KEYS))
        for index, key in enumerate(SECTION_KEYS):
            status = SectionStatus.COMPLETE if index < done else SectionStatus.IN_PROGRESS
            if family["stage"].key == "returned" and index == 1:
                status = SectionStatus.REOPENED
            sections.append({"application_id": application_id, "key": key, "status": status, "data": {}})
        members.append({"application_id": application_id, "role": MemberRole.PRIMARY, "position": 0,
                        "first_name": family["first"], "last_name": family["last"], "birth_date": date(1985, 3, 1),
                        "email": _email(run, family), "user_id": family["user_id"],
                        "preferred_locale": "es" if family["spanish"] else "en"})
        if family["couple"]:
            members.append({"application_id": application_id, "role": MemberRole.CO_APPLICANT, "position": 1,
                            "first_name": rng.choice(FIRST_NAMES_ES if family["spanish"] else FIRST_NAMES_EN),
                            "last_name": family["last"], "birth_date": date(1983, 9, 12),
                            "preferred_locale": "es" if family["spanish"] else "en"})
        if family["number"] % 4 == 0:  # a grown child or a grandparent at home: background checks for them too
            members.append({"application_id": application_id, "role": MemberRole.OTHER, "position": 2,
                            "first_name": rng.choice(FIRST_NAMES_EN), "last_name": family["last"],
                            "birth_date": date(1960, 1, 20), "relationship_to_applicant": "parent"})
    _insert(ApplicationSection, sections)
    member_ids = _insert_returning_ids(HouseholdMember, members)
    people: dict[int, dict[str, list[int]]] = {}
    for member, member_id in zip(members, member_ids, strict=True):
        mine = people.setdefault(member["application_id"], {"applicants": [], "adults": []})
        mine["adults"].append(member_id)  # every seeded member is an adult
        if member["role"] is not MemberRole.OTHER:
            mine["applicants"].append(member_id)
    _insert(ChecklistItem, _checklist_items(rng, applicants, application_rows, people, templates))
    licensed = [f for f in applicants if f["stage"].licensed]
    _insert(License, [{"application_id": f["application_id"], "household_id": f["household_id"],
                       "number": f"SEED{run}-{f['number']:07d}", "type": LicenseType.FOSTER, "capacity": 1 + k % 3,
                       "age_min": 0, "age_max": 17, "effective_on": f["issued"].date(),
                       "expires_on": f["expires_on"],
                       "status": LicenseStatus.EXPIRED if f["lapsed"] else LicenseStatus.ACTIVE,
                       "issued_at": f["issued"], "issued_by_id": homefinders[0]}
                      for k, f in enumerate(licensed)])
    # Half the licensed families (messaging is for families, not applicants) write with their homefinder: planned
    # here, written by the core with the children's threads (seed_households returns them).
    return [Conversation(f["household_id"], f["user_id"], row["assigned_homefinder_id"], None, f["spanish"],
                         subjects=tuple(HOMEFINDER_SUBJECTS))
            for f, row in zip(applicants, application_rows, strict=True)
            if f["stage"].licensed and f["number"] % 2 == 0]


def _timeline(rng: random.Random, stage: SeedStage, created, now) -> dict:
    """When each step of this family happened, from its inquiry on: never after now (the stage's minimum age makes
    room for its steps; `min` guards the edge). A license renews every two years; one in ten families whose first
    term ended let it lapse (status expired, expiry in the past), the others hold a current term."""
    def past(moment):
        return min(moment, now) if moment is not None else None

    applied = stage.application is not None
    sent = applied and stage.application is not ApplicationStatus.IN_PROGRESS  # withdrawn ones left after sending
    contacted = past(created + timedelta(hours=rng.choice([2, 5, 20, 30, 70]))) if stage.key != "inquiry" else None
    submitted = past(created + timedelta(days=rng.randint(40, 90))) if sent else None
    issued = past(submitted + LICENSE_AFTER) if stage.licensed else None
    terms, lapsed = 1, False
    if issued is not None:
        terms_begun = (now.date() - issued.date()) // LICENSE_TERM + 1  # the first term, and each renewal since
        lapsed = terms_begun > 1 and rng.randrange(100) < LAPSED_PERCENT
        terms = rng.randint(1, terms_begun - 1) if lapsed else terms_begun
    return {"contacted": contacted,
            "invited": past(created + INVITED_AFTER) if stage.key == "invited" or applied else None,
            "application_created": past(created + APPLICATION_AFTER) if applied else None,
            "submitted": submitted, "issued": issued, "lapsed": lapsed, "license_terms": terms,
            "expires_on": issued.date() + terms * LICENSE_TERM if issued is not None else None}


def _checklist_items(rng, applicants, application_rows, people, templates) -> list[dict]:
    """The items a sent application gets, per household, applicant or adult as the template says; a licensed family
    also has the renewal items of each license term it began (one cycle per two-year term, due within the term).
    Sent ones are part done; licensed ones approved, but for the current term's renewal items (and the last term's
    of a license that lapsed: that is why it lapsed)."""
    items = []
    for family, row in zip(applicants, application_rows, strict=True):
        if row["submitted_at"] is None:
            continue
        licensed = family["stage"].licensed
        terms = family["license_terms"] if licensed else 0
        members = people[family["application_id"]]
        for template_id, scope, for_renewal, due_days in templates:
            who = {RequirementScope.HOUSEHOLD: [None], RequirementScope.EACH_APPLICANT: members["applicants"],
                   RequirementScope.EACH_ADULT: members["adults"]}[scope]
            for cycle in (range(1, terms + 1) if for_renewal else [0]):
                current = cycle == terms if for_renewal else not licensed
                if for_renewal:  # due after the term's start (the licensing or the renewal), never past its end
                    term_start = family["issued"].date() + (cycle - 1) * LICENSE_TERM
                    due = min(term_start + timedelta(days=due_days or 90), family["expires_on"])
                else:
                    due = row["submitted_at"].date() + timedelta(days=due_days or 90)
                for member_id in who:
                    status = (rng.choices([ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED,
                                           ItemStatus.APPROVED, ItemStatus.RETURNED], [30, 20, 20, 25, 5])[0]
                              if current else ItemStatus.APPROVED)
                    items.append({"application_id": family["application_id"], "template_id": template_id,
                                  "member_id": member_id, "cycle": cycle, "status": status, "due_date": due,
                                  "reason": "Please send a clearer copy." if status is ItemStatus.RETURNED else ""})
    return items


def _email(run: int, family: dict) -> str:
    name = f"{family['first']}.{family['last']}".lower()
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # josé → jose
    return f"{plain}.{run}-{family['number']}@{EMAIL_DOMAIN}"
