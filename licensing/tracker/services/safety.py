"""The home safety checklist: the family's self-check before the inspection, and the inspection itself, whose lines
needing correction become checklist items for the family."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from licensing.application.models import Application
from licensing.tracker.models import RequirementTemplate, SafetyCheck, SafetyResult
from licensing.tracker.services.checklists import open_correction_item
from portal import audit
from portal.database import now_utc
from portal.extensions import db
from portal.models import User

SAFETY_ITEMS = ["smoke_detectors", "co_detectors", "fire_extinguisher", "medications_locked", "chemicals_locked",
                "firearms_locked", "water_safety", "sleeping_space", "emergency_plan"]
CORRECTION_TEMPLATE = "safety_correction"


def record_safety(user: User, application: Application, results: dict[str, tuple[str, str]], self_check: bool,
                  today: date) -> None:
    """Store the inspection (or the family's self-check), and record it. Inspection lines needing correction become
    checklist items for the family."""
    existing = {c.item_code: c for c in db.session.scalars(select(SafetyCheck).where(
        SafetyCheck.application_id == application.id, SafetyCheck.self_check.is_(self_check)))}
    correction = None if self_check else db.session.scalar(
        select(RequirementTemplate).where(RequirementTemplate.code == CORRECTION_TEMPLATE))
    for code, (result, note) in results.items():
        line = existing.get(code) or SafetyCheck(application_id=application.id, item_code=code,
                                                 self_check=self_check)
        line.result, line.note = SafetyResult(result), note.strip()
        line.recorded_at, line.recorded_by_id = now_utc(), user.id
        db.session.add(line)
        if line.result is SafetyResult.NEEDS_CORRECTION and correction is not None:
            open_correction_item(user, application, correction, code, note, today)
    needing = sorted(code for code, (result, _note) in results.items() if result == SafetyResult.NEEDS_CORRECTION)
    audit.record("safety_self_check_recorded" if self_check else "safety_inspection_recorded", actor=user,
                 target=application, household_id=application.household_id, needs_correction=needing)
    db.session.flush()


def safety_answers(application_id: int, self_check: bool) -> dict[str, str]:
    """The recorded lines as form data (`<code>_result`, `<code>_note`)."""
    data = {}
    for line in db.session.scalars(select(SafetyCheck).where(SafetyCheck.application_id == application_id,
                                                             SafetyCheck.self_check.is_(self_check))):
        data[f"{line.item_code}_result"] = line.result.value
        data[f"{line.item_code}_note"] = line.note
    return data
