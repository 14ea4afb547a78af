"""Outside hours: staff record them with proof; a family sends them for approval; staff approve or refuse with a
reason, the family is emailed in its language; proofs download to their owners only, recorded."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from licensing.tracker.models import ChecklistItem, ItemStatus
from portal.clock import agency_today
from portal.models import AuditEvent, OutboxMessage, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.training.hours_support import build_household
from training.hours.models import CreditSource, CreditStatus, TrainingCredit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def hours_form(member_id: int, day, **overrides):
    data = {"member": str(member_id), "title": "Trauma-informed care online", "provider": "State university",
            "format": "online", "category": "in_service", "hours": "4.5", "completed_on": day.isoformat(),
            "proof": (io.BytesIO(PDF), "certificate.pdf")}
    data.update(overrides)
    return data


def test_a_family_sends_hours_and_staff_decide(app, db, client, make_user, login):
    with app.app_context():
        today = agency_today()
    world = build_household(app, make_user, licensed_on=today - timedelta(days=30), locale="es")
    family = app.test_client()
    sign_in(family, db.session.get(User, world.owner_id))
    assert post_form(family, "/training/hours/outside", hours_form(world.ana_id, today),
                     content_type="multipart/form-data").status_code == 303
    # A file that isn't what its name says, a date in the future, another household's person: refused, kept.
    fake = post_form(family, "/training/hours/outside",
                     hours_form(world.ana_id, today, proof=(io.BytesIO(b"MZ not a pdf"), "x.pdf")),
                     content_type="multipart/form-data")
    assert fake.status_code == 422 and "Trauma-informed care online" in fake.get_data(as_text=True)
    assert post_form(family, "/training/hours/outside", hours_form(world.ana_id, today + timedelta(days=3)),
                     content_type="multipart/form-data").status_code == 422
    assert post_form(family, "/training/hours/outside", hours_form(999999, today),
                     content_type="multipart/form-data").status_code == 422
    for hours in ("1.25", "9" * 400, "NaN", "1e3", "-2"):
        assert post_form(family, "/training/hours/outside", hours_form(world.ana_id, today, hours=hours),
                         content_type="multipart/form-data").status_code == 422, hours
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.household_id == world.household_id))
    assert credit.status is CreditStatus.PENDING and credit.source is CreditSource.OUTSIDE
    assert credit.hours_tenths == 45 and credit.proof_filename == "certificate.pdf"
    assert "Esperando aprobación" in text_of(family.get("/training/hours"))  # the family reads Spanish
    item = db.session.get(ChecklistItem, world.items[("annual_training", world.ana_id)])
    assert item.status is ItemStatus.NOT_STARTED  # pending hours don't count

    login(Role.HOMEFINDER)
    pending = text_of(client.get("/training/staff/hours/pending"))
    assert "Trauma-informed care online" in pending and "Ana Torres" in pending
    proof = client.get(f"/training/staff/hours/{credit.id}/proof")
    assert proof.status_code == 200 and proof.data == PDF and "no-store" in proof.headers["Cache-Control"]
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "training_proof_downloaded")) is not None
    # Refusing needs a reason, said next to the box.
    refused = post_form(client, f"/training/staff/hours/{credit.id}/decide", {"decision": "reject", "reason": " "})
    assert refused.status_code == 422 and "Write why" in text_of(refused)
    assert post_form(client, f"/training/staff/hours/{credit.id}/decide",
                     {"decision": "approve"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(TrainingCredit, credit.id).status is CreditStatus.APPROVED
    item = db.session.get(ChecklistItem, world.items[("annual_training", world.ana_id)])
    assert (item.status, item.hours_completed) == (ItemStatus.SUBMITTED, 4)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "outside_hours_approved"))
    assert mail.locale == "es"
    # Decided once: deciding again is refused.
    again = post_form(client, f"/training/staff/hours/{credit.id}/decide", {"decision": "reject", "reason": "No"})
    assert again.status_code == 422


def test_a_refusal_reaches_the_family_with_its_reason(app, db, client, make_user, login):
    with app.app_context():
        today = agency_today()
    world = build_household(app, make_user)
    family = app.test_client()
    sign_in(family, db.session.get(User, world.owner_id))
    post_form(family, "/training/hours/outside", hours_form(world.luis_id, today, category="pre_service"),
              content_type="multipart/form-data")
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.household_id == world.household_id))
    login(Role.HOMEFINDER)
    assert post_form(client, f"/training/staff/hours/{credit.id}/decide",
                     {"decision": "reject", "reason": "The certificate has no date."}).status_code == 303
    db.session.expire_all()
    assert db.session.get(TrainingCredit, credit.id).status is CreditStatus.REJECTED
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "outside_hours_rejected"))
    assert "The certificate has no date." in mail.body_text
    assert "The certificate has no date." in text_of(family.get("/training/hours"))


def test_staff_record_outside_hours_approved_at_once(app, db, client, make_user, login):
    with app.app_context():
        today = agency_today()
    world = build_household(app, make_user)
    login(Role.HOMEFINDER)
    response = post_form(client, f"/training/staff/households/{world.household_id}/hours/outside",
                         hours_form(world.ana_id, today, category="cpr_first_aid", format="in_person",
                                    title="CPR at the Red Cross", hours="4,5"),
                         content_type="multipart/form-data")
    assert response.status_code == 303
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.household_id == world.household_id))
    assert credit.status is CreditStatus.APPROVED and credit.expires_on.year == today.year + 2
    assert credit.hours_tenths == 45  # "4,5" typed the Spanish way
    item = db.session.get(ChecklistItem, world.items[("cpr_first_aid", world.ana_id)])
    assert item.status is ItemStatus.APPROVED and item.expires_on == credit.expires_on
    assert "CPR at the Red Cross" in text_of(client.get(f"/training/staff/households/{world.household_id}/hours"))


def test_proofs_and_records_are_owner_scoped(app, db, client, make_user, login):
    with app.app_context():
        today = agency_today()
    world = build_household(app, make_user)
    owner = app.test_client()
    sign_in(owner, db.session.get(User, world.owner_id))
    post_form(owner, "/training/hours/outside", hours_form(world.ana_id, today), content_type="multipart/form-data")
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.household_id == world.household_id))
    assert owner.get(f"/training/hours/{credit.id}/proof").status_code == 200
    login(Role.FAMILY)
    assert client.get(f"/training/hours/{credit.id}/proof").status_code == 404
    assert client.get(f"/training/staff/hours/{credit.id}/proof").status_code == 404
    assert client.get(f"/training/staff/households/{world.household_id}/hours").status_code == 404
