"""Agency settings: a few numbers the agency sets itself (key → value), each with a type, a default and bounds.

Tiny on purpose: one row per setting an admin changed (`AgencySetting`), read with typed getters that fall back to
the default, and edited on one admin page (portal/views/settings.py). A feature adds its setting to `SETTINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal import audit
from portal.database import Base, UTCDateTime, now_utc
from portal.extensions import db
from portal.models import User


class AgencySetting(Base):
    """One setting an admin changed from its default; the value is stored as text and read by its type."""

    __tablename__ = "agency_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


@dataclass(frozen=True)
class Setting:
    """A whole-number setting: its words for the admin page, default and allowed range."""

    key: str
    label: object
    description: object
    default: int
    minimum: int
    maximum: int


MILEAGE_RATE_CENTS = "mileage_rate_cents"
COURT_REPORT_DUE_DAYS = "court_report_due_days"
COURT_REPORT_REMINDER_DAYS = "court_report_reminder_days"

SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting(MILEAGE_RATE_CENTS, _l("Mileage rate (cents per mile)"),
            _l("What the agency pays families per mile driven with a child. 70 means $0.70 a mile."), 70, 0, 500),
    Setting(COURT_REPORT_DUE_DAYS, _l("Caregiver report due (days before the hearing)"),
            _l("How many days before a court hearing the family's report is due."), 7, 0, 60),
    Setting(COURT_REPORT_REMINDER_DAYS, _l("Caregiver report reminder (days before it is due)"),
            _l("How many days before the due date the family is reminded."), 3, 0, 30),
)}


def setting_values() -> dict[str, int]:
    """Every setting's value (the default where no admin changed it), in one statement."""
    stored = dict(db.session.execute(select(AgencySetting.key, AgencySetting.value)).all())
    return {key: _parse(setting, stored.get(key)) for key, setting in SETTINGS.items()}


def get_int(key: str) -> int:
    setting = SETTINGS[key]
    return _parse(setting, db.session.scalar(select(AgencySetting.value).where(AgencySetting.key == key)))


def _parse(setting: Setting, raw: str | None) -> int:
    try:
        value = int(raw) if raw is not None else setting.default
    except ValueError:
        return setting.default
    return value if setting.minimum <= value <= setting.maximum else setting.default


def mileage_rate_cents() -> int:
    return get_int(MILEAGE_RATE_CENTS)


def court_report_due_days() -> int:
    return get_int(COURT_REPORT_DUE_DAYS)


def court_report_reminder_days() -> int:
    return get_int(COURT_REPORT_REMINDER_DAYS)


def save_settings(actor: User, values: dict[str, int]) -> list[str]:
    """Store the settings that changed and record each change in the event log; returns the changed keys."""
    current = setting_values()
    rows = {row.key: row for row in db.session.scalars(select(AgencySetting))}
    changed = []
    for key, value in values.items():
        if key not in SETTINGS or current[key] == value:
            continue
        row = rows.get(key)
        if row is None:
            db.session.add(AgencySetting(key=key, value=str(value), updated_by_id=actor.id))
        else:
            row.value, row.updated_by_id = str(value), actor.id
        audit.record("agency_setting_changed", actor=actor, setting=key, old=current[key], new=value)
        changed.append(key)
    db.session.flush()
    return changed


audit.register_labels({"agency_setting_changed": _l("Agency setting changed")})
