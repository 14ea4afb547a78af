"""Payments' test helpers: the loopback Stripe server, Stripe turned on, a household with a paid enrollment and a fee
item, and webhook events signed with the real scheme (`t=<ts>,v1=<HMAC-SHA256(secret, f"{t}.{payload}")>`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from licensing.application import services as applications
from licensing.application.models import HouseholdMember, MemberRole
from licensing.tracker.models import ChecklistItem, RequirementTemplate
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household, Role, User
from tests.training.stripe_server import FakeStripe
from training.catalog.models import Course, CourseCategory, CourseSession, Enrollment, EnrollmentStatus
from training.payments.models import FeeAmount, Payment

WEBHOOK_SECRET = "whsec_test_portal"
WEBHOOK_URL = "/training/payments/stripe/webhook"


@pytest.fixture(scope="session")
def stripe_server():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_on(app, stripe_server, monkeypatch):
    """Stripe keys set, the real library pointed at the loopback server."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_portal")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stripe_server.url)
    stripe_server.fail_next = 0
    stripe_server.refund_status = "pending"
    return stripe_server


@pytest.fixture
def stripe_off(app, monkeypatch):
    """The `make run` default: no keys."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "")


@dataclass
class PaidHousehold:
    user: User
    household_id: int
    enrollment_id: int
    item_id: int
    course_id: int
    template_id: int


def paid_household(app, make_user, *, role: Role = Role.FAMILY, locale: str = "en", fee_cents: int = 4500,
                   fee_amount: int | None = 2500) -> PaidHousehold:
    """A household with one adult enrolled (seated) in a paid CPR session, and a fingerprinting fee item."""
    user = make_user(role, locale=locale)
    with app.app_context():
        session = portal_db.session
        household = session.get(Household, user.household_id)
        application = applications.open_application(household, None, opened_by=None)
        member = HouseholdMember(application_id=application.id, position=0, role=MemberRole.PRIMARY,
                                 first_name="Ana", last_name="Torres", birth_date=date(1985, 4, 2), email=user.email,
                                 user_id=user.id)
        course = Course(title_en="CPR and First Aid", title_es="RCP y primeros auxilios", fee_cents=fee_cents,
                        category=CourseCategory.CPR_FIRST_AID, credit_tenths=40)
        session.add_all([member, course])
        session.flush()
        today = date.today()  # noqa: DTZ011 (test data: any day near now)
        course_session = CourseSession(course_id=course.id, enroll_by=today + timedelta(days=10),
                                       cancel_by=today + timedelta(days=10), capacity=10, seats_taken=1,
                                       first_starts_at=now_utc() + timedelta(days=14))
        session.add(course_session)
        session.flush()
        enrollment = Enrollment(session_id=course_session.id, household_id=household.id, member_id=member.id,
                                status=EnrollmentStatus.ENROLLED, seat_at=now_utc())
        template = session.scalar(select(RequirementTemplate).where(RequirementTemplate.code == "fingerprinting_fee"))
        item = ChecklistItem(application_id=application.id, template_id=template.id, member_id=member.id)
        session.add_all([enrollment, item])
        if fee_amount is not None and session.scalar(select(FeeAmount).where(
                FeeAmount.template_id == template.id)) is None:
            session.add(FeeAmount(template_id=template.id, amount_cents=fee_amount))
        session.flush()
        result = PaidHousehold(user, household.id, enrollment.id, item.id, course.id, template.id)
        portal_db.session.commit()
        return result


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(kind: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({"id": event_id or f"evt_{secrets.token_hex(10)}", "object": "event", "type": kind,
                       "api_version": "2025-01-27", "created": int(time.time()), "livemode": False,
                       "data": {"object": obj}})


def send_event(client, kind: str, obj: dict, event_id: str | None = None, secret: str = WEBHOOK_SECRET):
    payload = event(kind, obj, event_id)
    return client.post(WEBHOOK_URL, data=payload, headers={"Stripe-Signature": sign(payload, secret),
                                                           "Content-Type": "application/json"})


def payment_row(db, payment_id: int) -> Payment:
    db.session.expire_all()
    return db.session.get(Payment, payment_id)


def only_payment(db, household_id: int) -> Payment:
    db.session.expire_all()
    return db.session.scalars(select(Payment).where(Payment.household_id == household_id)).one()
