"""A household's training record, read from its credits and the agency's rule: what counts toward pre-service hours,
the current license year's in-service hours per parent, and a valid CPR/First Aid certification. The family's and
staff's record pages and the licensing checklist (training/hours/checklist.py) all count with these functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from licensing.application.models import Application, HouseholdMember, MemberRole
from licensing.tracker.models import License, LicenseStatus
from portal.extensions import db
from training.catalog.models import CourseCategory
from training.hours.models import CreditFormat, CreditStatus, TrainingCredit, TrainingRule
from training.hours.services import add_months, current_rule


def household_license(household_id: int) -> License | None:
    """The household's newest license not closed (one query)."""
    return db.session.scalar(select(License).where(License.household_id == household_id,
                                                   License.status != LicenseStatus.CLOSED)
                             .order_by(License.id.desc()).limit(1))


def license_year(license_: License, today: date) -> tuple[date, date]:
    """The license year holding `today` (from the effective date's anniversaries; the first or the last year when
    today is outside the license): [start, end)."""
    years = 0
    while add_months(license_.effective_on, 12 * (years + 1)) <= today and years < 50:
        years += 1
    return year_of_cycle(license_, years + 1)


def year_of_cycle(license_: License, cycle: int) -> tuple[date, date]:
    """Renewal cycle N of the checklist is license year N."""
    return add_months(license_.effective_on, 12 * (cycle - 1)), add_months(license_.effective_on, 12 * cycle)


def counts_preservice(credit: TrainingCredit, license_: License | None) -> bool:
    """Pre-service hours: approved pre-service credits, taken before the license (if any) began."""
    return (credit.status is CreditStatus.APPROVED and credit.category is CourseCategory.PRE_SERVICE
            and (license_ is None or credit.completed_on <= license_.effective_on))


def counts_in_year(credit: TrainingCredit, rule: TrainingRule, year: tuple[date, date]) -> bool:
    """Annual in-service hours: approved credits of a category the agency counts, within the license year."""
    return (credit.status is CreditStatus.APPROVED and rule.counts_in_service(credit.source, credit.category)
            and year[0] <= credit.completed_on < year[1])


def valid_cpr(credits: list[TrainingCredit], rule: TrainingRule, today: date) -> TrainingCredit | None:
    """The person's CPR/First Aid certification valid today, the one lasting longest (online only if the agency
    accepts online CPR)."""
    valid = [c for c in credits if c.status is CreditStatus.APPROVED and c.category is CourseCategory.CPR_FIRST_AID
             and (c.format != CreditFormat.ONLINE.value or rule.online_cpr_counts)
             and (c.expires_on is None or c.expires_on >= today)]
    return max(valid, key=lambda c: (c.expires_on or date.max, c.id), default=None)


@dataclass
class Tally:
    """Hours toward one requirement, and the credits behind them."""

    required: int  # whole hours
    credits: list[TrainingCredit] = field(default_factory=list)

    @property
    def tenths(self) -> int:
        return sum(c.hours_tenths for c in self.credits)

    @property
    def hours(self) -> int:
        """Whole hours, as the checklist records them."""
        return self.tenths // 10

    @property
    def met(self) -> bool:
        return self.tenths >= self.required * 10

    @property
    def percent(self) -> int:
        return min(100, round(10 * self.tenths / self.required)) if self.required else 100


def tally_preservice(credits: list[TrainingCredit], rule: TrainingRule, license_: License | None) -> Tally:
    return Tally(rule.preservice_hours, [c for c in credits if counts_preservice(c, license_)])


def tally_year(credits: list[TrainingCredit], rule: TrainingRule, year: tuple[date, date]) -> Tally:
    return Tally(rule.inservice_hours, [c for c in credits if counts_in_year(c, rule, year)])


@dataclass
class PersonRecord:
    member: HouseholdMember
    credits: list[TrainingCredit]  # every credit, newest first: pending and not accepted ones too
    preservice: Tally
    annual: Tally | None  # None before a license
    cpr: TrainingCredit | None
    cpr_expired: TrainingCredit | None  # the newest expired one, when none is valid


@dataclass
class HouseholdRecord:
    household_id: int
    people: list[PersonRecord]
    license: License | None
    year: tuple[date, date] | None
    rule: TrainingRule

    @property
    def licensed(self) -> bool:
        return self.license is not None


def load_household_record(household_id: int, today: date) -> HouseholdRecord:
    """The record of every applicant of the household: four queries whatever the number of credits."""
    members = list(db.session.scalars(
        select(HouseholdMember).join(Application, Application.id == HouseholdMember.application_id)
        .where(Application.household_id == household_id, HouseholdMember.role != MemberRole.OTHER)
        .order_by(HouseholdMember.position, HouseholdMember.id)))
    credits = list(db.session.scalars(select(TrainingCredit).where(TrainingCredit.household_id == household_id)
                                      .order_by(TrainingCredit.completed_on.desc(), TrainingCredit.id.desc())))
    license_ = household_license(household_id)
    rule = current_rule()
    year = license_year(license_, today) if license_ is not None else None
    people = []
    for member in members:
        own = [c for c in credits if c.member_id == member.id]
        cpr = valid_cpr(own, rule, today)
        expired = None if cpr else next((c for c in own if c.category is CourseCategory.CPR_FIRST_AID
                                         and c.status is CreditStatus.APPROVED), None)
        people.append(PersonRecord(member=member, credits=own, preservice=tally_preservice(own, rule, license_),
                                   annual=tally_year(own, rule, year) if year else None, cpr=cpr,
                                   cpr_expired=expired))
    return HouseholdRecord(household_id=household_id, people=people, license=license_, year=year, rule=rule)
