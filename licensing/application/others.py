"""Other people's parts of an application: references, the other adults of the home and the co-applicant's
signature, asked through emailed, single-use links, and their answers."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from licensing.application.models import Application, HouseholdMember, MemberRole, Reference
from licensing.application.services import load_application, record_event
from licensing.application.submission import names_match, sign_with_link
from portal import audit, emails
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.tokens import TokenInvalid, fingerprint, make_token, new_nonce, read_token
from portal.transitions import Refused

REFERENCE_PURPOSE = "reference-answer"
MEMBER_PURPOSE = "adult-part"
SIGNATURE_PURPOSE = "applicant-signature"
OUTSIDE_LINK_MAX_AGE = 30 * 24 * 3600
# A signing link is sent again at most once a minute (a second tap would send two emails, the first already dead).
SIGNATURE_RESEND_SECONDS = 60
# Wrong dates of birth typed on one signing link before it stops working (the primary sends a new one).
SIGNATURE_LINK_MAX_FAILURES = 5


def adults_needing_own_part(application: Application, today: date) -> list[HouseholdMember]:
    return [m for m in application.members if m.role is MemberRole.OTHER and m.is_adult_on(today)]


def send_reference_request(application: Application, reference: Reference, sender: User) -> None:
    """Email the reference their single-use link (a resend retires the previous one)."""
    reference.link_nonce = new_nonce()
    reference.requested_at = now_utc()
    record_event(application, sender, "reference_requested", reference=reference.name)
    token = make_token(REFERENCE_PURPOSE, reference.id, reference.link_nonce)
    emails.queue_email(reference.email, reference.preferred_locale, "reference_request",
                       user={"full_name": reference.name}, applicant_name=sender.full_name,
                       link=emails.portal_url("licensing.reference_answer", token=token))


def send_member_request(application: Application, member: HouseholdMember, sender: User) -> None:
    """Email another adult of the home their single-use link to their own part (a resend retires the old one)."""
    member.link_nonce = new_nonce()
    member.link_sent_at = now_utc()
    record_event(application, sender, "adult_part_requested", member=member.full_name)
    token = make_token(MEMBER_PURPOSE, member.id, member.link_nonce)
    emails.queue_email(member.email, member.preferred_locale, "adult_part_request",
                       user={"full_name": member.full_name}, applicant_name=sender.full_name,
                       link=emails.portal_url("licensing.adult_part", token=token))


def send_outstanding_requests(application: Application, sender: User, today: date) -> None:
    """After the references or household section is saved: ask everyone not yet asked."""
    for reference in application.references:
        if reference.requested_at is None:
            send_reference_request(application, reference, sender)
    for member in adults_needing_own_part(application, today):
        if member.link_sent_at is None and member.email:
            send_member_request(application, member, sender)


def reference_for_token(token: str) -> Reference:
    reference_id, state = read_token(REFERENCE_PURPOSE, token, OUTSIDE_LINK_MAX_AGE)
    reference = db.session.get(Reference, reference_id)
    if reference is None or fingerprint(reference.link_nonce) != state or reference.responded_at is not None:
        raise TokenInvalid
    return reference


def record_reference_answer(reference: Reference, answers: dict) -> None:
    reference.response = answers
    reference.responded_at = now_utc()
    reference.link_nonce = new_nonce()
    record_event(db.session.get(Application, reference.application_id), None, "reference_answered",
                 reference=reference.name)


def member_for_token(token: str) -> HouseholdMember:
    member_id, state = read_token(MEMBER_PURPOSE, token, OUTSIDE_LINK_MAX_AGE)
    member = db.session.get(HouseholdMember, member_id)
    if member is None or fingerprint(member.link_nonce) != state or member.own_part_completed_at is not None:
        raise TokenInvalid
    return member


def record_adult_part(member: HouseholdMember, other_states: str, typed_name: str, ip_address: str) -> None:
    """The adult's own part: other states lived in (each needs a registry check) and consent, signed by name."""
    if not names_match(typed_name, member.full_name):
        raise Refused(_l("The typed name must be exactly %(name)s.", name=member.full_name))
    member.own_part = {"other_states": other_states.strip(), "consent": True, "typed_name": typed_name.strip(),
                       "ip_address": ip_address}
    member.own_part_completed_at = now_utc()
    member.link_nonce = new_nonce()
    record_event(db.session.get(Application, member.application_id), None, "adult_part_completed",
                 member=member.full_name)


# -- a co-applicant's signature ------------------------------------------------------------------------------------

def applicants_signing_by_link(application: Application) -> list[HouseholdMember]:
    """The applicants who sign through their own emailed link: everyone but the account holder (the primary)."""
    return [m for m in application.members if m.role is MemberRole.CO_APPLICANT]


