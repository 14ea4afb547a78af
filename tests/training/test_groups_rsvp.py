"""Joining a group and answering its meetings: childcare places are counted in children, never exceed the meeting's
capacity, and freed places go to the waitlist in order (emailed); hostile answers are refused beside the field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.groups_support import add_meeting, family_with_applicants, in_days, join, make_group, outbox
from training.catalog.models import ChildcareStatus
from training.groups.models import GroupMeeting, GroupMembership, GroupRsvp, MeetingStatus, RsvpStatus


def rsvp(client, meeting_id: int, people: int = 1, children: int = 0, ages: str = ""):
    return post_form(client, f"/training/groups/meetings/{meeting_id}/rsvp",
                     {f"m{meeting_id}-people": str(people), f"m{meeting_id}-children": str(children),
                      f"m{meeting_id}-ages": ages})


def answer(db, meeting_id: int, household_id: int) -> GroupRsvp | None:
    return db.session.scalar(select(GroupRsvp).where(GroupRsvp.meeting_id == meeting_id,
                                                     GroupRsvp.household_id == household_id)
                             .execution_options(populate_existing=True))


def taken(db, meeting_id: int) -> int:
    return db.session.scalar(select(GroupMeeting.childcare_taken).where(GroupMeeting.id == meeting_id))


@pytest.fixture
def childcare_meeting(app, db, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, childcare_capacity=4)
    return group_id, add_meeting(app, group_id, in_days(10), childcare_capacity=4)


def test_join_then_answer_with_childcare(app, db, client, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    sign_in(client, family)
    assert "Join this group" in text_of(client.get(f"/training/groups/{group_id}"))
    assert post_form(client, f"/training/groups/{group_id}/join").status_code == 303
    assert rsvp(client, meeting_id, people=2, children=2, ages="4, 7").status_code == 303
    row = answer(db, meeting_id, family.household_id)
    assert (row.people, row.childcare_status, row.childcare_children, row.childcare_ages) == \
        (2, ChildcareStatus.BOOKED, 2, "4, 7")
    assert taken(db, meeting_id) == 2
    page = text_of(client.get(f"/training/groups/{group_id}"))
    assert "You said 2 people are coming." in page and "Childcare booked" in page


@pytest.mark.parametrize("ages", ["4 y 7", "4 and 7", "4 7", "4;7", "4, and 7", "4, y 7"])
def test_ages_are_read_as_families_write_them(app, db, client, make_user, childcare_meeting, ages):
    """Today's walkthrough: "4 y 7" was refused ("separated by commas")."""
    group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, family)
    assert rsvp(client, meeting_id, people=2, children=2, ages=ages).status_code == 303
    assert answer(db, meeting_id, family.household_id).childcare_ages == "4, 7"


def test_answering_needs_membership(app, db, client, make_user, childcare_meeting):
    _group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    sign_in(client, family)
    response = rsvp(client, meeting_id)
    assert response.status_code == 409
    assert "Join the group first" in text_of(response)
    assert answer(db, meeting_id, family.household_id) is None


