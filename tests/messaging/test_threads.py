"""Threads between a family and the staff assigned to it: who may write to whom, who may read what."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.children.models import PlacementStatus
from portal.messaging.models import Message, MessageAttachment, MessageThread
from portal.models import AuditEvent, OutboxMessage, Role
from portal.uploads import stored_path
from tests.conftest import post_form, text_of
from tests.messaging.conftest import PDF, client_for, start, thread_id_from


def _threads(db) -> int:
    return db.session.scalar(select(func.count(MessageThread.id)))


def test_family_writes_to_the_coordinator_of_its_placed_child(app, db, world):
    family = client_for(app, world.family)
    page = family.get("/messages/new")
    assert page.status_code == 200
    assert "Carla Coordinator" in text_of(page) and "Otto Other" not in text_of(page)
    assert "Mia Lopez" in text_of(page)
    thread_id = thread_id_from(start(family, world.coordinator.id, child_id=world.child_id, body="Can we talk?"))
    thread = db.session.get(MessageThread, thread_id)
    assert (thread.household_id, thread.staff_id, thread.child_id) == (world.family.household_id,
                                                                         world.coordinator.id, world.child_id)
    assert thread.awaiting_staff
    shown = family.get(f"/messages/{thread_id}")
    assert "Can we talk?" in text_of(shown) and "About Mia Lopez." in text_of(shown)

    coordinator = client_for(app, world.coordinator)
    assert "Can we talk?" in text_of(coordinator.get(f"/messages/{thread_id}"))
    answer = post_form(coordinator, f"/messages/{thread_id}", {"body": "Yes, call me at 10."})
    assert answer.status_code == 303
    db.session.expire_all()
    assert not db.session.get(MessageThread, thread_id).awaiting_staff
    assert "Yes, call me at 10." in text_of(family.get(f"/messages/{thread_id}"))


def test_a_forged_staff_id_is_refused(app, db, world, make_user):
    family = client_for(app, world.family)
    stranger = make_user(Role.HOMEFINDER)
    for forged in (world.other_coordinator.id, stranger.id, world.family_b.id, 999_999, "abc"):
        response = start(family, forged)
        assert response.status_code == 422, forged
    assert _threads(db) == 0


def test_a_child_not_placed_with_the_family_is_refused(app, db, world):
    family_b = client_for(app, world.family_b)
    # Family B has nobody assigned: nobody to write to, and a forged post is refused.
    # (Family B reads Spanish.)
    assert "Todavía no hay un coordinador ni un especialista en licencias asignado" in text_of(
        family_b.get("/messages/new"))
    assert start(family_b, world.coordinator.id, child_id=world.child_id).status_code == 422
    family = client_for(app, world.family)
    assert start(family, world.coordinator.id, child_id=world.child_id + 1000).status_code == 422
    assert _threads(db) == 0


def test_family_b_gets_404_for_family_a_thread_and_attachment(app, db, world):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, attachment=(PDF, "report.pdf")))
    attachment = db.session.scalar(select(MessageAttachment))
    try:
        assert family.get(f"/messages/files/{attachment.id}").status_code == 200
        for outsider in (world.family_b, world.other_coordinator):
            client = client_for(app, outsider)
            assert client.get(f"/messages/{thread_id}").status_code == 404
            assert post_form(client, f"/messages/{thread_id}", {"body": "Hi"}).status_code == 404
            assert client.get(f"/messages/files/{attachment.id}").status_code == 404
        assert db.session.scalar(select(func.count(Message.id))) == 1
    finally:
        with app.app_context():
            stored_path(attachment.stored_name).unlink(missing_ok=True)


def test_attachment_download_is_no_store_and_recorded(app, db, world):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, attachment=(PDF, "report.pdf")))
    attachment = db.session.scalar(select(MessageAttachment))
    try:
        coordinator = client_for(app, world.coordinator)
        page = coordinator.get(f"/messages/{thread_id}")
        assert f"/messages/files/{attachment.id}" in page.get_data(as_text=True)
        response = coordinator.get(f"/messages/files/{attachment.id}")
        assert response.status_code == 200 and response.data == PDF
        assert "no-store" in response.headers["Cache-Control"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message_attachment_downloaded"))
        assert event.actor_id == world.coordinator.id and event.household_id == world.family.household_id
    finally:
        with app.app_context():
            stored_path(attachment.stored_name).unlink(missing_ok=True)


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(app, db, world):
    family = client_for(app, world.family)
    response = start(family, world.coordinator.id, attachment=(b"MZ\x90\x00 not a pdf", "report.pdf"))
    assert response.status_code == 422
    assert "not a PDF, JPEG, PNG or HEIC" in text_of(response)
    assert "Hello there" in response.get_data(as_text=True)  # what was typed is kept
    assert _threads(db) == 0 and db.session.scalar(select(func.count(MessageAttachment.id))) == 0


def test_ended_placement_keeps_the_thread_but_not_the_childs_name(app, db, world):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, child_id=world.child_id))
    from portal.children.models import Placement

    placement = db.session.get(Placement, world.placement_id)
    placement.status = PlacementStatus.ENDED
    db.session.commit()
    page = family.get(f"/messages/{thread_id}")
    assert page.status_code == 200 and "Hello there" in text_of(page)
    assert "Mia" not in text_of(page) and "About a child who no longer lives with you." in text_of(page)
    assert "Mia" not in text_of(family.get("/messages/"))
    # The coordinator still sees whom the thread is about.
    assert "Mia Lopez" in text_of(client_for(app, world.coordinator).get(f"/messages/{thread_id}"))


def test_an_admin_reads_a_thread_only_with_a_reason_and_each_read_is_recorded(app, db, world, make_user):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, body="Private words"))
    admin = client_for(app, make_user(Role.ADMIN))
    first = admin.get(f"/messages/{thread_id}")
    assert first.status_code == 200 and "Private words" not in text_of(first)
    assert "Why do you need to read this thread?" in text_of(first)
    refused = post_form(admin, f"/messages/{thread_id}/reason", {"reason": "   "})
    assert refused.status_code == 422 and "Private words" not in text_of(refused)
    given = post_form(admin, f"/messages/{thread_id}/reason", {"reason": "Supervisor review of case 12"})
    assert given.status_code == 303
    assert "Private words" in text_of(admin.get(f"/messages/{thread_id}"))
    assert "Private words" in text_of(admin.get(f"/messages/{thread_id}"))
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message_thread_read_by_staff")).all()
    assert len(reads) == 2 and {e.reason for e in reads} == {"Supervisor review of case 12"}
    # Reading is not writing.
    assert post_form(admin, f"/messages/{thread_id}", {"body": "Hi"}).status_code == 404


def test_messages_are_never_changed_there_is_no_route_to(app):
    methods = {method for rule in app.url_map.iter_rules() if rule.endpoint.startswith("messaging.")
               for method in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS", "POST"}


def test_licensing_homefinder_is_assigned_staff(app, db, world, make_user):
    from licensing.application import services as applications
    from portal.extensions import db as portal_db
    from portal.models import Household

    homefinder = make_user(Role.HOMEFINDER, full_name="Hana Homefinder")
    with app.app_context():
        application = applications.open_application(portal_db.session.get(Household, world.family.household_id),
                                                    None, opened_by=None)
        application.assigned_homefinder_id = homefinder.id
        portal_db.session.commit()
    family = client_for(app, world.family)
    assert "Hana Homefinder" in text_of(family.get("/messages/new"))
    thread_id_from(start(family, homefinder.id))
    # And the homefinder may start a thread with the family.
    staff = client_for(app, homefinder)
    page = staff.get("/messages/new")
    assert page.status_code == 200 and f'value="{world.family.household_id}"' in page.get_data(as_text=True)
    response = post_form(staff, "/messages/new", {"household_id": str(world.family_b.household_id),
                                                  "subject": "Hi", "body": "Hello"})
    assert response.status_code == 422  # not a family this homefinder works with
    assert post_form(staff, "/messages/new", {"household_id": str(world.family.household_id),
                                              "subject": "Hi", "body": "Hello"}).status_code == 303


def test_email_says_a_message_waits_without_its_words_once_until_read(app, db, world):
    db.session.get(type(world.coordinator), world.coordinator.id).preferred_locale = "es"
    db.session.commit()
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, subject="Secret subject", body="Secret body"))
    post_form(family, f"/messages/{thread_id}", {"body": "Another secret"})
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == world.coordinator.email)).all()
    assert len(mails) == 1
    mail = mails[0]
    assert mail.locale == "es" and mail.template == "message_waiting"
    for words in ("Secret", "Another secret"):
        assert words not in mail.subject + mail.body_text + mail.body_html
    assert f"/messages/{thread_id}" in mail.body_text
    # After the coordinator reads the thread, the next message emails again.
    coordinator = client_for(app, world.coordinator)
    coordinator.get(f"/messages/{thread_id}")
    post_form(family, f"/messages/{thread_id}", {"body": "Third"})
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == world.coordinator.email)) == 2
    # The family hears of the coordinator's answer in its own language.
    post_form(coordinator, f"/messages/{thread_id}", {"body": "Answer"})
    to_family = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == world.family.email))
    assert to_family.locale == "en" and "Answer" not in to_family.body_text


def test_the_admin_list_shows_every_thread_without_subjects(app, db, world, make_user):
    family = client_for(app, world.family)
    thread_id = thread_id_from(start(family, world.coordinator.id, subject="Very private subject"))
    page = client_for(app, make_user(Role.ADMIN)).get("/messages/")
    assert page.status_code == 200
    assert "Very private subject" not in text_of(page)
    assert f"/messages/{thread_id}" in page.get_data(as_text=True)
    assert "Carla Coordinator" in text_of(page)


def test_the_service_refuses_unassigned_staff_and_other_households_whatever_the_form(app, db, world):
    import pytest

    from portal.extensions import db as portal_db
    from portal.messaging.services import start_thread
    from portal.models import User
    from portal.transitions import Refused

    with app.test_request_context():
        family = portal_db.session.get(User, world.family.id)
        coordinator = portal_db.session.get(User, world.coordinator.id)
        with pytest.raises(Refused):
            start_thread(family, household_id=family.household_id, staff_id=world.other_coordinator.id,
                         subject="s", body="b")
        with pytest.raises(Refused):  # a family writing as if it were another household
            start_thread(family, household_id=world.family_b.household_id, staff_id=coordinator.id,
                         subject="s", body="b")
        with pytest.raises(Refused):  # staff writing to a household not theirs
            start_thread(portal_db.session.get(User, world.other_coordinator.id), household_id=family.household_id,
                         staff_id=world.other_coordinator.id, subject="s", body="b")
        portal_db.session.rollback()
