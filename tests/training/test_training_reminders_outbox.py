"""The day-before reminders (`flask send-training-reminders`): each session meeting to the households of the people
enrolled, each group meeting to the households that answered it, in the recipient's language, through the outbox,
and once however many times the command runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.i18n import local_to_utc
from portal.models import Role
from tests.training.groups_support import add_meeting, enroll, family_with_applicants, make_group, outbox
from training.catalog.models import EnrollmentStatus, SessionMeeting
from training.groups import reminders
from training.groups.models import GroupRsvp, RsvpStatus


def tomorrow_at(app, hour: int, minute: int = 5, days: int = 1) -> datetime:
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    day = (datetime.now(zone) + timedelta(days=days)).date()
    with app.app_context():
        return local_to_utc(datetime(day.year, day.month, day.day, hour, minute))  # noqa: DTZ001 (agency wall clock)


def answer(app, meeting_id: int, household_id: int, status: RsvpStatus = RsvpStatus.GOING) -> None:
    with app.app_context():
        portal_db.session.add(GroupRsvp(meeting_id=meeting_id, household_id=household_id, status=status))
        portal_db.session.commit()


def run(app) -> str:
    result = app.test_cli_runner().invoke(args=["send-training-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_once_in_each_language(app, db, make_user):
    english, (en_first, en_second) = family_with_applicants(app, make_user)
    spanish, (es_first, _) = family_with_applicants(app, make_user, locale="es")
    staff = make_user(Role.HOMEFINDER)
    session_id, (tomorrow, later) = enroll(app, en_first, english.household_id,
                                           [tomorrow_at(app, 9), tomorrow_at(app, 9, days=8)])
    enroll(app, en_second, english.household_id, [], session_id=session_id)  # both parents: one email to the home
    enroll(app, es_first, spanish.household_id, [], session_id=session_id)
    cancelled_person, (gone,) = family_with_applicants(app, make_user, applicants=1)
    enroll(app, gone, cancelled_person.household_id, [], session_id=session_id, status=EnrollmentStatus.CANCELLED)
    group_id = make_group(app, staff, name_es="Círculo de padres")
    group_meeting = add_meeting(app, group_id, tomorrow_at(app, 18, 45))
    next_week = add_meeting(app, group_id, tomorrow_at(app, 18, 45, days=8))
    answer(app, group_meeting, spanish.household_id)
    answer(app, next_week, spanish.household_id)
    answer(app, group_meeting, cancelled_person.household_id, RsvpStatus.CANCELLED)

    assert "session_meetings: 1, group_meetings: 1" in run(app)
    assert "session_meetings: 0, group_meetings: 0" in run(app)  # a second run sends nothing again

    training = outbox(db, "training_meeting_reminder")
    assert sorted((m.recipient, m.locale) for m in training) == sorted([(english.email, "en"), (spanish.email, "es")])
    by_recipient = {m.recipient: m for m in training}
    assert "Trauma-informed care (es)" in by_recipient[spanish.email].body_text
    assert "Person0, Person1" in by_recipient[english.email].body_text
    [group_mail] = outbox(db, "group_meeting_reminder")
    assert (group_mail.recipient, group_mail.locale) == (spanish.email, "es")
    assert "Círculo de padres" in group_mail.body_text
    assert "/training/calendar" in group_mail.body_text
    assert db.session.scalar(select(SessionMeeting.reminder_sent_at).where(SessionMeeting.id == later)) is None
    assert db.session.scalar(select(SessionMeeting.reminder_sent_at).where(SessionMeeting.id == tomorrow)) \
        is not None


def test_a_meeting_claimed_by_another_run_is_not_sent_again(app, db, make_user, monkeypatch):
    """Two machines: both read the meeting as not reminded yet; the one that loses the conditional UPDATE sends
    nothing for that meeting or answer."""
    family, (first, _) = family_with_applicants(app, make_user)
    staff = make_user(Role.HOMEFINDER)
    _, (meeting,) = enroll(app, first, family.household_id, [tomorrow_at(app, 10)])
    group_id = make_group(app, staff)
    group_meeting = add_meeting(app, group_id, tomorrow_at(app, 18, 45))
    answer(app, group_meeting, family.household_id)
    original = reminders._users_by_household

    def the_other_run_claims_first(household_ids):
        # Between this run's reading and its claims, the other run claims both.
        portal_db.session.execute(update(SessionMeeting).where(SessionMeeting.id == meeting)
                                  .values(reminder_sent_at=now_utc()))
        portal_db.session.execute(update(GroupRsvp).where(GroupRsvp.meeting_id == group_meeting)
                                  .values(reminder_sent_at=now_utc()))
        return original(household_ids)

    monkeypatch.setattr(reminders, "_users_by_household", the_other_run_claims_first)
    assert "session_meetings: 0, group_meetings: 0" in run(app)
    assert outbox(db, "training_meeting_reminder") == [] and outbox(db, "group_meeting_reminder") == []