def send_signature_request(application: Application, member: HouseholdMember, sender: User,
                           at_most_once_a_minute: bool = True) -> None:
    """Email a co-applicant their own single-use link to read the application and sign it (a resend retires the
    previous link), in their language: the member's own, which starts as the household account's. Sent again within
    a minute it is refused (unless the old link was used up by signing: `at_most_once_a_minute=False`)."""
    if member.role is not MemberRole.CO_APPLICANT or not member.email:
        raise Refused(_l("Only a co-applicant with an email address signs through a link."))
    if not application.is_editable_by_family:
        raise Refused(_l("Your application was sent; it can't be signed again now."))
    if any(s.member_id == member.id for s in application.signatures):
        raise Refused(_l("This person has already signed."))
    if not _has_own_address(member, sender):
        # A link sent to the account holder's own inbox would let the account sign for them again.
        raise Refused(_l("%(name)s needs an email address of their own to sign: change it in the Applicants "
                         "section.", name=member.full_name))
    sent_at = now_utc()
    if at_most_once_a_minute:
        # One conditional UPDATE: of two taps at once only one finds the last sending old enough.
        claimed = db.session.execute(
            update(HouseholdMember)
            .where(HouseholdMember.id == member.id,
                   or_(HouseholdMember.signature_link_sent_at.is_(None),
                       HouseholdMember.signature_link_sent_at <= sent_at - timedelta(seconds=SIGNATURE_RESEND_SECONDS)))
            .values(signature_link_sent_at=sent_at)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            db.session.refresh(member)
            raise Refused(_l("We just emailed %(name)s a link to sign. Please wait a minute before sending another.",
                             name=member.full_name))
    member.signature_nonce = new_nonce()
    member.signature_link_sent_at = sent_at
    member.signature_link_failures = 0
    record_event(application, sender, "signature_requested", member=member.full_name, member_id=member.id)
    token = make_token(SIGNATURE_PURPOSE, member.id, member.signature_nonce)
    emails.queue_email(member.email, member.preferred_locale, "signature_request",
                       user={"full_name": member.full_name}, applicant_name=sender.full_name,
                       link=emails.portal_url("licensing.sign_by_link", token=token))


def _has_own_address(member: HouseholdMember, sender: User) -> bool:
    return member.email.casefold() != sender.email.casefold()


def ask_again_to_sign(application: Application, member_ids: set[int], sender: User) -> list[HouseholdMember]:
    """After a change cleared the signatures: each co-applicant who had signed gets a new link (their old one was
    used up by signing). Returns who was asked."""
    asked = [m for m in applicants_signing_by_link(application)
             if m.id in member_ids and m.email and _has_own_address(m, sender)]
    for member in asked:
        send_signature_request(application, member, sender, at_most_once_a_minute=False)
    return asked


def signing_link_locale(token: str) -> str | None:
    """The language a genuine signing link was sent in, even when it was used or replaced since (its page saying so
    is then in that language); None for a tampered or expired link."""
    try:
        member_id, _state = read_token(SIGNATURE_PURPOSE, token, OUTSIDE_LINK_MAX_AGE)
    except TokenInvalid:
        return None
    member = db.session.get(HouseholdMember, member_id)
    return member.preferred_locale if member is not None else None


def signer_for_token(token: str) -> tuple[Application, HouseholdMember]:
    """The application and the co-applicant a signing link names; TokenInvalid when tampered, expired, replaced by
    a newer link, already used, or the application can't be signed now."""
    member_id, state = read_token(SIGNATURE_PURPOSE, token, OUTSIDE_LINK_MAX_AGE)
    member = db.session.get(HouseholdMember, member_id)
    if member is None or member.role is not MemberRole.CO_APPLICANT or fingerprint(member.signature_nonce) != state:
        raise TokenInvalid
    application = load_application(member.application_id)
    if application is None or not application.is_editable_by_family or any(
            s.member_id == member.id for s in application.signatures):
        raise TokenInvalid
    member = next(m for m in application.members if m.id == member.id)
    return application, member


def link_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def birth_date_confirms(member: HouseholdMember, typed: date | None, token: str) -> bool:
    """Before a signing link shows the answers, the co-applicant confirms their date of birth (as the Applicants
    section has it): an address typed by someone else is not proof enough. Each wrong date is recorded; after
    SIGNATURE_LINK_MAX_FAILURES the link stops working (TokenInvalid)."""
    if typed is not None and typed == member.birth_date:
        return True
    member.signature_link_failures = (member.signature_link_failures or 0) + 1
    locked = member.signature_link_failures >= SIGNATURE_LINK_MAX_FAILURES
    if locked:
        member.signature_nonce = new_nonce()
    audit.record("signing_link_birth_date_wrong", None, member, household_id=_household_id(member),
                 member_id=member.id, link_sha256=link_sha256(token), attempt=member.signature_link_failures,
                 link_stopped=locked)
    if locked:
        raise TokenInvalid
    return False


def record_read_by_link(application: Application, member: HouseholdMember, token: str) -> None:
    """Who read the answers (health, disclosures) through a signing link, and when."""
    audit.record("application_read_by_link", None, application, household_id=application.household_id,
                 member_id=member.id, link_sha256=link_sha256(token))


def _household_id(member: HouseholdMember) -> int:
    return db.session.get(Application, member.application_id).household_id


def sign_through_link(application: Application, member: HouseholdMember, typed_name: str, token: str,
                      ip_address: str) -> None:
    """The co-applicant signs on their own device; the link then stops working. The link is claimed by one
    conditional UPDATE of its nonce, so of two signatures sent at once only one passes (the other: TokenInvalid)."""
    if not names_match(typed_name, member.full_name):
        raise Refused(_l("The typed name must be exactly %(name)s.", name=member.full_name))
    claimed = db.session.execute(
        update(HouseholdMember)
        .where(HouseholdMember.id == member.id, HouseholdMember.signature_nonce == member.signature_nonce)
        .values(signature_nonce=new_nonce())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise TokenInvalid
    db.session.refresh(member, ["signature_nonce"])
    sign_with_link(application, member, typed_name, token, ip_address)
