"""Payments' part of `flask seed-demo`: what the agency charges for fingerprinting, so the demo's applicants see the
fee on their checklist (paid at the office until Stripe keys are set). Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from licensing.tracker.models import RequirementTemplate
from portal.extensions import db
from portal.signals import demo_seeding
from training.payments.models import FeeAmount

DEMO_FEES = {"fingerprinting_fee": 4925}


@demo_seeding.connect
def seed_fee_amounts(_app, **_kwargs) -> None:
    for code, cents in DEMO_FEES.items():
        template_id = db.session.scalar(select(RequirementTemplate.id).where(RequirementTemplate.code == code))
        if template_id is not None and db.session.scalar(select(FeeAmount.id).where(
                FeeAmount.template_id == template_id)) is None:
            db.session.add(FeeAmount(template_id=template_id, amount_cents=cents))
    db.session.flush()
