"""The demo: family@demo.test part-way to its annual hours, with CPR/First Aid and one submission waiting; twice
adds nothing twice."""

from __future__ import annotations

from sqlalchemy import func, select

from licensing.application.models import Application
from licensing.tracker.models import ChecklistItem, ItemStatus, RequirementTemplate
from portal.models import User
from tests.conftest import sign_in, text_of
from training.hours.models import CreditStatus, TrainingCredit


def test_the_demo_family_is_part_way_to_its_annual_hours(app, db, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    family = db.session.scalar(select(User).where(User.email == "family@demo.test"))
    credits = db.session.scalar(select(func.count()).select_from(TrainingCredit)
                                .where(TrainingCredit.household_id == family.household_id))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit)
                             .where(TrainingCredit.household_id == family.household_id)) == credits
    assert db.session.scalar(select(func.count()).select_from(TrainingCredit).where(
        TrainingCredit.household_id == family.household_id, TrainingCredit.status == CreditStatus.PENDING)) == 1

    annual = db.session.scalars(select(ChecklistItem).join(RequirementTemplate).join(Application).where(
        Application.household_id == family.household_id, RequirementTemplate.code == "annual_training")).all()
    assert annual and {(i.status, i.hours_completed) for i in annual} == {(ItemStatus.SUBMITTED, 7)}

    sign_in(client, family, "demo-pass-2026")
    record = text_of(client.get("/training/hours"))
    assert "In-service hours this license year: 7 of 12 hours" in record
    assert "certified, valid until" in record
