"""Background checks of every adult in the home: made when the application is submitted, moved through their one
transition function. Status only: the portal never stores what a check found."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember
from licensing.fields import US_STATES, parse_states
from licensing.tracker.models import CHECK_MOVES, BackgroundCheck, CheckStatus, CheckType
from portal import audit
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.transitions import transition

CHECK_DONE = frozenset({CheckStatus.CLEARED, CheckStatus.EXEMPTION_GRANTED, CheckStatus.NOT_APPLICABLE})
# Families see these check statuses as they are; every other one only as "in review".
CHECK_SHOWN_TO_FAMILY = frozenset({CheckStatus.REQUESTED, CheckStatus.PENDING, CheckStatus.CLEARED})


def generate_background_checks(application: Application, members: list[HouseholdMember], answers: dict,
                                today: date) -> None:
    """Every adult: state and FBI fingerprints, the state registry, the sex offender registry, and one registry
    check per other state they lived in during the past five years (from the addresses they gave)."""
    existing = {(c.member_id, c.check_type, c.state) for c in db.session.scalars(
        select(BackgroundCheck).where(BackgroundCheck.application_id == application.id))}
    added = 0
    household_states = _states(answers.get("residence", {}).get("other_states", ""))
    for member in members:
        if not member.is_adult_on(today):
            continue
        states = household_states | _states(member.own_part.get("other_states", ""))
        wanted = [(t, "") for t in (CheckType.STATE_CRIMINAL, CheckType.FBI, CheckType.STATE_REGISTRY,
                                    CheckType.SEX_OFFENDER)]
        wanted += [(CheckType.OUT_OF_STATE_REGISTRY, state) for state in sorted(states)]
        for check_type, state in wanted:
            if (member.id, check_type, state) not in existing:
                db.session.add(BackgroundCheck(application_id=application.id, member_id=member.id,
                                               check_type=check_type, state=state, requested_on=today,
                                               status=CheckStatus.REQUESTED))
                added += 1
    if added:
        audit.record("background_checks_requested", target=application, household_id=application.household_id,
                     checks=added)


def _states(text: str) -> set[str]:
    # Forms check the text (licensing/fields.py); answers kept from before that check still give what they can.
    return parse_states(text) or {part.strip().upper() for part in text.replace(";", ",").split(",")
                                  if part.strip().upper() in US_STATES}


def update_check(staff: User | None, check: BackgroundCheck, status: CheckStatus, *, household_id: int,
                 expected_version: int | None = None, reason: str = "") -> None:
    """The one way a check's status changes: only the moves in CHECK_MOVES, each recorded."""
    transition(CHECK_MOVES, check, status, actor=staff, household_id=household_id, reason=reason,
               expected_version=expected_version, check_type=check.check_type.value, state=check.state or None)
    check.updated_at, check.updated_by_id = now_utc(), staff.id if staff else None
    db.session.flush()  # a stale version (someone else saved meanwhile) shows here, not at commit


def family_check_status(check: BackgroundCheck) -> str:
    """What a family may see of a check: requested, pending, cleared — anything else is "in review"."""
    return check.status.value if check.status in CHECK_SHOWN_TO_FAMILY else "in_review"
