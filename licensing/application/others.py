"""Other people's parts of an application: references and the other adults of the home, asked through emailed,
single-use links, and their answers."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from licensing.application.models import Application, HouseholdMember, MemberRole, Reference
from licensing.application.services import record_event
from licensing.application.submission import names_match
from portal import emails
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.tokens import TokenInvalid, fingerprint, make_token, new_nonce, read_token
from portal.transitions import Refused

REFERENCE_PURPOSE = "reference-answer"
MEMBER_PURPOSE = "adult-part"
OUTSIDE_LINK_MAX_AGE = 30 * 24 * 3600


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
