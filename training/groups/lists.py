"""What the support-group pages show, each in a fixed number of queries whatever the number of groups, meetings or
answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select

from licensing.application.models import HouseholdMember
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household
from portal.paging import Page, paginate
from training.catalog.models import ChildcareStatus
from training.groups.models import (
    GroupAttendance,
    GroupMeeting,
    GroupMembership,
    GroupRsvp,
    MeetingStatus,
    RsvpStatus,
    SupportGroup,
)
from training.groups.services import AHEAD_DAYS, applicants_of, roster_households


@dataclass
class GroupLine:
    group: SupportGroup
    member: bool
    next_meeting: GroupMeeting | None


def groups_for_family(household_id: int, language: str) -> list[GroupLine]:
    """Active groups, those in the family's language first; whether the household is a member; the next meeting."""
    groups = db.session.scalars(select(SupportGroup).where(SupportGroup.active.is_(True)).order_by(
        case((SupportGroup.language == language, 0), else_=1), SupportGroup.name_en, SupportGroup.id)).all()
    member_of = set(db.session.scalars(select(GroupMembership.group_id).where(
        GroupMembership.household_id == household_id, GroupMembership.left_at.is_(None))))
    return [GroupLine(group, group.id in member_of, meeting) for group, meeting in
            zip(groups, _next_meetings([group.id for group in groups]), strict=True)]


def _next_meetings(group_ids: list[int]) -> list[GroupMeeting | None]:
    first = (select(GroupMeeting.group_id, func.min(GroupMeeting.starts_at).label("starts_at"))
             .where(GroupMeeting.group_id.in_(group_ids or [0]), GroupMeeting.starts_at > now_utc(),
                    GroupMeeting.status == MeetingStatus.SCHEDULED).group_by(GroupMeeting.group_id).subquery())
    found = {meeting.group_id: meeting for meeting in db.session.scalars(select(GroupMeeting).join(
        first, (first.c.group_id == GroupMeeting.group_id) & (first.c.starts_at == GroupMeeting.starts_at)))}
    return [found.get(group_id) for group_id in group_ids]


def coming_meetings(group_id: int) -> list[GroupMeeting]:
    return list(db.session.scalars(select(GroupMeeting).where(
        GroupMeeting.group_id == group_id, GroupMeeting.starts_at > now_utc(),
        GroupMeeting.starts_at <= now_utc() + timedelta(days=AHEAD_DAYS + 1)).order_by(GroupMeeting.starts_at)))


def household_answers(household_id: int, meeting_ids: list[int]) -> dict[int, GroupRsvp]:
    return {answer.meeting_id: answer for answer in db.session.scalars(select(GroupRsvp).where(
        GroupRsvp.household_id == household_id, GroupRsvp.meeting_id.in_(meeting_ids or [0]),
        GroupRsvp.status == RsvpStatus.GOING))}


@dataclass
class StaffGroupLine:
    group: SupportGroup
    members: int
    next_meeting: GroupMeeting | None


def groups_for_staff() -> tuple[Page, list[StaffGroupLine]]:
    """One page of the groups (portal/paging.py), open ones first, with member counts and next meetings."""
    page = paginate(select(SupportGroup).order_by(SupportGroup.active.desc(), SupportGroup.name_en, SupportGroup.id))
    groups = list(page.items)
    ids = [group.id for group in groups]
    members = dict(db.session.execute(select(GroupMembership.group_id, func.count()).where(
        GroupMembership.group_id.in_(ids or [0]), GroupMembership.left_at.is_(None))
        .group_by(GroupMembership.group_id)).all())
    return page, [StaffGroupLine(group, members.get(group.id, 0), meeting)
                  for group, meeting in zip(groups, _next_meetings(ids), strict=True)]


def answer_counts(meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per meeting: people coming and children in booked childcare."""
    rows = db.session.execute(select(GroupRsvp.meeting_id, func.coalesce(func.sum(GroupRsvp.people), 0),
                                     func.coalesce(func.sum(case((GroupRsvp.childcare_status == ChildcareStatus.BOOKED,
                                                                  GroupRsvp.childcare_children), else_=0)), 0))
                              .where(GroupRsvp.meeting_id.in_(meeting_ids or [0]),
                                     GroupRsvp.status == RsvpStatus.GOING).group_by(GroupRsvp.meeting_id))
    return {meeting_id: (int(people), int(children)) for meeting_id, people, children in rows}


@dataclass
class RosterLine:
    answer: GroupRsvp
    household: str


@dataclass
class Roster:
    answers: list[RosterLine]
    people: int
    childcare_booked: int
    childcare_waiting: int
    ages: list[str]
    applicants: list[tuple[HouseholdMember, str]]  # (person, household name)
    present: set[int]
    credited: set[int]


def meeting_roster(meeting: GroupMeeting) -> Roster:
    """Staff's view of one meeting: answers with childcare, and who may be marked present."""
    answers = [RosterLine(answer, name) for answer, name in db.session.execute(
        select(GroupRsvp, Household.name).join(Household, Household.id == GroupRsvp.household_id)
        .where(GroupRsvp.meeting_id == meeting.id, GroupRsvp.status == RsvpStatus.GOING)
        .order_by(GroupRsvp.created_at, GroupRsvp.id))]
    households = roster_households(meeting)
    names = dict(db.session.execute(select(Household.id, Household.name).where(
        Household.id.in_(households or {0}))).all())
    attendance = db.session.scalars(select(GroupAttendance).where(GroupAttendance.meeting_id == meeting.id)).all()
    booked = [line.answer for line in answers if line.answer.childcare_status is ChildcareStatus.BOOKED]
    return Roster(
        answers=answers, people=sum(line.answer.people for line in answers),
        childcare_booked=sum(answer.childcare_children for answer in booked),
        childcare_waiting=sum(line.answer.childcare_children for line in answers
                              if line.answer.childcare_status is ChildcareStatus.WAITLISTED),
        ages=[answer.childcare_ages for answer in booked if answer.childcare_ages],
        applicants=[(member, names.get(household_id, "")) for member, household_id in applicants_of(households)],
        present={row.member_id for row in attendance if row.present},
        credited={row.member_id for row in attendance if row.credited})
