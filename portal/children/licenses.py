"""The license facts a placement needs, from whoever keeps licenses (licensing registers itself at import).

The core never imports licensing: licensing calls `register_license_source` with a function that answers, in one
query, the households licensed on a day with their capacity, age range and stated preferences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LicensedHome:
    household_id: int
    household_name: str
    license_number: str
    capacity: int
    age_min: int
    age_max: int
    effective_on: date
    expires_on: date
    # What the household said it can take (the application's "Children you can care for").
    preferred_count: int | None = None
    preferred_age_min: int | None = None
    preferred_age_max: int | None = None
    sibling_groups: bool = False
    needs: tuple[str, ...] = field(default_factory=tuple)
    languages: str = ""


LicenseSource = Callable[[date, "list[int] | None"], list[LicensedHome]]
_sources: list[LicenseSource] = []


def register_license_source(source: LicenseSource) -> None:
    if source not in _sources:
        _sources.append(source)


def licensed_homes(on: date, household_ids: list[int] | None = None) -> list[LicensedHome]:
    """Households licensed on `on` (all of them, or only `household_ids`); empty when no source is registered."""
    homes: list[LicensedHome] = []
    for source in _sources:
        homes.extend(source(on, household_ids))
    return homes
