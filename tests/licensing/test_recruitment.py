"""Inquiry → lead, information sessions and RSVP, attendance, invitation, account and application."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from licensing.application.models import Application
from licensing.recruitment.models import InfoSession, Lead, LeadInquiry, LeadStatus, SessionFormat, SessionRsvp
from licensing.recruitment.services import invitation_state, invite_to_apply, record_attendance, resend_invitation
from portal.clock import agency_now
from portal.database import now_utc
from portal.i18n import date_filter
from portal.models import AuditEvent, OutboxMessage, Role, User
from portal.transitions import Refused
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
    session.starts_at = now_utc() - timedelta(hours=3)  # a week later: the session was held this evening
    db.session.commit()

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


# -- the homefinder's first week (issue 10) ------------------------------------------------------------------------

def attended_lead(db, session: InfoSession, email: str = "elena@example.com", **values) -> Lead:
    lead = Lead(first_name="Elena", last_name="Vargas", email=email, preferred_locale="es", source="search",
                interest="foster", status=LeadStatus.ATTENDED, **values)
    db.session.add(lead)
    db.session.flush()
    db.session.add(SessionRsvp(session_id=session.id, lead_id=lead.id, attended=True))
    db.session.commit()
    return lead


def test_attendance_is_not_a_contact_only_a_logged_contact_is(app, client, db, make_user):
    session = add_session(db)
    post_form(client, "/licensing/inquiry", dict(INQUIRY, session_id=str(session.id)))
    session.starts_at = now_utc() - timedelta(hours=2)
    db.session.commit()
    lead = db.session.scalar(select(Lead))
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    post_form(staff, f"/licensing/staff/sessions/{session.id}", {"attended": [str(lead.id)]})
    post_form(staff, f"/licensing/staff/leads/{lead.id}", {"action": "invite"})
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.status is LeadStatus.INVITED
    assert lead.first_contact_at is None  # came to a session and was invited: nobody logged a contact yet
    assert "Not contacted yet" in text_of(staff.get(f"/licensing/staff/leads/{lead.id}"))

    with app.app_context():
        when = agency_now().strftime("%Y-%m-%dT%H:%M")
    post_form(staff, f"/licensing/staff/leads/{lead.id}/contacts", {"kind": "call", "outcome": "reached",
                                                                    "contacted_at": when})
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).first_contact_at is not None


def test_attendance_of_a_session_still_to_come_is_refused_and_nothing_is_stored(app, db, make_user):
    session = add_session(db, days=2)
    lead = Lead(first_name="Elena", last_name="Vargas", email="elena@example.com", source="search",
                interest="foster", status=LeadStatus.RSVPED)
    db.session.add(lead)
    db.session.flush()
    db.session.add(SessionRsvp(session_id=session.id, lead_id=lead.id))
    db.session.commit()
    staff, homefinder = app.test_client(), make_user(Role.HOMEFINDER)
    sign_in(staff, homefinder)
    page = text_of(staff.get(f"/licensing/staff/sessions/{session.id}"))
    assert "This session has not started yet." in page and "Save attendance" not in page

    refused = post_form(staff, f"/licensing/staff/sessions/{session.id}", {"attended": [str(lead.id)]})
    assert refused.status_code == 422
    assert "Not saved: This session has not started yet: attendance can be recorded once it has begun." \
        in text_of(refused)
    db.session.expire_all()
    assert db.session.scalar(select(SessionRsvp)).attended is None
    assert db.session.get(Lead, lead.id).status is LeadStatus.RSVPED

    with app.test_request_context(), force_locale("es"):  # the service's own refusal, in the person's language
        with pytest.raises(Refused) as refusal:
            record_attendance(db.session.get(User, homefinder.id), db.session.get(InfoSession, session.id), {lead.id})
        assert str(refusal.value.message) == ("Esta sesión todavía no ha comenzado: la asistencia se puede registrar "
                                              "cuando haya empezado.")


def test_invite_from_the_session_page_once_and_invited_on_afterwards(app, db, make_user):
    session = add_session(db, days=-1)
    elena = attended_lead(db, session)
    mark = attended_lead(db, session, email="mark@example.com")
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    page = staff.get(f"/licensing/staff/sessions/{session.id}").get_data(as_text=True)
    assert page.count('form="invite-form" name="lead"') == 2

    sent = post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"lead": str(elena.id)})
    assert sent.status_code == 303
    again = post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"lead": str(elena.id)})
    assert again.status_code == 303
    assert "Elena Vargas was already invited to apply." in text_of(staff.get(again.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "invited_to_apply")) == 1
    page = text_of(staff.get(f"/licensing/staff/sessions/{session.id}"))
    assert "Invited on" in page
    assert "Invited on" in text_of(staff.get(f"/licensing/staff/leads/{elena.id}"))
    assert "Invite to apply" not in staff.get(f"/licensing/staff/leads/{elena.id}").get_data(as_text=True)

    everyone = post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"all": "1"})
    assert "1 invitation to apply sent." in text_of(staff.get(everyone.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Lead, mark.id).invited_at is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "invited_to_apply")) == 2
    assert "Invite everyone" not in text_of(staff.get(f"/licensing/staff/sessions/{session.id}"))


def test_only_those_who_came_to_this_session_are_invited_from_it(app, db, make_user):
    session, other = add_session(db, days=-1), add_session(db, days=-2)
    came_elsewhere = attended_lead(db, other)
    signed_up = Lead(first_name="Sam", last_name="Ortiz", email="sam@example.com", source="search",
                     interest="foster", status=LeadStatus.RSVPED)
    db.session.add(signed_up)
    db.session.flush()
    db.session.add(SessionRsvp(session_id=session.id, lead_id=signed_up.id, attended=False))
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    for lead_id in (came_elsewhere.id, signed_up.id, "x"):
        answer = post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"lead": str(lead_id)})
        assert answer.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_two_invitations_at_the_same_moment_send_one(app, db, make_user):
    session = add_session(db, days=-1)
    lead = attended_lead(db, session)
    homefinder = make_user(Role.HOMEFINDER)
    from portal.extensions import db as portal_db

    with app.test_request_context():
        seen = portal_db.session.get(Lead, lead.id)  # the page was opened: not invited yet
        assert seen.invited_at is None
        # Meanwhile another homefinder's click is committed.
        portal_db.session.execute(text("UPDATE lead SET invited_at = :at WHERE id = :id"),
                                  {"at": now_utc(), "id": lead.id})
        with pytest.raises(Refused):
            invite_to_apply(portal_db.session.get(User, homefinder.id), seen)
        assert portal_db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def resend_state(page: str, lead_id: int) -> str:
    """The state the "Send the invitation again" button of this lead carries on the page."""
    url = f"/licensing/staff/leads/{lead_id}/invitation"
    found = re.search(rf'formaction="{url}" name="state" value="([^"]+)"', page) or re.search(
        rf'action="{url}"[^>]*>.*?name="state" value="([^"]+)"', page, re.S)
    assert found, "no Send the invitation again button"
    return found.group(1)


def test_the_invitation_is_sent_again_with_a_new_link_in_the_leads_language_once_per_click(app, db, make_user):
    session = add_session(db, days=-1)
    elena = attended_lead(db, session)  # reads Spanish
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"lead": str(elena.id)})
    first_link = path_of(re.search(r"https?://\S+", mail_to(db, elena.email, "invited_to_apply").body_text).group(0))
    db.session.expire_all()
    invited_at = db.session.get(Lead, elena.id).invited_at
    assert invited_at is not None

    page = staff.get(f"/licensing/staff/leads/{elena.id}").get_data(as_text=True)
    assert "Send the invitation again" in page
    state = resend_state(page, elena.id)
    sent = post_form(staff, f"/licensing/staff/leads/{elena.id}/invitation", {"state": state})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/licensing/staff/leads/{elena.id}"
    assert ("Invitation to apply sent again to elena@example.com. The link sent before no longer works."
            in text_of(staff.get(sent.headers["Location"])))
    double = post_form(staff, f"/licensing/staff/leads/{elena.id}/invitation", {"state": state})  # a double click
    assert double.status_code == 303
    assert "The invitation to Elena Vargas was just sent again." in text_of(staff.get(double.headers["Location"]))

    db.session.expire_all()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "invited_to_apply")
                               .order_by(OutboxMessage.id)).all()
    assert len(mails) == 2 and mails[1].locale == "es" and mails[1].recipient == elena.email
    new_link = path_of(re.search(r"https?://\S+", mails[1].body_text).group(0))
    assert new_link != first_link
    lead = db.session.get(Lead, elena.id)
    assert lead.invited_at == invited_at and lead.invitation_resent_at is not None  # the first day stays
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "invitation_sent_again", AuditEvent.target_id == elena.id)) == 1
    with app.test_request_context():
        day = date_filter(lead.invited_at, "long")
        again = date_filter(lead.invitation_resent_at, "long")
    assert f"Invited on {day} · sent again on {again}" in text_of(staff.get(f"/licensing/staff/leads/{elena.id}"))

    family = app.test_client()
    assert family.get(first_link).status_code == 400  # the old link stopped working
    assert family.get(new_link).status_code == 200


def test_the_invitation_is_sent_again_from_the_attendance_row_and_back_there(app, db, make_user):
    session = add_session(db, days=-1)
    elena = attended_lead(db, session)
    mark = attended_lead(db, session, email="mark@example.com")
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    post_form(staff, f"/licensing/staff/sessions/{session.id}/invite", {"lead": str(elena.id)})
    page = staff.get(f"/licensing/staff/sessions/{session.id}").get_data(as_text=True)
    assert "Send the invitation to Elena Vargas again" in page
    assert f"/licensing/staff/leads/{mark.id}/invitation" not in page  # not invited yet: invited, not sent again

    sent = post_form(staff, f"/licensing/staff/leads/{elena.id}/invitation",
                     {"state": resend_state(page, elena.id), "session": str(session.id)})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/licensing/staff/sessions/{session.id}"
    row = text_of(staff.get(sent.headers["Location"]))
    assert "sent again on" in row and "sent again to elena@example.com" in row
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "invited_to_apply")) == 2

    # Mark was never invited: nothing to send again, told so; nothing sent.
    refused = post_form(staff, f"/licensing/staff/leads/{mark.id}/invitation", {"state": "x"})
    assert "there is no invitation to send again" in text_of(staff.get(refused.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == mark.email)) == 0


def test_two_homefinders_sending_the_invitation_again_at_once_send_it_once(app, db, make_user):
    session = add_session(db, days=-1)
    lead = attended_lead(db, session, invited_at=now_utc() - timedelta(days=100))
    homefinder = make_user(Role.HOMEFINDER)
    from portal.extensions import db as portal_db

    with app.test_request_context():
        seen = portal_db.session.get(Lead, lead.id)  # both pages show the same link
        state = invitation_state(seen)
        # Meanwhile the other homefinder's click is committed: the link is retired.
        portal_db.session.execute(text("UPDATE lead SET link_nonce = 'another' WHERE id = :id"), {"id": lead.id})
        with pytest.raises(Refused):
            resend_invitation(portal_db.session.get(User, homefinder.id), seen, state)
        assert portal_db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
