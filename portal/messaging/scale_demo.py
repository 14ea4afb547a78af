"""Agency-scale threads for `flask --app app seed-demo --households N`, after the children: every household with a
child placed (of the run's families) writes with the child's coordinator, in one to three threads of two to six
messages, with read marks (the family's newest message often unread by the coordinator, the coordinator's sometimes
unread by the family). Bulk inserts only; the thread's `last_message_id` is set by one bulk UPDATE once the messages
have their ids. Threads with the homefinder are planned by licensing/scale_demo.py (it knows the homefinder), which
hands them back from `demo_seeding`; they are written here with the others, in one pass, so every message of the run
is numbered in date order."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from portal.bulk import insert_returning_ids, insert_rows, update_by_id
from portal.children.models import Child, Placement, PlacementStatus
from portal.database import now_utc
from portal.extensions import db
from portal.messaging.models import Message, MessageThread, ThreadMark
from portal.models import Role, User

EMAIL_DOMAIN = "seed.demo.test"
THREADS_PER_HOUSEHOLD = (1, 3)
MESSAGES_PER_THREAD = (2, 6)

SUBJECTS = [("School pickup next week", "Recogida en la escuela la próxima semana"),
            ("Dentist appointment", "Cita con el dentista"),
            ("Weekend visit", "Visita del fin de semana"),
            ("Clothing allowance", "Ayuda para ropa"),
            ("Therapy schedule", "Horario de terapia")]
HOMEFINDER_SUBJECTS = [("License renewal", "Renovación de la licencia"),
                       ("Annual home visit", "Visita anual al hogar"),
                       ("Training hours", "Horas de capacitación"),
                       ("Fire inspection", "Inspección de incendios")]
FAMILY_LINES = [("Hello! Can you confirm the time for Tuesday?", "¡Hola! ¿Puede confirmar la hora del martes?"),
                ("Thank you, that works for us.", "Gracias, nos viene bien."),
                ("We have a question about the school forms.", "Tenemos una pregunta sobre los formularios."),
                ("All went well today.", "Hoy todo salió bien.")]
STAFF_LINES = ["Thank you for letting me know.", "Yes, 10 am as planned. I will be there.",
               "I sent the forms by email; call me if anything is unclear.", "Great news, thank you."]


def seed_threads(households: int, since_household_id: int, planned: Iterable[Conversation] = ()) -> int:
    """Threads, messages and read marks between the run's placed households and their children's coordinators, and
    the `planned` conversations (a feature package's, such as licensing's with the homefinder), all in one pass."""
    rng = random.Random(households * 15485863 + since_household_id)
    placed = db.session.execute(
        select(Placement.household_id, Child.id, Child.coordinator_id)
        .join(Child, Child.id == Placement.child_id)
        .where(Placement.status == PlacementStatus.ACTIVE, Placement.household_id > since_household_id,
               Child.coordinator_id.is_not(None))
        .order_by(Placement.household_id, Child.id)).all()
    families = dict(db.session.execute(
        select(User.household_id, User.id).where(User.household_id > since_household_id, User.role == Role.FAMILY,
                                                 User.email.like(f"%@{EMAIL_DOMAIN}"))).all())
    spanish = set(db.session.scalars(select(User.household_id).where(
        User.household_id > since_household_id, User.preferred_locale == "es")))
    children: dict[int, list[tuple[int, int]]] = {}
    for household_id, child_id, coordinator_id in placed:
        if household_id in families:
            children.setdefault(household_id, []).append((child_id, coordinator_id))
    conversations = []
    for household_id, kids in children.items():
        for _ in range(rng.randint(*THREADS_PER_HOUSEHOLD)):
            child_id, coordinator_id = rng.choice(kids)
            conversations.append(Conversation(household_id, families[household_id], coordinator_id, child_id,
                                              household_id in spanish))
    return write_threads(rng, [*planned, *conversations])


@dataclass(frozen=True)
class Conversation:
    """One thread to seed: a household's account writing with one staff member (about a child, or not)."""

    household_id: int
    family_user_id: int
    staff_id: int
    child_id: int | None
    spanish: bool
    subjects: tuple[tuple[str, str], ...] = tuple(SUBJECTS)  # (English, Spanish) subjects to choose among


def write_threads(rng: random.Random, conversations: list[Conversation]) -> int:
    """Each conversation as a thread of two to six messages begun within the last 200 days, with both read marks;
    returns how many messages. One call per run: message ids follow the messages' dates only within a call."""
    now = now_utc()
    threads, plans = [], []
    for talk in conversations:
        subject_en, subject_es = rng.choice(talk.subjects)
        started = now - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1440))
        family_first = rng.random() < 0.7
        threads.append({"household_id": talk.household_id, "staff_id": talk.staff_id, "child_id": talk.child_id,
                        "subject": subject_es if talk.spanish else subject_en,
                        "started_by_id": talk.family_user_id if family_first else talk.staff_id,
                        "created_at": started, "last_message_id": 0, "last_message_at": started,
                        "awaiting_staff": False})
        plans.append((talk, started, rng.randint(*MESSAGES_PER_THREAD), family_first))
    thread_ids = insert_returning_ids(MessageThread, threads)
    messages, owners = [], []
    for thread_id, (talk, started, count, family_first) in zip(thread_ids, plans, strict=True):
        for number in range(count):
            by_family = (number % 2 == 0) == family_first
            if by_family:
                english, spanish_line = rng.choice(FAMILY_LINES)
                body = spanish_line if talk.spanish else english
            else:
                body = rng.choice(STAFF_LINES)
            messages.append({"thread_id": thread_id, "author_id": talk.family_user_id if by_family
                             else talk.staff_id, "body": body,
                             "created_at": min(started + timedelta(hours=6 * number), now)})
            owners.append(by_family)
    # Ids in the order the messages were written, across threads, as a running portal gives them: lists sort by the
    # newest message's id (an index), so back-dated messages inserted thread by thread would list out of date order.
    # A stable sort: a thread's own messages keep their order when two share a time.
    order = sorted(range(len(messages)), key=lambda index: messages[index]["created_at"])
    messages, owners = [messages[index] for index in order], [owners[index] for index in order]
    message_ids = insert_returning_ids(Message, messages)
    last: dict[int, list[tuple[int, dict, bool]]] = {}
    for message_id, row, by_family in zip(message_ids, messages, owners, strict=True):
        last.setdefault(row["thread_id"], []).append((message_id, row, by_family))
    updates, marks = [], []
    for thread_id, (talk, *_rest) in zip(thread_ids, plans, strict=True):
        sent = last[thread_id]
        newest_id, newest, by_family = sent[-1]
        updates.append({"id": thread_id, "last_message_id": newest_id, "last_message_at": newest["created_at"],
                        "awaiting_staff": by_family})
        # Whoever wrote the newest has read everything; the other read it 60% of the time, else the one before.
        unread = rng.random() < 0.4
        seen_by_other = sent[-2] if unread else sent[-1]
        family_seen, staff_seen = (sent[-1], seen_by_other) if by_family else (seen_by_other, sent[-1])
        marks.append({"thread_id": thread_id, "user_id": talk.family_user_id,
                      "last_read_message_id": family_seen[0], "read_at": family_seen[1]["created_at"],
                      "notified_at": None})
        marks.append({"thread_id": thread_id, "user_id": talk.staff_id, "last_read_message_id": staff_seen[0],
                      "read_at": staff_seen[1]["created_at"], "notified_at": None})
    update_by_id(MessageThread, updates)
    insert_rows(ThreadMark, marks)
    return len(messages)
