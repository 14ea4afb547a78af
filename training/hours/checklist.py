"""Credited hours feed the licensing checklist: when a household's credits change (`credits_changed`), its
pre-service, annual in-service and CPR/First Aid items move through their own transition rules
(`change_item_status`), with the hours and expiry kept in sync; and the checklist pages show the credits behind
each of those items through a template function registered here (licensing never imports training)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from licensing.application.models import Application, HouseholdMember, MemberRole
from licensing.tracker.models import (
    ChecklistItem,
    ItemStatus,
    License,
    LicenseStatus,
    RequirementTemplate,
    RequirementType,
)
from licensing.tracker.services.checklists import change_item_status
from portal import audit
from portal.clock import agency_today
from portal.extensions import db
from portal.i18n import current_language
from portal.models import User
from portal.services import household_accounts
from portal.transitions import TransitionRefused
from training import bp
from training.hours.models import TrainingCredit, TrainingRule
from training.hours.record import Tally, household_license, tally_preservice, tally_year, valid_cpr, year_of_cycle
from training.hours.services import current_rule
from training.signals import credits_changed

CPR_CODE = "cpr_first_aid"
# Where credits move an item to "submitted" from (the family has hours to show); approved, waived: left alone.
TO_SUBMITTED = frozenset({ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.RETURNED, ItemStatus.EXPIRED})


@dataclass
class ItemCredits:
    """What an item stands on: the hours (or the CPR certification) and the credits behind them."""

    tally: Tally | None  # training hours items
    cpr: TrainingCredit | None  # the CPR/First Aid item

    @property
    def credited(self) -> bool:
        return bool(self.cpr) if self.tally is None else self.tally.tenths > 0

    @property
    def met(self) -> bool:
        return bool(self.cpr) if self.tally is None else self.tally.met


def is_training_item(template: RequirementTemplate) -> bool:
    return template.type is RequirementType.TRAINING_HOURS or template.code == CPR_CODE


def credits_behind_items(application_id: int, household_id: int, today: date) -> dict[int, ItemCredits]:
    """For each training item of the household's checklist, what its credits give (five queries whatever the size)."""
    items = [i for i in db.session.scalars(select(ChecklistItem).options(selectinload(ChecklistItem.template))
                                           .where(ChecklistItem.application_id == application_id))
             if is_training_item(i.template)]
    if not items:
        return {}
    applicants = list(db.session.scalars(select(HouseholdMember.id).where(
        HouseholdMember.application_id == application_id, HouseholdMember.role != MemberRole.OTHER)))
    credits = list(db.session.scalars(select(TrainingCredit).where(TrainingCredit.household_id == household_id)
                                      .order_by(TrainingCredit.completed_on, TrainingCredit.id)))
    license_ = household_license(household_id)
    rule = current_rule()
    return {item.id: _for_item(item, applicants, credits, license_, rule, today) for item in items}


def _for_item(item: ChecklistItem, applicants: list[int], credits: list[TrainingCredit], license_: License | None,
              rule: TrainingRule, today: date) -> ItemCredits:
    # An item of the whole household stands on its applicant with the fewest hours: each must have them.
    people = [item.member_id] if item.member_id is not None else applicants
    results = []
    for member_id in people:
        own = [c for c in credits if c.member_id == member_id]
        if item.template.code == CPR_CODE:
            results.append(ItemCredits(tally=None, cpr=valid_cpr(own, rule, today)))
        elif item.template.for_renewal or item.cycle > 0:
            if license_ is None:
                results.append(ItemCredits(tally=None, cpr=None))
                continue
            results.append(ItemCredits(tally=tally_year(own, rule, year_of_cycle(license_, max(item.cycle, 1))),
                                       cpr=None))
        else:
            results.append(ItemCredits(tally=tally_preservice(own, rule, license_), cpr=None))
    if not results:
        return ItemCredits(tally=None, cpr=None)
    return min(results, key=lambda r: (r.met, r.tally.tenths if r.tally else (r.cpr.id if r.cpr else 0)))


