"""Named loaders for recruitment records: only licensing staff reach leads and sessions; anyone else gets 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from licensing.recruitment.models import InfoSession, Lead, RecruitmentEvent, SessionRsvp
from licensing.roles import can_work_applications
from portal.extensions import db
from portal.models import User


def get_lead_for_staff(user: User, lead_id: int) -> Lead:
    lead = db.session.get(Lead, lead_id) if can_work_applications(user) else None
    if lead is None:
        abort(404)
    return lead


def get_session_for_staff(user: User, session_id: int) -> InfoSession:
    session = db.session.get(InfoSession, session_id) if can_work_applications(user) else None
    if session is None:
        abort(404)
    return session


def get_attendee_for_staff(user: User, session: InfoSession, lead_id: int | None) -> Lead:
    """A lead who came to this session (attendance recorded); anyone else, or another session's lead, is 404."""
    lead = db.session.scalar(select(Lead).join(SessionRsvp, SessionRsvp.lead_id == Lead.id).where(
        SessionRsvp.session_id == session.id, SessionRsvp.attended.is_(True), Lead.id == lead_id)) \
        if lead_id is not None and can_work_applications(user) else None
    if lead is None:
        abort(404)
    return lead


def get_event_for_staff(user: User, event_id: int) -> RecruitmentEvent:
    event = db.session.get(RecruitmentEvent, event_id) if can_work_applications(user) else None
    if event is None:
        abort(404)
    return event
