"""Object-level rules of the core, in one place. Loaders answer 404 for anything the person may not see, so a
guessed id tells nothing."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.extensions import db
from portal.models import Passkey, Role, SignedInSession, User


def can_manage_people(user: User) -> bool:
    """Only administrators (program supervisors) manage accounts and roles."""
    return user.is_authenticated and user.role is Role.ADMIN and user.is_active


def can_read_mail_bodies(user: User, mail_server_configured: bool) -> bool:
    """Email bodies carry sign-in links: an admin reads them only in development, where nothing is really sent."""
    return can_manage_people(user) and not mail_server_configured


def get_user_for_admin(admin: User, user_id: int) -> User:
    if not can_manage_people(admin):
        abort(404)
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return person


def get_own_session(user: User, session_id: int) -> SignedInSession:
    """One of the person's own live sessions; anyone else's (or an ended one) is not found."""

    from portal.sessions import live_sessions_query

    signed_in = db.session.scalar(live_sessions_query(user.id).where(SignedInSession.id == session_id))
    if signed_in is None:
        abort(404)
    return signed_in


def get_own_passkey(user: User, passkey_id: int) -> Passkey:
    """One of the person's own passkeys; anyone else's is not found."""
    passkey = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))
    if passkey is None:
        abort(404)
    return passkey
