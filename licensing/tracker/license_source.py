"""The license facts placed children ask of licensing (portal/children/licenses.py): which households are licensed
on a day, their capacity and age range, and what they said they can take (the application's "Children you can care
for" section). One statement, whatever the number of households; registered when licensing's views are imported."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select

from licensing.application.models import Application, ApplicationSection
from licensing.tracker.models import License, LicenseStatus
from portal.children.licenses import LicensedHome, register_license_source
from portal.extensions import db
from portal.folding import fold
from portal.models import Household


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def licensed_on(day: date, household_ids: list[int] | None = None) -> list[LicensedHome]:
    """Households with an active license in force on `day` (all, or only `household_ids`), with their preferences."""
    query = (select(License, Household.name, ApplicationSection.data)
             .join(Household, Household.id == License.household_id)
             .join(Application, Application.id == License.application_id)
             .outerjoin(ApplicationSection, and_(ApplicationSection.application_id == Application.id,
                                                 ApplicationSection.key == "preferences"))
             .where(License.status == LicenseStatus.ACTIVE, License.effective_on <= day, License.expires_on >= day)
             .order_by(fold(Household.name), License.id))
    if household_ids is not None:
        if not household_ids:
            return []
        query = query.where(License.household_id.in_(household_ids))
    homes = []
    for license_, name, answers in db.session.execute(query).all():
        answers = answers if isinstance(answers, dict) else {}
        needs = answers.get("needs") or []
        homes.append(LicensedHome(
            household_id=license_.household_id, household_name=name, license_number=license_.number,
            capacity=license_.capacity, age_min=license_.age_min, age_max=license_.age_max,
            effective_on=license_.effective_on, expires_on=license_.expires_on,
            preferred_count=_int_or_none(answers.get("number_of_children")),
            preferred_age_min=_int_or_none(answers.get("age_min")),
            preferred_age_max=_int_or_none(answers.get("age_max")),
            sibling_groups=bool(answers.get("sibling_groups")),
            needs=tuple(str(need) for need in needs if isinstance(need, str)),
            languages=str(answers.get("languages") or "")))
    return homes


register_license_source(licensed_on)
