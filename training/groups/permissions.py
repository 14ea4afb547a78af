"""Named loaders of the support groups. Families see active groups and their meetings, and only their own household's
answers; staff who work licensing (homefinders, supervisors) manage groups. Anything else is 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.roles import can_work_applications
from portal.extensions import db
from portal.models import User
from training.groups.models import GroupMeeting, GroupRsvp, RsvpStatus, SupportGroup


def can_manage_groups(user: User) -> bool:
    """Homefinders and supervisors run the support groups (the same people who work licensing)."""
    return can_work_applications(user)


def get_group_for_family(user: User, group_id: int) -> SupportGroup:
    group = db.session.scalar(select(SupportGroup).where(SupportGroup.id == group_id, SupportGroup.active.is_(True))) \
        if user.household_id is not None else None
    if group is None:
        abort(404)
    return group


def get_meeting_for_family(user: User, meeting_id: int) -> tuple[GroupMeeting, SupportGroup]:
    """A meeting of an active group, for a family with a household."""
    row = db.session.execute(select(GroupMeeting, SupportGroup).join(
        SupportGroup, SupportGroup.id == GroupMeeting.group_id).where(
        GroupMeeting.id == meeting_id, SupportGroup.active.is_(True))).first() \
        if user.household_id is not None else None
    if row is None:
        abort(404)
    return row[0], row[1]


def get_own_rsvp(user: User, meeting_id: int) -> GroupRsvp:
    """The household's own live answer to this meeting; another household's (or none) is 404."""
    answer = db.session.scalar(select(GroupRsvp).where(
        GroupRsvp.meeting_id == meeting_id, GroupRsvp.household_id == user.household_id,
        GroupRsvp.status == RsvpStatus.GOING)) if user.household_id is not None else None
    if answer is None:
        abort(404)
    return answer


def get_group_for_staff(user: User, group_id: int) -> SupportGroup:
    group = db.session.get(SupportGroup, group_id) if can_manage_groups(user) else None
    if group is None:
        abort(404)
    return group


def get_meeting_for_staff(user: User, meeting_id: int) -> tuple[GroupMeeting, SupportGroup]:
    row = db.session.execute(select(GroupMeeting, SupportGroup).join(
        SupportGroup, SupportGroup.id == GroupMeeting.group_id).where(GroupMeeting.id == meeting_id)).first() \
        if can_manage_groups(user) else None
    if row is None:
        abort(404)
    return row[0], row[1]