def test_childcare_is_never_over_capacity_and_the_waitlist_is_served_in_order(app, db, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    clients = []
    for _ in range(4):
        family, _ids = family_with_applicants(app, make_user)
        join(app, family.household_id, group_id)
        device = app.test_client()
        sign_in(device, family)
        clients.append((device, family))
    (first, a), (second, b), (third, c), (fourth, d) = clients
    rsvp(first, meeting_id, children=3, ages="2, 5, 9")  # booked: 3 of 4
    rsvp(second, meeting_id, children=2, ages="3, 4")  # 2 don't fit: waitlisted first
    rsvp(third, meeting_id, children=1, ages="6")  # 1 would fit, but the second family waits first: waitlisted
    rsvp(fourth, meeting_id, children=1, ages="8")  # waitlisted third
    assert [answer(db, meeting_id, f.household_id).childcare_status for f in (a, b, c, d)] == [
        ChildcareStatus.BOOKED, ChildcareStatus.WAITLISTED, ChildcareStatus.WAITLISTED, ChildcareStatus.WAITLISTED]
    assert taken(db, meeting_id) == 3

    # The third family cancels its waiting answer: no place frees, and the first in line still needs 2.
    assert post_form(third, f"/training/groups/meetings/{meeting_id}/rsvp/cancel").status_code == 303
    assert taken(db, meeting_id) == 3
    assert answer(db, meeting_id, d.household_id).childcare_status is ChildcareStatus.WAITLISTED
    # The first family cancels: 4 places free; the waitlist is served in order (2, then 1), and emailed.
    post_form(first, f"/training/groups/meetings/{meeting_id}/rsvp/cancel")
    assert answer(db, meeting_id, b.household_id).childcare_status is ChildcareStatus.BOOKED
    assert answer(db, meeting_id, d.household_id).childcare_status is ChildcareStatus.BOOKED
    assert taken(db, meeting_id) == 3
    assert {message.recipient for message in outbox(db, "group_childcare_booked")} == {b.email, d.email}
    assert answer(db, meeting_id, a.household_id).status is RsvpStatus.CANCELLED


def test_answer_again_after_cancelling_and_not_twice(app, db, client, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, family)
    assert rsvp(client, meeting_id, children=1, ages="3").status_code == 303
    assert rsvp(client, meeting_id, children=1, ages="3").status_code == 409  # already coming
    assert taken(db, meeting_id) == 1
    post_form(client, f"/training/groups/meetings/{meeting_id}/rsvp/cancel")
    assert taken(db, meeting_id) == 0
    assert rsvp(client, meeting_id, people=3).status_code == 303
    row = answer(db, meeting_id, family.household_id)
    assert (row.status, row.people, row.childcare_status) == (RsvpStatus.GOING, 3, ChildcareStatus.NONE)


def test_leaving_cancels_coming_answers_and_frees_childcare(app, db, client, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, family)
    rsvp(client, meeting_id, children=2, ages="1, 2")
    assert post_form(client, f"/training/groups/{group_id}/leave").status_code == 303
    assert answer(db, meeting_id, family.household_id).status is RsvpStatus.CANCELLED
    assert taken(db, meeting_id) == 0
    assert db.session.scalar(select(GroupMembership.left_at).where(
        GroupMembership.household_id == family.household_id)) is not None


def test_another_household_cannot_cancel_an_answer(app, db, client, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    owner, _ = family_with_applicants(app, make_user)
    join(app, owner.household_id, group_id)
    owner_client = app.test_client()
    sign_in(owner_client, owner)
    rsvp(owner_client, meeting_id, children=1, ages="5")
    stranger, _ = family_with_applicants(app, make_user)
    sign_in(client, stranger)
    assert post_form(client, f"/training/groups/meetings/{meeting_id}/rsvp/cancel").status_code == 404
    assert answer(db, meeting_id, owner.household_id).status is RsvpStatus.GOING


@pytest.mark.parametrize("people,children,ages,message", [
    ("0", "0", "", "Enter between 1 and 20 people."),
    ("9999999999999", "0", "", "Not a valid integer value."),
    ("2", "99", "", "Enter between 0 and 10 children."),
    ("2", "2", "4", "Enter one age for each child."),
    ("2", "1", "<script>alert(1)</script>", "Enter each child's age, separated by commas."),
    ("2", "1", "25", "Childcare is for children under 18."),
])
def test_hostile_answers_are_refused_beside_the_field(app, db, client, make_user, childcare_meeting, people,
                                                      children, ages, message):
    group_id, meeting_id = childcare_meeting
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, family)
    response = post_form(client, f"/training/groups/meetings/{meeting_id}/rsvp",
                         {f"m{meeting_id}-people": people, f"m{meeting_id}-children": children,
                          f"m{meeting_id}-ages": ages})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in text_of(response)
    assert "<script>alert(1)</script>" not in body
    assert answer(db, meeting_id, family.household_id) is None
    assert taken(db, meeting_id) == 0


def test_no_childcare_asked_where_none_is_offered(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff)
    meeting_id = add_meeting(app, group_id, in_days(5))
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    sign_in(client, family)
    assert f"m{meeting_id}-children" not in client.get(f"/training/groups/{group_id}").get_data(as_text=True)
    assert rsvp(client, meeting_id, children=1, ages="4").status_code == 409
    assert answer(db, meeting_id, family.household_id) is None


def test_cancelled_meeting_emails_members_and_takes_no_answers(app, db, client, make_user, childcare_meeting):
    group_id, meeting_id = childcare_meeting
    spanish, _ = family_with_applicants(app, make_user, locale="es")
    join(app, spanish.household_id, group_id)
    staff = make_user(Role.HOMEFINDER)
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    refused = post_form(staff_client, f"/training/staff/groups/meetings/{meeting_id}/cancel", {"reason": ""})
    assert refused.status_code == 422
    assert post_form(staff_client, f"/training/staff/groups/meetings/{meeting_id}/cancel",
                     {"reason": "Storm warning"}).status_code == 303
    assert db.session.scalar(select(GroupMeeting.status).where(GroupMeeting.id == meeting_id)) \
        is MeetingStatus.CANCELLED
    [message] = outbox(db, "group_meeting_cancelled")
    assert message.recipient == spanish.email and message.locale == "es"
    assert "Storm warning" in message.body_text
    # Cancelling twice is a refusal with its reason, not a second email.
    assert post_form(staff_client, f"/training/staff/groups/meetings/{meeting_id}/cancel",
                     {"reason": "Again"}).status_code == 409
    sign_in(client, spanish)
    assert rsvp(client, meeting_id).status_code == 409


def test_an_answer_to_a_meeting_that_began_stays(app, db, client, make_user):
    from datetime import timedelta

    from portal.database import now_utc
    from portal.extensions import db as portal_db

    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff)
    meeting_id = add_meeting(app, group_id, now_utc() - timedelta(minutes=30))
    family, _ = family_with_applicants(app, make_user)
    join(app, family.household_id, group_id)
    with app.app_context():
        portal_db.session.add(GroupRsvp(meeting_id=meeting_id, household_id=family.household_id))
        portal_db.session.commit()
    sign_in(client, family)
    assert post_form(client, f"/training/groups/meetings/{meeting_id}/rsvp/cancel").status_code == 409
    assert answer(db, meeting_id, family.household_id).status is RsvpStatus.GOING
