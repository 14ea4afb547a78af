"""Every write of the support groups: the group and its meetings ahead, cancelling a meeting, membership, RSVPs with
childcare (a conditional UPDATE takes the places; a freed place goes to the first on the waitlist), attendance and
the hours it credits once per person and meeting. Nothing here commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update

from licensing.application.models import Application, HouseholdMember, MemberRole
from portal import audit, emails
from portal.clock import agency_zone
from portal.database import now_utc
from portal.extensions import db
from portal.i18n import local_to_utc
from portal.models import User
from portal.transitions import Refused, transition
from training.catalog.models import ChildcareStatus, CourseCategory
from training.groups.models import (
    MEETING_MOVES,
    GroupAttendance,
    GroupMeeting,
    GroupMembership,
    GroupRsvp,
    MeetingStatus,
    RsvpStatus,
    SupportGroup,
)
from training.groups.recurrence import occurrences
from training.hours.models import CreditSource, CreditStatus, TrainingCredit
from training.hours.services import withdraw_credit
from training.signals import credits_changed

#: How far ahead meetings are generated.
AHEAD_DAYS = 92
#: The applicants of a household (whose attendance counts as their hours).
APPLICANT_ROLES = (MemberRole.PRIMARY, MemberRole.CO_APPLICANT)

GROUP_FIELDS = ("name_en", "name_es", "description_en", "description_es", "language", "facilitator", "place",
                "virtual_link", "recurrence", "weekday", "week_of_month", "starts_on", "time_of_day",
                "duration_minutes", "childcare_capacity", "counts_as_hours", "credit_tenths", "active")
SCHEDULE_FIELDS = ("recurrence", "weekday", "week_of_month", "starts_on", "time_of_day", "duration_minutes")


def save_group(actor: User, group: SupportGroup | None, values: dict, today: date) -> SupportGroup:
    """Add or change a group, then bring its meetings ahead up to date: future meetings the new schedule no longer
    has are removed when nobody answered them (those with answers stay, for staff to cancel one by one)."""
    schedule_changed = group is not None and any(getattr(group, name) != values[name] for name in SCHEDULE_FIELDS)
    if group is None:
        group = SupportGroup()
        db.session.add(group)
    for name in GROUP_FIELDS:
        setattr(group, name, values[name])
    if not group.counts_as_hours:
        group.credit_tenths = 0
    group.updated_by_id = actor.id
    group.updated_at = now_utc()
    db.session.flush()
    audit.record("support_group_saved", actor=actor, target=group)
    if schedule_changed:
        _drop_unmatched_meetings(group, today)
    # Childcare offered per meeting follows the group for meetings not yet past (never below what is booked).
    db.session.execute(update(GroupMeeting).where(
        GroupMeeting.group_id == group.id, GroupMeeting.starts_at > now_utc(),
        GroupMeeting.childcare_taken <= group.childcare_capacity).values(childcare_capacity=group.childcare_capacity))
    extend_meetings([group], today)
    return group


def _meeting_times(group: SupportGroup, today: date) -> list[datetime]:
    days = occurrences(group.recurrence, weekday=group.weekday, week_of_month=group.week_of_month,
                       starts_on=group.starts_on, since=today, until=today + timedelta(days=AHEAD_DAYS))
    return [local_to_utc(datetime.combine(day, group.time_of_day)) for day in days]


def _drop_unmatched_meetings(group: SupportGroup, today: date) -> None:
    wanted = set(_meeting_times(group, today))
    answered = select(GroupRsvp.meeting_id).where(GroupRsvp.meeting_id == GroupMeeting.id).exists()
    future = db.session.execute(select(GroupMeeting.id, GroupMeeting.starts_at).where(
        GroupMeeting.group_id == group.id, GroupMeeting.starts_at > now_utc(), ~answered)).all()
    stale = [meeting_id for meeting_id, starts_at in future if starts_at not in wanted]
    if stale:
        db.session.execute(delete(GroupMeeting).where(GroupMeeting.id.in_(stale)))


def extend_meetings(groups: list[SupportGroup], today: date) -> int:
    """Make the meetings of the next three months that don't exist yet (idempotent: one meeting per group and
    start). Two queries whatever the number of groups."""
    groups = [group for group in groups if group.active]
    if not groups:
        return 0
    existing = set(db.session.execute(select(GroupMeeting.group_id, GroupMeeting.starts_at).where(
        GroupMeeting.group_id.in_([group.id for group in groups]),
        GroupMeeting.starts_at >= local_to_utc(datetime.combine(today, datetime.min.time())))).all())
    rows = [{"group_id": group.id, "starts_at": starts_at, "duration_minutes": group.duration_minutes,
             "status": MeetingStatus.SCHEDULED, "childcare_capacity": group.childcare_capacity, "childcare_taken": 0,
             "sequence": 0, "created_at": now_utc()}
            for group in groups for starts_at in _meeting_times(group, today) if (group.id, starts_at) not in existing]
    if rows:
        db.session.execute(insert(GroupMeeting), rows)
    return len(rows)


def extend_all_groups(today: date) -> int:
    return extend_meetings(list(db.session.scalars(select(SupportGroup).where(SupportGroup.active.is_(True)))), today)


def _household_users(household_ids: set[int]) -> list[User]:
    if not household_ids:
        return []
    return list(db.session.scalars(select(User).where(User.household_id.in_(household_ids), User.is_active.is_(True))
                                   .order_by(User.id)))


def cancel_meeting(actor: User, meeting: GroupMeeting, group: SupportGroup, reason: str) -> None:
    """Cancel one meeting; every member household and everyone who answered it is emailed, in their language."""
    transition(MEETING_MOVES, meeting, MeetingStatus.CANCELLED, actor=actor, household_id=None, reason=reason)
    meeting.cancelled_at = now_utc()
    meeting.sequence += 1
    households = set(db.session.scalars(select(GroupMembership.household_id).where(
        GroupMembership.group_id == group.id, GroupMembership.left_at.is_(None))))
    households |= set(db.session.scalars(select(GroupRsvp.household_id).where(
        GroupRsvp.meeting_id == meeting.id, GroupRsvp.status == RsvpStatus.GOING)))
    link = emails.portal_url("training.group_page", group_id=group.id)
    for user in _household_users(households):
        emails.queue_email(user.email, user.preferred_locale, "group_meeting_cancelled", user=user,
                           group_name=group.name(user.preferred_locale), when=meeting.starts_at, reason=reason,
                           link=link)
    db.session.flush()


def membership_of(household_id: int, group_id: int) -> GroupMembership | None:
    return db.session.scalar(select(GroupMembership).where(GroupMembership.group_id == group_id,
                                                           GroupMembership.household_id == household_id))


def join_group(user: User, group: SupportGroup) -> None:
    membership = membership_of(user.household_id, group.id)
    if membership is None:
        db.session.add(GroupMembership(group_id=group.id, household_id=user.household_id))
    elif membership.left_at is not None:
        membership.left_at = None
        membership.joined_at = now_utc()
    else:
        return
    audit.record("support_group_joined", actor=user, target=group, household_id=user.household_id)
    db.session.flush()


def leave_group(user: User, group: SupportGroup) -> None:
    """Leave the group; the household's answers to its coming meetings are cancelled (freeing childcare)."""
    membership = membership_of(user.household_id, group.id)
    if membership is None or membership.left_at is not None:
        return
    membership.left_at = now_utc()
    coming = db.session.scalars(select(GroupRsvp).join(GroupMeeting, GroupMeeting.id == GroupRsvp.meeting_id).where(
        GroupMeeting.group_id == group.id, GroupMeeting.starts_at > now_utc(),
        GroupRsvp.household_id == user.household_id, GroupRsvp.status == RsvpStatus.GOING)).all()
    for rsvp in coming:
        cancel_rsvp(user, rsvp)
    audit.record("support_group_left", actor=user, target=group, household_id=user.household_id)
    db.session.flush()


