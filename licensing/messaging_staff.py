"""Who in licensing works with a household, for messaging (portal/messaging/assignments.py): the homefinder
assigned to the household's application. Imported by licensing/views.py."""

from __future__ import annotations

from sqlalchemy import Select, select

from licensing.application.models import Application
from portal.extensions import db
from portal.messaging.assignments import register_household_source
from portal.models import User
from portal.signals import household_staff


@household_staff.connect
def application_homefinder(household_id, **_kwargs) -> list[int]:
    """The homefinder of the household's application (none before one is assigned)."""
    homefinder_id = db.session.scalar(select(Application.assigned_homefinder_id).where(
        Application.household_id == household_id))
    return [homefinder_id] if homefinder_id is not None else []


def _homefinder_households(user: User) -> Select:
    return select(Application.household_id).where(Application.assigned_homefinder_id == user.id)


register_household_source(_homefinder_households)
