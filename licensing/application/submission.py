"""Signing and sending the application: what was signed (hashed), what still blocks submission, and submission,
after which the tracker builds the household's checklist."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from licensing.application.documents import document_label, required_documents
from licensing.application.models import (
    Application,
    ApplicationStatus,
    DocumentStatus,
    HouseholdMember,
    MemberRole,
    SectionStatus,
    Signature,
)
from licensing.application.sections import ATTESTATION_TEXT, SECTION_KEYS, SECTION_TITLES
from licensing.application.services import (
    change_application_status,
    latest_documents,
    record_event,
    section_data,
)
from portal import emails
from portal.database import now_utc
from portal.extensions import db
from portal.models import Role, User
from portal.transitions import Refused

# Sent when an application is submitted (or sent again); the tracker builds the household's checklist from it, so the
# application never imports the tracker.
application_submitted = Namespace().signal("application-submitted")


def signed_content_hash(application: Application) -> str:
    """SHA-256 of the attestation wording and every answer, so what was signed can be proven later."""
    content = {"attestation": ATTESTATION_TEXT, "sections": section_data(application),
               "members": [[m.id, m.full_name, m.birth_date.isoformat()] for m in application.members],
               "references": [[r.name, r.email] for r in application.references]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def names_match(typed: str, expected: str) -> bool:
    def normal(value: str) -> str:
        return " ".join(value.casefold().split())

    return normal(typed) == normal(expected)


def account_holder_member(application: Application, user: User) -> HouseholdMember | None:
    """The applicant the signed-in account is: the primary applicant its account created (`user_id`), never
    inferred from an email, which can change or be shared; a second account of the household is nobody's signature.
    Every other applicant signs through their own emailed link (others.py)."""
    if user.household_id != application.household_id or user.id is None:
        return None
    return next((m for m in application.members if m.role is MemberRole.PRIMARY and m.user_id == user.id), None)


def sign_as_account_holder(application: Application, member: HouseholdMember, typed_name: str, user: User,
                           ip_address: str) -> None:
    """The account holder signs for themselves, signed in; the household's account can't sign for anyone else."""
    if member is not account_holder_member(application, user):
        raise Refused(_l("%(name)s signs with the link we email them, on their own phone or computer.",
                         name=member.full_name))
    _sign(application, member, typed_name, ip_address, signed_by=user)


def sign_with_link(application: Application, member: HouseholdMember, typed_name: str, link_token: str,
                   ip_address: str) -> None:
    """A co-applicant signs through their own emailed link: the signature names the link (its token's SHA-256)."""
    if member.role is not MemberRole.CO_APPLICANT:
        raise Refused(_l("This link can't be used to sign."))
    _sign(application, member, typed_name, ip_address,
          link_sha256=hashlib.sha256(link_token.encode()).hexdigest())


def _sign(application: Application, member: HouseholdMember, typed_name: str, ip_address: str,
          signed_by: User | None = None, link_sha256: str | None = None) -> None:
    """An applicant signs the attestations by typing their exact legal name; what was signed is hashed."""
    if not application.is_editable_by_family:
        raise Refused(_l("Your application was sent; it can't be signed again now."))
    if any(s.member_id == member.id for s in application.signatures):
        raise Refused(_l("This person has already signed."))
    if not names_match(typed_name, member.full_name):
        raise Refused(_l("The typed name must be exactly %(name)s.", name=member.full_name))
    signature = Signature(application_id=application.id, member_id=member.id, typed_name=typed_name.strip(),
                          ip_address=ip_address or "", signed_by_id=signed_by.id if signed_by else None,
                          link_sha256=link_sha256, document_sha256=signed_content_hash(application))
    try:
        # Two signatures sent at once both pass the check above; the database keeps one (UNIQUE application, member).
        with db.session.begin_nested():
            db.session.add(signature)
    except IntegrityError:
        db.session.expire(application, ["signatures"])
        raise Refused(_l("This person has already signed.")) from None
    record_event(application, signed_by, "signed", member=member.full_name, member_id=member.id,
                 signature_id=signature.id, through="link" if link_sha256 else "account",
                 document_sha256=signature.document_sha256)
    db.session.refresh(application, ["signatures"])


def missing_for_submission(application: Application, today: date) -> list[str]:
    """Everything that still blocks submission, in words for the family."""
    missing: list[str] = []
    statuses = {s.key: s.status for s in application.sections}
    for key in SECTION_KEYS:
        if statuses.get(key) is not SectionStatus.COMPLETE:
            missing.append(str(_l("Section not finished: %(section)s", section=SECTION_TITLES[key])))
    if statuses.get("applicants") is SectionStatus.COMPLETE:
        latest = latest_documents(application)
        for slot in required_documents(application, section_data(application), today):
            document = latest.get(slot.slot)
            if document is None or document.status is DocumentStatus.RETURNED:
                label = document_label(slot.kind)
                missing.append(str(_l("Document missing: %(document)s %(person)s", document=label,
                                      person=f"({slot.member_name})" if slot.member_name else "")).strip())
        signed = {s.member_id for s in application.signatures}
        for member in application.members:
            if member.is_applicant and member.id not in signed:
                missing.append(str(_l("Signature missing: %(name)s", name=member.full_name)))
    return missing


def submit(application: Application, user: User, today: date) -> list[str]:
    """Submit when nothing is missing; returns what is missing otherwise (and changes nothing)."""
    missing = missing_for_submission(application, today)
    if missing:
        return missing
    change_application_status(user, application, ApplicationStatus.SUBMITTED)
    application.submitted_at = application.submitted_at or now_utc()
    for section in application.sections:
        section.reopen_note = ""
    # The tracker makes the household's licensing checklist (again after changes: someone new gets their items).
    application_submitted.send(application, answers=section_data(application), today=today)
    emails.queue_email(user.email, user.preferred_locale, "application_submitted", user=user,
                       link=emails.portal_url("licensing.application_overview"))
    for homefinder in _homefinders_to_notify(application):
        emails.queue_email(homefinder.email, homefinder.preferred_locale, "application_received", user=homefinder,
                           household=application.household.name,
                           link=emails.portal_url("licensing.staff_application", application_id=application.id))
    return []


def _homefinders_to_notify(application: Application) -> list[User]:
    if application.assigned_homefinder_id is not None:
        assigned = db.session.get(User, application.assigned_homefinder_id)
        if assigned is not None and assigned.is_active:
            return [assigned]
    # Nobody assigned yet: every active homefinder hears of it, so the application is never unseen.
    return list(db.session.scalars(select(User).where(User.role == Role.HOMEFINDER, User.is_active.is_(True))))
