"""Certificates of completion: a PDF in the person's language with its verification code; the family downloads its
own only; staff check a code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Role, User
from tests.conftest import post_form, sign_in, text_of
from tests.training.hours_support import build_course, build_household, enroll
from tests.training.pdf_text import pdf_text
from training.hours.certificates import certificate_for, certificate_pdf
from training.hours.models import TrainingCredit


@pytest.fixture
def completed(app, db, client, make_user, login):
    """Luis (who reads Spanish) completed a one-meeting course whose title was pasted with curly quotes."""
    world = build_household(app, make_user)
    course = build_course(app, credit_tenths=35, meeting_count=1, sessions=1, title="Crianza “con cariño” – módulo 1")  # noqa: RUF001  (a pasted dash)
    enroll(app, world, course.sessions[0], world.luis_id)
    login(Role.HOMEFINDER)
    post_form(client, f"/training/staff/meetings/{course.meetings[(0, 1)]}/attendance", {"present": [world.luis_id]})
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.member_id == world.luis_id))
    return world, credit


def test_the_certificate_is_a_pdf_in_the_persons_language_with_its_code(app, db, completed):
    _world, credit = completed
    with app.test_request_context():
        pdf = certificate_pdf(certificate_for(credit), compress=False)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "TC-" in text and credit.certificate_code in text
    assert "Luis Muñoz" in text
    assert "Crianza “con cariño” – módulo 1 (es)" in text  # the course's Spanish title, accents and quotes intact  # noqa: RUF001  (a pasted dash)
    assert "de " + str(credit.completed_on.year) in text  # the date written in Spanish ("3 de noviembre de 2026")


def test_the_family_downloads_its_own_certificate_only(app, db, client, make_user, completed):
    world, credit = completed
    family = app.test_client()
    sign_in(family, db.session.get(User, world.owner_id))
    response = family.get(f"/training/hours/{credit.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "no-store" in response.headers["Cache-Control"]
    assert f"/training/hours/{credit.id}/certificate.pdf" in family.get("/training/hours").get_data(as_text=True)

    stranger = app.test_client()
    sign_in(stranger, make_user(Role.FAMILY))
    assert stranger.get(f"/training/hours/{credit.id}/certificate.pdf").status_code == 404
    assert stranger.get("/training/hours/999999/certificate.pdf").status_code == 404


def test_staff_check_a_code(app, db, client, completed):
    _world, credit = completed
    found = text_of(client.get(f"/training/staff/certificates?code={credit.certificate_code.lower()}"))
    assert "This certificate is genuine." in found and "Luis Muñoz" in found
    missing = text_of(client.get("/training/staff/certificates?code=TC-NOTACODE"))
    assert "No certificate has this code" in missing
    assert client.get("/training/staff/certificates?code=" + "x" * 500).status_code == 200
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "course_completed")) is not None


def test_the_certificate_follows_the_linked_accounts_language(app, db, client, make_user, login):
    """Ana's person record says English (never kept in sync); her account says Spanish: the account wins."""
    world = build_household(app, make_user, locale="es")
    course = build_course(app, credit_tenths=35, meeting_count=1, sessions=1, title="Crianza")
    enroll(app, world, course.sessions[0], world.ana_id)
    login(Role.HOMEFINDER)
    post_form(client, f"/training/staff/meetings/{course.meetings[(0, 1)]}/attendance", {"present": [world.ana_id]})
    credit = db.session.scalar(select(TrainingCredit).where(TrainingCredit.member_id == world.ana_id))
    with app.test_request_context():
        text = pdf_text(certificate_pdf(certificate_for(credit), compress=False))
    assert "Crianza (es)" in text and "de " + str(credit.completed_on.year) in text


def test_the_fonts_ship_with_the_project():
    """No system font package needed: the certificate's fonts (and their license) are the project's own."""
    from training.hours import certificates

    fonts = Path(certificates.__file__).resolve().parents[2] / "static" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert certificates._font(name) == fonts / name
    assert (fonts / "LICENSE-DejaVu.txt").is_file()
    assert all(Path(place).is_relative_to(fonts) for place in certificates.FONT_PLACES)
