"""The flask commands: upgrade-db, seed-demo, create-staff, send-mail."""

from __future__ import annotations

from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationSection, SectionStatus, Signature
from licensing.recruitment.models import InfoSession
from licensing.tracker.models import ChecklistItem, ItemStatus, License
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.models import OutboxMessage, OutboxStatus, Role, User
from tests.conftest import post_form


def test_seed_demo_creates_the_six_accounts_once(app, db, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "6 new accounts" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 new accounts" in second.output
    people = {u.email: u for u in db.session.scalars(select(User)) if u.email in {e for e, *_ in DEMO_ACCOUNTS}}
    applicant = people["applicant@demo.test"]
    application = db.session.scalar(select(Application).where(Application.household_id == applicant.household_id))
    statuses = {s.key: s.status for s in db.session.scalars(select(ApplicationSection).where(
        ApplicationSection.application_id == application.id))}
    assert list(statuses.values()).count(SectionStatus.COMPLETE) == 2  # a partly filled application
    assert db.session.scalar(select(func.count()).select_from(InfoSession)) == 2
    # Households at every stage of the licensing tracker.
    assert db.session.scalar(select(func.count()).select_from(License)) == 2  # family@ and family2@
    assert db.session.scalar(select(func.count()).select_from(ChecklistItem)
                             .where(ChecklistItem.status == ItemStatus.RETURNED)) == 1  # mid-way
    assert db.session.scalar(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.cycle == 1)) > 0
    assert set(people) == {email for email, *_ in DEMO_ACCOUNTS}
    # Every sent demo application was signed as a family signs (a sent one with no signature read as unfinished).
    sent = db.session.scalars(select(Application).where(Application.submitted_at.is_not(None))).all()
    signed = set(db.session.scalars(select(Signature.application_id)))
    assert sent and {a.id for a in sent} <= signed
    assert people["family2@demo.test"].preferred_locale == "es"
    assert [u.preferred_locale for u in people.values()].count("es") == 1
    for email, *_ in DEMO_ACCOUNTS:
        response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        post_form(client, "/logout")


def test_seed_demo_refuses_production(app, db):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = "development"
    assert result.exit_code != 0 and "refuses" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_staff_command(app, db, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "--email", "Boss@Agency.example.com", "--name", "Pat Boss",
                                 "--role", "admin", "--password", "supervisor pass"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-staff", "--email", "boss@agency.example.com", "--name", "Pat",
                                "--role", "admin", "--password", "supervisor pass"])
    assert again.exit_code != 0 and "already exists" in again.output
    user = db.session.scalar(select(User).where(User.email == "boss@agency.example.com"))
    assert user.role is Role.ADMIN
    assert post_form(client, "/login", {"email": "boss@agency.example.com",
                                        "password": "supervisor pass"}).status_code == 302


def test_send_mail_command_delivers_the_outbox(app, db, client, make_user):
    person = make_user("family")
    post_form(client, "/password/forgot", {"email": person.email})
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and "logged: 1" in result.output
    assert db.session.scalars(select(OutboxMessage)).one().status is OutboxStatus.LOGGED


def test_reset_second_step_from_the_server(app, db, make_user):
    """The last administrator lost their phone: the server's command resets it, ends their sessions, and says so in
    the event log."""
    from sqlalchemy import select

    from portal.models import AuditEvent, Role, User

    admin = make_user(Role.ADMIN)
    assert admin.has_authenticator
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-second-step", "--email", admin.email, "--reason", "lost phone, seen in person"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(User, admin.id).has_authenticator
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_step_reset",
                                                      AuditEvent.target_id == admin.id))
    assert event.reason == "lost phone, seen in person" and event.actor_id is None
    assert runner.invoke(args=["reset-second-step", "--email", "nobody@example.com", "--reason", "x"]).exit_code == 1