def _take_childcare(meeting_id: int, children: int) -> bool:
    """The check and the places are one statement: capacity holds however many families answer at once."""
    result = db.session.execute(update(GroupMeeting).where(
        GroupMeeting.id == meeting_id, GroupMeeting.status == MeetingStatus.SCHEDULED,
        GroupMeeting.childcare_taken + children <= GroupMeeting.childcare_capacity)
        .values(childcare_taken=GroupMeeting.childcare_taken + children)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _release_childcare(meeting_id: int, children: int) -> None:
    db.session.execute(update(GroupMeeting)
                       .where(GroupMeeting.id == meeting_id, GroupMeeting.childcare_taken >= children)
                       .values(childcare_taken=GroupMeeting.childcare_taken - children)
                       .execution_options(synchronize_session=False))


def rsvp(user: User, meeting: GroupMeeting, group: SupportGroup, *, people: int, children: int, ages: str) -> GroupRsvp:
    """Answer a meeting for the household. Childcare is booked when places are left and nobody waits ahead, else
    waitlisted (served in order when places free: a later, smaller family never jumps the line)."""
    membership = membership_of(user.household_id, group.id)
    if membership is None or membership.left_at is not None:
        raise Refused(_l("Join the group first, then answer its meetings."))
    if meeting.is_cancelled or meeting.starts_at <= now_utc():
        raise Refused(_l("This meeting is cancelled or already started."))
    if children and not meeting.childcare_capacity:
        raise Refused(_l("This meeting offers no childcare."))
    answer = db.session.scalar(select(GroupRsvp).where(GroupRsvp.meeting_id == meeting.id,
                                                      GroupRsvp.household_id == user.household_id))
    if answer is not None and answer.status is RsvpStatus.GOING:
        raise Refused(_l("You already said you are coming. Cancel that answer first to change it."))
    # Booked at once only when nobody waits for childcare ahead of this family (they are served first, in order).
    someone_waits = bool(children) and _childcare_waiting(meeting.id)
    if answer is None:
        answer = GroupRsvp(meeting_id=meeting.id, household_id=user.household_id)
        db.session.add(answer)
    answer.status = RsvpStatus.GOING
    answer.people = people
    answer.created_at = now_utc()
    answer.cancelled_at = None
    answer.reminder_sent_at = None
    answer.childcare_children = children
    answer.childcare_ages = ages if children else ""
    answer.childcare_requested_at = now_utc() if children else None
    if not children:
        answer.childcare_status = ChildcareStatus.NONE
    elif not someone_waits and _take_childcare(meeting.id, children):
        answer.childcare_status = ChildcareStatus.BOOKED
    else:
        answer.childcare_status = ChildcareStatus.WAITLISTED
    db.session.flush()
    audit.record("group_rsvp_made", actor=user, target=answer, household_id=user.household_id,
                 childcare=answer.childcare_status.value)
    return answer


def _childcare_waiting(meeting_id: int) -> bool:
    return db.session.scalar(select(GroupRsvp.id).where(
        GroupRsvp.meeting_id == meeting_id, GroupRsvp.status == RsvpStatus.GOING,
        GroupRsvp.childcare_status == ChildcareStatus.WAITLISTED).limit(1)) is not None


def cancel_rsvp(user: User, answer: GroupRsvp, meeting: GroupMeeting | None = None) -> None:
    """Cancel an answer; booked childcare places go to the first families on the waitlist that fit. An answer to a
    meeting that has begun stays (it is the record of who said they came)."""
    if answer.status is RsvpStatus.CANCELLED:
        return
    if meeting is not None and meeting.starts_at <= now_utc():
        raise Refused(_l("This meeting has already started."))
    freed = answer.childcare_status is ChildcareStatus.BOOKED
    answer.status = RsvpStatus.CANCELLED
    answer.cancelled_at = now_utc()
    answer.childcare_status = ChildcareStatus.NONE
    db.session.flush()
    if freed:
        _release_childcare(answer.meeting_id, answer.childcare_children)
        serve_childcare_waitlist(answer.meeting_id)
    audit.record("group_rsvp_cancelled", actor=user, target=answer, household_id=answer.household_id)


def serve_childcare_waitlist(meeting_id: int) -> int:
    """Give freed places in waitlist order; the first that doesn't fit stops the line (nobody jumps ahead)."""
    waiting = db.session.scalars(select(GroupRsvp).where(
        GroupRsvp.meeting_id == meeting_id, GroupRsvp.status == RsvpStatus.GOING,
        GroupRsvp.childcare_status == ChildcareStatus.WAITLISTED)
        .order_by(GroupRsvp.childcare_requested_at, GroupRsvp.id)).all()
    served = []
    for answer in waiting:
        if not _take_childcare(meeting_id, answer.childcare_children):
            break
        answer.childcare_status = ChildcareStatus.BOOKED
        served.append(answer)
    if served:
        meeting, group = db.session.execute(select(GroupMeeting, SupportGroup).join(
            SupportGroup, SupportGroup.id == GroupMeeting.group_id).where(GroupMeeting.id == meeting_id)).one()
        by_household = {answer.household_id: answer for answer in served}
        link = emails.portal_url("training.group_page", group_id=group.id)
        for user in _household_users(set(by_household)):
            emails.queue_email(user.email, user.preferred_locale, "group_childcare_booked", user=user,
                               group_name=group.name(user.preferred_locale), when=meeting.starts_at,
                               children=by_household[user.household_id].childcare_children, link=link)
    db.session.flush()
    return len(served)


def applicants_of(household_ids: set[int]) -> list[tuple[HouseholdMember, int]]:
    """The applicants of these households (attendance and hours are theirs), with each one's household id."""
    if not household_ids:
        return []
    return list(db.session.execute(select(HouseholdMember, Application.household_id)
                                   .join(Application, Application.id == HouseholdMember.application_id)
                                   .where(Application.household_id.in_(household_ids),
                                          HouseholdMember.role.in_(APPLICANT_ROLES))
                                   .order_by(Application.household_id, HouseholdMember.position,
                                             HouseholdMember.id)))


def roster_households(meeting: GroupMeeting) -> set[int]:
    """Who may be marked present: households that answered the meeting, or are members of the group."""
    members = select(GroupMembership.household_id).where(GroupMembership.group_id == meeting.group_id,
                                                         GroupMembership.left_at.is_(None))
    answered = select(GroupRsvp.household_id).where(GroupRsvp.meeting_id == meeting.id)
    return set(db.session.scalars(members.union(answered)))


def _withdraw_credits(actor: User, rows: list[GroupAttendance]) -> None:
    """Attendance corrected to absent: the hours it credited are withdrawn (through the credit's StateMachine), the
    row may be credited again if corrected back, and hours hear of it (`credits_changed`, hours_down)."""
    if not rows:
        return
    credits = {credit.id: credit for credit in db.session.scalars(select(TrainingCredit).where(
        TrainingCredit.id.in_([row.credit_id for row in rows if row.credit_id is not None]),
        TrainingCredit.status == CreditStatus.APPROVED))}
    households: set[int] = set()
    for row in rows:
        credit = credits.get(row.credit_id)
        if credit is not None:
            withdraw_credit(actor, credit)
            households.add(credit.household_id)
        row.credited, row.credit_id = False, None
    db.session.flush()
    for household_id in sorted(households):
        credits_changed.send(household_id, actor=actor, hours_down=True)


def record_attendance(actor: User, meeting: GroupMeeting, group: SupportGroup, present_ids: set[int]) -> int:
    """Save who was present. Where the group counts, each person present is credited its hours once for this
    meeting (a conditional UPDATE claims the row), and `credits_changed` tells hours about each household.
    Returns how many people were credited now."""
    if meeting.is_cancelled:
        raise Refused(_l("This meeting is cancelled."))
    if meeting.starts_at > now_utc():
        raise Refused(_l("Attendance can be taken once the meeting has started."))
    people = {member.id: household_id for member, household_id in applicants_of(roster_households(meeting))}
    unknown = present_ids - set(people)
    if unknown:
        raise Refused(_l("Someone marked present is not on this meeting's list."))
    rows = {row.member_id: row for row in db.session.scalars(
        select(GroupAttendance).where(GroupAttendance.meeting_id == meeting.id))}
    corrected: list[GroupAttendance] = []  # credited as present, now absent: the credit is taken back
    for member_id, household_id in people.items():
        row = rows.get(member_id)
        present = member_id in present_ids
        if row is not None and row.present and not present and row.credited:
            corrected.append(row)
        if row is None:
            if not present:
                continue
            row = GroupAttendance(meeting_id=meeting.id, member_id=member_id, household_id=household_id)
            db.session.add(row)
            rows[member_id] = row
        row.present = present
        row.recorded_by_id = actor.id
        row.recorded_at = now_utc()
    db.session.flush()
    audit.record("group_attendance_taken", actor=actor, target=meeting, present=len(present_ids))
    _withdraw_credits(actor, corrected)
    if not (group.counts_as_hours and group.credit_tenths > 0):
        return 0
    credited_households: set[int] = set()
    credited = 0
    meeting_day = meeting.starts_at.astimezone(agency_zone()).date()
    for member_id in sorted(present_ids):
        row = rows[member_id]
        claimed = db.session.execute(update(GroupAttendance).where(
            GroupAttendance.id == row.id, GroupAttendance.credited.is_(False)).values(credited=True)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not claimed:
            continue
        credit = TrainingCredit(household_id=row.household_id, member_id=member_id, source=CreditSource.SUPPORT_GROUP,
                                category=CourseCategory.IN_SERVICE, status=CreditStatus.APPROVED,
                                title=group.name_en[:200], title_es=(group.name_es or "")[:200],
                                hours_tenths=group.credit_tenths,
                                completed_on=meeting_day, decided_by_id=actor.id)
        db.session.add(credit)
        db.session.flush()
        db.session.execute(update(GroupAttendance).where(GroupAttendance.id == row.id).values(credit_id=credit.id)
                           .execution_options(synchronize_session=False))
        credited_households.add(row.household_id)
        credited += 1
    for household_id in sorted(credited_households):
        credits_changed.send(household_id, actor=actor)
    return credited
