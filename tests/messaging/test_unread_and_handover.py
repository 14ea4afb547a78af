"""Unread counts in the navigation, the dashboard cards, handover of threads, hostile input, statement counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.messaging.models import Message, MessageThread, ThreadMark
from portal.models import AuditEvent, Role
from portal.signals import staff_handover
from tests.conftest import post_form, text_of
from tests.messaging.conftest import client_for, start, thread_id_from


def _badge(response) -> str | None:
    match = re.search(r'id="nav-unread">(.*?)</span></span>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else None


def test_unread_counts_in_the_navigation_with_words_for_screen_readers(app, db, world):
    family = client_for(app, world.family)
    coordinator = client_for(app, world.coordinator)
    assert _badge(coordinator.get("/dashboard")) is None
    first = thread_id_from(start(family, world.coordinator.id, subject="One"))
    thread_id_from(start(family, world.coordinator.id, subject="Two"))
    badge = _badge(coordinator.get("/dashboard"))
    assert badge is not None and '<span aria-hidden="true">2</span>' in badge
    assert '<span class="visually-hidden">2 unread threads' in badge
    # The staff card lists the threads waiting for an answer.
    dashboard = text_of(coordinator.get("/dashboard"))
    assert "2 threads are waiting for your answer." in dashboard
    coordinator.get(f"/messages/{first}")
    assert "1 unread thread" in _badge(coordinator.get("/messages/"))
    # The family's own messages are not unread to it.
    assert _badge(family.get("/dashboard")) is None
    post_form(coordinator, f"/messages/{first}", {"body": "Answer"})
    assert "1 unread thread" in _badge(family.get("/messages/"))
    assert "1 thread has a new message." in text_of(family.get("/dashboard"))
    assert "1 thread is waiting for your answer." in text_of(coordinator.get("/dashboard"))


def test_no_unread_query_for_people_without_messages(app, db, make_user, count_queries):
    applicant = client_for(app, make_user(Role.APPLICANT))
    with count_queries() as counter:
        applicant.get("/account")
    assert not any("message_thread" in statement for statement in counter.statements)
    assert "nav-messages" not in applicant.get("/account").get_data(as_text=True)


def test_unread_count_is_one_statement_per_page(app, db, world, count_queries):
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id))
    coordinator = client_for(app, world.coordinator)
    with count_queries() as counter:
        coordinator.get("/account")
    assert sum("message_thread_mark" in statement for statement in counter.statements) == 1


def test_staff_handover_signal_moves_threads_with_an_event_each(app, db, world, make_user):
    family = client_for(app, world.family)
    ids = [thread_id_from(start(family, world.coordinator.id, subject=f"S{n}")) for n in range(3)]
    successor = make_user(Role.COORDINATOR, full_name="Sam Successor")
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        from portal.extensions import db as portal_db
        from portal.models import User

        staff_handover.send(portal_db.session.get(User, world.coordinator.id),
                            successor=portal_db.session.get(User, successor.id),
                            actor=portal_db.session.get(User, admin.id))
        portal_db.session.commit()
    db.session.expire_all()
    assert {db.session.get(MessageThread, i).staff_id for i in ids} == {successor.id}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message_thread_handed_over")).all()
    assert sorted(e.details["thread_id"] for e in events) == sorted(ids)
    assert all(e.actor_id == admin.id and e.household_id == world.family.household_id for e in events)
    # The successor reads them; the one who left no longer can.
    assert client_for(app, successor).get(f"/messages/{ids[0]}").status_code == 200
    assert client_for(app, world.coordinator).get(f"/messages/{ids[0]}").status_code == 404


def test_admin_hands_over_threads_on_a_page(app, db, world, make_user):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id))
    successor = make_user(Role.HOMEFINDER, full_name="Hal Successor")
    admin = client_for(app, make_user(Role.ADMIN))
    assert admin.get("/messages/admin/handover").status_code == 200
    same = post_form(admin, "/messages/admin/handover", {"leaving_id": world.coordinator.id,
                                                          "successor_id": world.coordinator.id})
    assert same.status_code == 422
    forged = post_form(admin, "/messages/admin/handover", {"leaving_id": world.coordinator.id,
                                                            "successor_id": world.family.id})
    assert forged.status_code == 422
    done = post_form(admin, "/messages/admin/handover", {"leaving_id": world.coordinator.id,
                                                          "successor_id": successor.id})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(MessageThread, thread_id).staff_id == successor.id
    assert client_for(app, world.coordinator).get("/messages/admin/handover").status_code == 404


HOSTILE_BODIES = {
    "": 422,
    "   \n\t  ": 422,
    "\u200b\u200d\u2060\ufeff": 422,  # invisible only
    "\x01\x02": 422,  # control characters only
    "a\x00b": 400,  # a NUL is refused before any view (portal/routing.py)
    "x" * 5001: 422,
    "x" * 200_000: 422,
    "\u202eevil\u202c text \U0001f600 \ud7ff e\u0301": 303,
    "<script>alert(1)</script>": 303,
}


@pytest.mark.parametrize("body", list(HOSTILE_BODIES), ids=range(len(HOSTILE_BODIES)))
def test_hostile_bodies_get_translated_field_errors_never_a_500(app, db, world, body):
    family = client_for(app, world.family)
    response = start(family, world.coordinator.id, body=body)
    assert response.status_code == HOSTILE_BODIES[body]
    if response.status_code == 422:
        assert 'id="body-error"' in response.get_data(as_text=True)
    thread_id = thread_id_from(start(family, world.coordinator.id))
    reply = post_form(family, f"/messages/{thread_id}", {"body": body})
    assert reply.status_code == HOSTILE_BODIES[body]
    assert reply.status_code != 500
    if body.startswith("<script>"):
        assert "<script>alert(1)" not in family.get(f"/messages/{thread_id}").get_data(as_text=True)


def test_hostile_subjects_and_spanish_errors(app, db, world):
    family = client_for(app, world.family)
    assert start(family, world.coordinator.id, subject="s" * 201).status_code == 422
    assert start(family, world.coordinator.id, subject="\u200b").status_code == 422
    response = post_form(family, "/messages/new", {"staff_id": "", "subject": "", "body": ""})
    assert response.status_code == 422
    assert "Write a subject." in text_of(response) and "Write your message." in text_of(response)


def _fill(db, world, threads: int, messages: int) -> int:
    last = None
    for n in range(threads):
        thread = MessageThread(household_id=world.family.household_id, staff_id=world.coordinator.id,
                               child_id=world.child_id, subject=f"Thread {n}", started_by_id=world.family.id)
        db.session.add(thread)
        db.session.flush()
        for m in range(messages):
            message = Message(thread_id=thread.id, author_id=world.family.id if m % 2 else world.coordinator.id,
                              body=f"Message {m}")
            db.session.add(message)
            db.session.flush()
            thread.last_message_id, thread.last_message_at = message.id, now_utc()
        db.session.add(ThreadMark(thread_id=thread.id, user_id=world.coordinator.id, last_read_message_id=0))
        last = thread.id
    db.session.commit()
    return last


@pytest.mark.parametrize("who", ["family", "coordinator"])
def test_statement_counts_do_not_grow_with_threads_or_messages(app, db, world, count_queries, who):
    user = world.family if who == "family" else world.coordinator
    client = client_for(app, user)
    counts = []
    for threads, messages in ((2, 2), (40, 30)):
        last = _fill(db, world, threads, messages)
        with count_queries() as list_counter:
            assert client.get("/messages/").status_code == 200
        with count_queries() as thread_counter:
            assert client.get(f"/messages/{last}").status_code == 200
        with count_queries() as dashboard_counter:
            assert client.get("/dashboard").status_code == 200
        counts.append((list_counter.count, thread_counter.count, dashboard_counter.count))
    assert counts[0] == counts[1]
    page = text_of(client.get("/messages/"))
    assert "Page 1 of" in page
