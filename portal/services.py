"""Accounts: every write about people, roles and passwords. Services flush; the view commits once."""

from __future__ import annotations

from sqlalchemy import select

from portal import audit, emails, sessions
from portal.audit import AuditAction
from portal.database import now_utc
from portal.extensions import db
from portal.models import Household, Role, User
from portal.passwords import hash_password, needs_rehash, verify_password
from portal.signals import email_confirmed
from portal.tokens import TokenInvalid, TokenPurpose, fingerprint, make_token, read_token


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def household_accounts(household_id: int) -> list[User]:
    """The active accounts of a household: who hears about its application, checklist and visits."""
    return list(db.session.scalars(select(User).where(User.household_id == household_id, User.is_active.is_(True))
                                   .order_by(User.id)))


def _link(endpoint: str, **values: str) -> str:
    return emails.portal_url(endpoint, **values)


def send_confirmation(user: User) -> None:
    token = make_token(TokenPurpose.CONFIRM_EMAIL, user.id, user.email)
    emails.queue_email(user.email, user.preferred_locale, "confirm_email", user=user,
                       link=_link("portal.confirm_email", token=token))


def register_applicant(full_name: str, email: str, password: str, locale: str) -> User | None:
    """Self-registration is for prospective families only. An existing email gets a notice, not an error,
    so the page answers the same whether or not the address has an account."""
    existing = find_user_by_email(email)
    if existing is not None:
        emails.queue_email(existing.email, existing.preferred_locale, "account_exists", user=existing,
                           login_link=_link("portal.login"), reset_link=_link("portal.forgot_password"))
        return None
    household = Household(name=full_name)
    user = User(
        email=normalize_email(email),
        full_name=full_name.strip(),
        role=Role.APPLICANT,
        preferred_locale=locale,
        password_hash=hash_password(password),
        household=household,
    )
    db.session.add_all([household, user])
    db.session.flush()
    audit.record(AuditAction.REGISTERED, actor=user, target=user)
    send_confirmation(user)
    return user


def confirm_email(token: str) -> User:
    user_id, state = read_token(TokenPurpose.CONFIRM_EMAIL, token)
    user = db.session.get(User, user_id)
    if user is None or fingerprint(user.email) != state:
        raise TokenInvalid
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now_utc()
        audit.record(AuditAction.EMAIL_CONFIRMED, actor=user, target=user)
        email_confirmed.send(user)
    return user


def resend_confirmation(email: str) -> None:
    user = find_user_by_email(email)
    if user is not None and not user.email_confirmed and user.is_active:
        send_confirmation(user)


class SignInResult:
    OK = "ok"
    INVALID = "invalid"
    UNCONFIRMED = "unconfirmed"


def authenticate(email: str, password: str) -> tuple[str, User | None]:
    """Check a sign-in attempt. Wrong email and wrong password give the same answer (and the same timing)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        audit.record(AuditAction.SIGN_IN_FAILED, target=user, email_given=normalize_email(email)[:254])
        return SignInResult.INVALID, None
    if not user.email_confirmed:
        return SignInResult.UNCONFIRMED, user
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # The sign-in itself is recorded when its session starts (portal/sessions.py), after any second step.
    return SignInResult.OK, user


def sign_out(user: User) -> None:
    """Ending this session makes its cookie, and any copy of it, useless."""
    current = sessions.current_session()
    if current is not None:
        sessions.end(current, user, sessions.EndReason.SIGNED_OUT, record_event=False)
    audit.record(AuditAction.SIGN_OUT, actor=user, target=user)


def request_password_reset(email: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = make_token(TokenPurpose.RESET_PASSWORD, user.id, user.session_token)
    emails.queue_email(user.email, user.preferred_locale, "reset_password", user=user,
                       link=_link("portal.reset_password", token=token))
    audit.record(AuditAction.PASSWORD_RESET_REQUESTED, target=user)


def user_for_token(purpose: TokenPurpose, token: str) -> User:
    """The account a reset or invitation link belongs to, while the link is still unused and unexpired."""
    user_id, state = read_token(purpose, token)
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or fingerprint(user.session_token) != state:
        raise TokenInvalid
    return user


def set_password_from_token(purpose: TokenPurpose, token: str, password: str) -> User:
    user = user_for_token(purpose, token)
    _set_password(user, password)
    if purpose is TokenPurpose.INVITATION:
        # The invitation went to this address, so following it proves the address.
        user.email_confirmed_at = user.email_confirmed_at or now_utc()
        audit.record(AuditAction.INVITATION_ACCEPTED, actor=user, target=user)
    else:
        audit.record(AuditAction.PASSWORD_RESET, actor=user, target=user)
        emails.queue_email(user.email, user.preferred_locale, "password_changed", user=user,
                           reset_link=_link("portal.forgot_password"))
    return user


def change_password(user: User, current_password: str, new_password: str) -> bool:
    if not verify_password(user.password_hash, current_password):
        return False
    _set_password(user, new_password, keep=sessions.current_session())
    audit.record(AuditAction.PASSWORD_CHANGED, actor=user, target=user)
    emails.queue_email(user.email, user.preferred_locale, "password_changed", user=user,
                       reset_link=_link("portal.forgot_password"))
    return True


def _set_password(user: User, password: str, keep=None) -> None:
    user.password_hash = hash_password(password)
    # Every other session (and every outstanding reset link) stops working; a change made while signed in keeps
    # the session it was made from (`keep`), a reset from an emailed link keeps none.
    sessions.end_all(user, user, sessions.EndReason.PASSWORD_CHANGED, keep=keep)


def update_profile(user: User, full_name: str, preferred_locale: str) -> None:
    user.full_name = full_name.strip()
    user.preferred_locale = preferred_locale


def invite_staff(admin: User, full_name: str, email: str, role: Role, locale: str) -> User | None:
    """Create a staff account without a password and email a set-password link. None if the email is taken."""
    if find_user_by_email(email) is not None:
        return None
    user = User(
        email=normalize_email(email),
        full_name=full_name.strip(),
        role=role,
        preferred_locale=locale,
        invited_by_id=admin.id,
    )
    db.session.add(user)
    db.session.flush()
    token = make_token(TokenPurpose.INVITATION, user.id, user.session_token)
    emails.queue_email(user.email, user.preferred_locale, "invitation", user=user, inviter=admin,
                       link=_link("portal.accept_invitation", token=token))
    audit.record(AuditAction.STAFF_INVITED, actor=admin, target=user, role=role.value)
    return user


def create_staff(full_name: str, email: str, role: Role, password: str, locale: str = "en") -> User:
    """For the `flask create-staff` command: an account that can sign in at once."""
    user = User(
        email=normalize_email(email),
        full_name=full_name.strip(),
        role=role,
        preferred_locale=locale,
        password_hash=hash_password(password),
        email_confirmed_at=now_utc(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.STAFF_CREATED, target=user, role=role.value)
    return user


def change_role(admin: User, user: User, role: Role) -> None:
    if user.role is role:
        return
    old = user.role
    user.role = role
    # A changed role takes effect at the next request; ending sessions makes it take effect everywhere at once (and
    # someone made staff signs in again, through the second step).
    sessions.end_all(user, admin, sessions.EndReason.ROLE_CHANGED)
    audit.record(AuditAction.ROLE_CHANGED, actor=admin, target=user, old=old.value, new=role.value)


def set_active(admin: User, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        sessions.end_all(user, admin, sessions.EndReason.DEACTIVATED)
    audit.record(AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
                 actor=admin, target=user)
