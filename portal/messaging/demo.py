"""Demo threads (`flask seed-demo`): the Rivera (English) and González (Spanish) families each write with
coordinator@demo.test about the child placed with them (a thread without a child when none is placed yet). The
family's last message is unread by the coordinator. Idempotent: a family's demo thread is made once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.children.models import Child, Placement, PlacementStatus
from portal.database import now_utc
from portal.extensions import db
from portal.messaging.models import Message, MessageThread, ThreadMark
from portal.models import User
from portal.signals import demo_seeding

DEMO_THREADS = {
    "family@demo.test": ("School pickup next week", [
        ("family", "Hello! The school asked who will pick up after the dentist on Tuesday. Can you confirm?"),
        ("staff", "Thank you for asking. You pick up as usual; I will be at the dentist with you."),
        ("family", "Great, thank you. We will see you there."),
    ]),
    "family2@demo.test": ("Consulta sobre la visita familiar", [
        ("family", "Buenos días. ¿La visita familiar del sábado sigue en pie a las 10?"),
        ("staff", "Sí, sigue a las 10. Le aviso si algo cambia."),
        ("family", "Perfecto, gracias. Llevaremos los dibujos que hizo para su mamá."),
    ]),
}


@demo_seeding.connect
def seed_threads(_app, **_kwargs) -> None:
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
    if coordinator is None:
        return
    for email, (subject, messages) in DEMO_THREADS.items():
        family = db.session.scalar(select(User).where(User.email == email))
        if family is None or family.household_id is None:
            continue
        child_id = db.session.scalar(
            select(Placement.child_id).join(Child, Child.id == Placement.child_id)
            .where(Placement.household_id == family.household_id, Placement.status == PlacementStatus.ACTIVE)
            .order_by(Child.coordinator_id != coordinator.id, Placement.id).limit(1))
        existing = db.session.scalar(select(MessageThread).where(MessageThread.household_id == family.household_id,
                                                                 MessageThread.subject == subject))
        if existing is not None:
            # Children may be seeded after this ran (receivers run in any order): name the child on a later run.
            if existing.child_id is None and child_id is not None:
                existing.child_id = child_id
            continue
        thread = MessageThread(household_id=family.household_id, staff_id=coordinator.id, child_id=child_id,
                               subject=subject, started_by_id=family.id)
        db.session.add(thread)
        db.session.flush()
        start = now_utc() - timedelta(days=2)
        added = []
        for number, (side, body) in enumerate(messages):
            author = family if side == "family" else coordinator
            message = Message(thread_id=thread.id, author_id=author.id, body=body,
                              created_at=start + timedelta(hours=5 * number))
            db.session.add(message)
            db.session.flush()
            added.append(message)
        thread.last_message_id = added[-1].id
        thread.last_message_at = added[-1].created_at
        thread.awaiting_staff = True
        # The family has read everything; the coordinator has not read the family's last message.
        db.session.add_all([
            ThreadMark(thread_id=thread.id, user_id=family.id, last_read_message_id=added[-1].id,
                       read_at=added[-1].created_at),
            ThreadMark(thread_id=thread.id, user_id=coordinator.id, last_read_message_id=added[-2].id,
                       read_at=added[-2].created_at),
        ])
    db.session.flush()
