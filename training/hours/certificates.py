"""Certificates of completion: a one-page PDF per completed course and person (fpdf2), in the person's language,
with the verification code staff can check (`find_certificate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import select

from licensing.application.models import HouseholdMember
from portal.extensions import db
from portal.i18n import date_filter, number_filter
from portal.models import User
from training.catalog.models import Course
from training.hours.models import CreditSource, CreditStatus, TrainingCredit

# A TrueType font with every Latin letter (fpdf2's core fonts are Latin-1 only: a pasted curly quote or an em dash
# would raise). DejaVu Sans ships with the project (static/fonts, license beside it): no system package needed.
FONT_PLACES = (Path(__file__).resolve().parents[2] / "static" / "fonts",)


def _font(name: str) -> Path:
    for folder in FONT_PLACES:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name}: missing from static/fonts")


@dataclass(frozen=True)
class Certificate:
    credit: TrainingCredit
    member: HouseholdMember
    course: Course | None


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this verification code (one query), or None."""
    row = db.session.execute(
        select(TrainingCredit, HouseholdMember, Course)
        .join(HouseholdMember, HouseholdMember.id == TrainingCredit.member_id)
        .outerjoin(Course, Course.id == TrainingCredit.course_id)
        .where(TrainingCredit.certificate_code == code, TrainingCredit.source == CreditSource.COURSE,
               TrainingCredit.status == CreditStatus.APPROVED)).first()
    return Certificate(*row) if row is not None else None


def certificate_for(credit: TrainingCredit) -> Certificate:
    member = db.session.get(HouseholdMember, credit.member_id)
    course = db.session.get(Course, credit.course_id) if credit.course_id else None
    return Certificate(credit, member, course)


def certificate_locale(member: HouseholdMember) -> str:
    """The person's language: their account's when they have one (the person record's own choice is not kept in
    sync with it), else the person record's."""
    account = db.session.get(User, member.user_id) if member.user_id else None
    locale = account.preferred_locale if account is not None else member.preferred_locale
    return locale if locale in ("en", "es") else "en"


def certificate_pdf(certificate: Certificate, *, compress: bool = True) -> bytes:
    """The certificate as PDF bytes, in the person's own language."""
    credit, member = certificate.credit, certificate.member
    locale = certificate_locale(member)
    with force_locale(locale):
        title = certificate.course.title(locale) if certificate.course else credit.title
        lines = _words(member.full_name, title, credit.hours_tenths, credit.completed_on, credit.expires_on,
                       credit.certificate_code or "")
    pdf = FPDF(orientation="landscape", format="letter")
    pdf.set_compression(compress)
    pdf.set_title(lines["heading"])
    pdf.set_author(current_app.config.get("AGENCY_NAME", ""))
    pdf.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    width = pdf.w - 40
    pdf.set_xy(20, 30)
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 8, current_app.config.get("AGENCY_NAME", ""), align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 30)
    pdf.multi_cell(width, 14, lines["heading"], align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 8, lines["certifies"], align="C")
    pdf.set_font("DejaVu", "B", 24)
    pdf.multi_cell(width, 14, member.full_name, align="C")
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 8, lines["completed"], align="C")
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(width, 12, title, align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 8, lines["hours_and_date"], align="C")
    if lines.get("valid"):
        pdf.multi_cell(width, 8, lines["valid"], align="C")
    pdf.set_xy(20, pdf.h - 40)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, lines["code"], align="C")
    return bytes(pdf.output())


def _words(name: str, title: str, tenths: int, completed_on: date, expires_on: date | None,
           code: str) -> dict[str, str]:
    words = {
        "heading": _("Certificate of completion"),
        "certifies": _("This certifies that"),
        "completed": _("completed the training"),
        "hours_and_date": _("%(hours)s hours, completed on %(day)s", hours=number_filter(tenths / 10),
                            day=date_filter(completed_on, "long")),
        "code": _("Verification code: %(code)s", code=code),
    }
    if expires_on is not None:
        words["valid"] = _("Valid until %(day)s", day=date_filter(expires_on, "long"))
    return words