def sync_household(household_id: int, actor: User | None = None, today: date | None = None, *,
                   hours_down: bool = False) -> None:
    """Bring the household's training items up to its approved credits: not started (or returned, expired) →
    submitted once it has hours; submitted → approved when the rule is met; hours and expiry kept in sync. The moves
    are the portal's own (no actor): they follow from the credits, which record who did what.

    `hours_down`: credits were withdrawn (attendance corrected to absent). An approved item whose credited hours (or
    CPR certification) it stood on are gone and no longer meet the rule is returned, with a reason, so it is not left
    approved on hours that don't exist; it goes back to submitted/approved by itself when credits come back. Only
    then: an item staff approved on paper (no credits behind it) is never returned by a later sync."""
    application_id = db.session.scalar(select(Application.id).where(Application.household_id == household_id))
    if application_id is None:
        return
    today = today or agency_today()
    behind = credits_behind_items(application_id, household_id, today)
    if not behind:
        return
    items = {i.id: i for i in db.session.scalars(select(ChecklistItem).options(selectinload(ChecklistItem.template))
                                                  .where(ChecklistItem.id.in_(list(behind))))}
    for item_id, what in sorted(behind.items()):
        item = items[item_id]
        hours = what.tally.hours if what.tally is not None else None
        if hours_down and item.status is not ItemStatus.WAIVED and _lost_credits(item, what, hours):
            if item.status is ItemStatus.APPROVED and not what.met:
                change_item_status(None, item, ItemStatus.RETURNED, household_id=household_id, hours=hours,
                                   reason=_returned_reason(household_id), today=today)
            _keep_in_sync(item, what, hours, household_id)
        if not what.credited or item.status is ItemStatus.WAIVED:
            continue
        if item.status in TO_SUBMITTED:
            change_item_status(None, item, ItemStatus.SUBMITTED, household_id=household_id, hours=hours,
                               today=today)
        if item.status is ItemStatus.SUBMITTED and what.met:
            # Refused when the requirement asks more than the rule (an admin changed one of them): stays submitted.
            with suppress(TransitionRefused):
                change_item_status(None, item, ItemStatus.APPROVED, household_id=household_id, hours=hours,
                                   today=today)
        _keep_in_sync(item, what, hours, household_id)
    db.session.flush()


def _lost_credits(item: ChecklistItem, what: ItemCredits, hours: int | None) -> bool:
    """The item shows more than its credits now give: fewer hours, or a CPR expiry with no certification behind."""
    if what.tally is not None:
        return (item.hours_completed or 0) > (hours or 0)
    return what.cpr is None and item.expires_on is not None and item.template.code == CPR_CODE


def _returned_reason(household_id: int) -> str:
    """Why the item went back, in the household's language (the reason is shown to the family as written)."""
    accounts = household_accounts(household_id)
    locale = accounts[0].preferred_locale if accounts else "en"
    with force_locale(locale if locale in ("en", "es") else "en"):
        return _("Training hours were taken back because attendance was corrected. This item is no longer met.")


def _keep_in_sync(item: ChecklistItem, what: ItemCredits, hours: int | None, household_id: int) -> None:
    changed = {}
    if hours is not None and item.hours_completed != hours:
        item.hours_completed = changed["hours"] = hours
    if what.cpr is not None and what.cpr.expires_on and item.expires_on != what.cpr.expires_on:
        item.expires_on = what.cpr.expires_on
        changed["expires_on"] = what.cpr.expires_on.isoformat()
    if changed:
        audit.record("item_details_recorded", target=item, household_id=household_id,
                     requirement=item.template.code, **changed)


@credits_changed.connect
def _on_credits_changed(household_id: int, actor: User | None = None, hours_down: bool = False, **_kwargs) -> None:
    sync_household(household_id, actor, hours_down=hours_down)


# -- shown on the checklist pages ------------------------------------------------------------------------------------

def credits_behind_view(view) -> dict[int, ItemCredits]:
    """credits_behind_items for a checklist page's view, whose items, requirements and people are loaded already:
    the household's credits, its license and the rule (three queries whatever the size; none without a training
    item)."""
    items = [i for i in view.items if is_training_item(i.template)]
    if not items:
        return {}
    application_id = items[0].application_id
    household = Application.household_id == TrainingCredit.household_id
    credits = list(db.session.scalars(select(TrainingCredit).join(Application, household)
                                      .where(Application.id == application_id)
                                      .order_by(TrainingCredit.completed_on, TrainingCredit.id)))
    license_ = db.session.scalar(select(License).join(Application, Application.household_id == License.household_id)
                                 .where(Application.id == application_id, License.status != LicenseStatus.CLOSED)
                                 .order_by(License.id.desc()).limit(1))
    applicants = [m.id for m in view.members.values() if m.role is not MemberRole.OTHER]
    rule, today = current_rule(), agency_today()
    return {item.id: _for_item(item, applicants, credits, license_, rule, today) for item in items}


def _item_extras(view, item) -> Markup:
    """The credits behind a training item of a checklist page (loaded once per page and application)."""
    if not is_training_item(item.template):
        return Markup("")
    cache = g.setdefault("training_item_credits", {})
    if item.application_id not in cache:
        cache[item.application_id] = credits_behind_view(view)
    what = cache[item.application_id].get(item.id)
    if what is None or not what.credited:
        return Markup("")
    # The household the credits are of (a credited item has some): the staff's link to its training record.
    credits = what.tally.credits if what.tally is not None else [what.cpr]
    # The fragment is rendered by itself, with the two names it reads from the page's context: render_template would
    # run every context processor of the app again for each item (most of a long checklist's rendering). Its output
    # is the autoescaped fragment: safe as it is.
    fragment = current_app.jinja_env.get_template("training/hours/_checklist_item.html")
    return Markup(fragment.render(what=what, household_id=credits[0].household_id if credits else None,  # noqa: S704
                                  current_language=current_language(), current_user=current_user))


@bp.app_context_processor
def _checklist_hook() -> dict:
    return {"checklist_item_extras": _item_extras}
