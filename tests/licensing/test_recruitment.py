"""Inquiry → lead, information sessions and RSVP, attendance, invitation, account and application."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from licensing.application.models import Application
from licensing.recruitment.models import InfoSession, Lead, LeadInquiry, LeadStatus, SessionFormat, SessionRsvp
from portal.database import now_utc
from portal.models import OutboxMessage, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.support import days_ahead

INQUIRY = {"first_name": "Elena", "last_name": "Vargas", "email": "elena@example.com", "phone": "555-222-3333",
           "preferred_locale": "es", "county": "Fresno", "zip_code": "93701", "interest": "foster",
           "source": "faith_community", "questions": "¿Puedo acoger si trabajo?"}


def add_session(db, capacity=20, days=7, **kwargs) -> InfoSession:
    session = InfoSession(starts_at=now_utc() + timedelta(days=days), format=SessionFormat.VIRTUAL,
                          meeting_link="https://meet.example.com/abc", language="es", capacity=capacity, **kwargs)
    db.session.add(session)
    db.session.commit()
    return session


def mail_to(db, address: str, template: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address,
                                                         OutboxMessage.template == template)
                              .order_by(OutboxMessage.id.desc())).first()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_inquiry_creates_a_lead_and_a_second_one_attaches(client, db):
    session = add_session(db)
    response = post_form(client, "/licensing/inquiry", INQUIRY)
    assert response.status_code == 200
    assert "Thank you, Elena!" in text_of(response)
    lead = db.session.scalar(select(Lead))
    assert lead.status is LeadStatus.NEW and lead.preferred_locale == "es"
    mail = mail_to(db, "elena@example.com", "inquiry_received")
    assert mail.subject == "Gracias por su interés en ser familia de crianza temporal"
    assert f"session={session.id}" in mail.body_text

    again = dict(INQUIRY, email="ELENA@example.com ", questions="Another question")
    post_form(client, "/licensing/inquiry", again)
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
    assert db.session.scalar(select(func.count()).select_from(LeadInquiry)) == 2


def test_inquiry_errors_keep_what_was_typed(client, db):
    bad = dict(INQUIRY, email="elena", zip_code="abc", interest="")
    response = post_form(client, "/licensing/inquiry", bad)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Elena"' in body and "¿Puedo acoger si trabajo?" in body
    assert "Enter a 5-digit ZIP code, like 90210." in body
    assert "Choose what you are interested in." in body
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_rsvp_from_the_email_and_full_sessions_offer_the_next(client, db):
    full = add_session(db, capacity=1, days=3)
    later = add_session(db, capacity=10, days=10)
    post_form(client, "/licensing/inquiry", dict(INQUIRY, email="first@example.com"))
    first = db.session.scalar(select(Lead).where(Lead.email == "first@example.com"))
    link = re.search(rf"https?://\S+session={full.id}", mail_to(db, first.email, "inquiry_received").body_text)
    page = client.get(path_of(link.group(0)))
    assert page.status_code == 200
    assert post_form(client, path_of(link.group(0))).status_code == 200
    assert db.session.scalar(select(SessionRsvp).where(SessionRsvp.lead_id == first.id)).session_id == full.id

    post_form(client, "/licensing/inquiry", dict(INQUIRY, email="second@example.com"))
    second = db.session.scalar(select(Lead).where(Lead.email == "second@example.com"))
    mail = mail_to(db, second.email, "inquiry_received")
    assert f"session={full.id}" not in mail.body_text  # full sessions are not offered
    token_path = urlsplit(re.search(r"https?://\S+", mail.body_text).group(0)).path
    response = post_form(client, f"{token_path}?session={full.id}")
    assert response.status_code == 409
    assert f"session={later.id}" in response.get_data(as_text=True)


def test_attendance_invitation_account_and_application(app, client, db, make_user):
    session = add_session(db)
    post_form(client, "/licensing/inquiry", dict(INQUIRY, session_id=str(session.id)))
    lead = db.session.scalar(select(Lead))
    assert lead.status is LeadStatus.RSVPED

    homefinder = make_user(Role.HOMEFINDER)
    staff = app.test_client()
    sign_in(staff, homefinder)
    assert "Elena Vargas" in staff.get(f"/licensing/staff/sessions/{session.id}").get_data(as_text=True)
    post_form(staff, f"/licensing/staff/sessions/{session.id}", {"attended": [str(lead.id)]})
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status is LeadStatus.ATTENDED
    post_form(staff, f"/licensing/staff/leads/{lead.id}", {"action": "invite"})
    invitation = mail_to(db, lead.email, "invited_to_apply")
    assert invitation.locale == "es"
    link = path_of(re.search(r"https?://\S+", invitation.body_text).group(0))

    family = app.test_client()
    assert family.get(link).status_code == 200
    response = post_form(family, link, {"password": "our family pass", "confirm": "our family pass"})
    assert response.status_code == 302 and response.headers["Location"] == "/licensing/application"
    user = db.session.scalar(select(User).where(User.email == "elena@example.com"))
    application = db.session.scalar(select(Application).where(Application.household_id == user.household_id))
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert application.lead_id == lead.id and lead.household_id == user.household_id
    assert lead.status is LeadStatus.APPLYING
    assert "0 de 9 secciones completas" in text_of(family.get("/licensing/application"))
    assert family.get(link).status_code in (302, 400)  # the link worked once


def test_self_registered_attendee_is_linked_on_email_confirmation(app, client, db, make_user):
    session = add_session(db)
    post_form(client, "/licensing/inquiry", dict(INQUIRY, session_id=str(session.id)))
    lead = db.session.scalar(select(Lead))
    lead.status = LeadStatus.ATTENDED
    db.session.commit()
    newcomer = app.test_client()
    post_form(newcomer, "/register", {"full_name": "Elena Vargas", "email": "elena@example.com",
                                      "password": "a long passphrase", "confirm": "a long passphrase",
                                      "preferred_locale": "es"})
    confirm = mail_to(db, "elena@example.com", "confirm_email")
    newcomer.get(urlsplit(re.search(r"https?://\S+", confirm.body_text).group(0)).path)
    user = db.session.scalar(select(User).where(User.email == "elena@example.com"))
    assert db.session.scalar(select(Application).where(Application.household_id == user.household_id)) is not None


def test_staff_publish_a_session_with_field_messages(app, db, make_user):
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    bad = post_form(staff, "/licensing/staff/sessions", {"starts_at": "2026-13-45T99:00", "format": "in_person",
                                                         "capacity": "0", "duration_minutes": "120",
                                                         "language": "es"})
    assert bad.status_code == 422
    assert "Enter the address for an in-person session." in bad.get_data(as_text=True)
    good = post_form(staff, "/licensing/staff/sessions", {"starts_at": days_ahead(96, "18:30"), "format": "in_person",
                                                          "address": "100 Main St", "capacity": "15",
                                                          "duration_minutes": "120", "language": "es"})
    assert good.status_code == 303
    session = db.session.scalar(select(InfoSession))
    assert session.starts_at.hour == 2  # 6:30 pm in Los Angeles is 02:30 UTC the next day
    assert "100 Main St" in client_text(app, "/licensing/sessions")


def client_text(app, url: str) -> str:
    return text_of(app.test_client().get(url))
