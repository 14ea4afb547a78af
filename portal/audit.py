"""The one event log: who did what, when, to which record of which household. Events are only ever added."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import AuditEvent, User
from portal.signals import event_recorded


class AuditAction:
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    REGISTERED = "registered"
    EMAIL_CONFIRMED = "email_confirmed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    STAFF_INVITED = "staff_invited"
    STAFF_CREATED = "staff_created"
    INVITATION_ACCEPTED = "invitation_accepted"
    ROLE_CHANGED = "role_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    STATUS_CHANGED = "status_changed"  # any aggregate's status, through portal.transitions
    SECOND_STEP_FAILED = "second_step_failed"
    SECOND_STEP_ENROLLED = "second_step_enrolled"
    SECOND_STEP_TURNED_OFF = "second_step_turned_off"
    SECOND_STEP_RESET = "second_step_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_CREATED = "recovery_codes_created"
    PASSKEY_ADDED = "passkey_added"
    PASSKEY_REMOVED = "passkey_removed"
    SESSION_ENDED = "session_ended"
    SESSIONS_ENDED = "sessions_ended"


AUDIT_LABELS = {
    AuditAction.SIGN_IN: _l("Signed in"),
    AuditAction.SIGN_IN_FAILED: _l("Failed sign-in"),
    AuditAction.SIGN_OUT: _l("Signed out"),
    AuditAction.REGISTERED: _l("Created an account"),
    AuditAction.EMAIL_CONFIRMED: _l("Confirmed the email address"),
    AuditAction.PASSWORD_RESET_REQUESTED: _l("Asked for a password reset"),
    AuditAction.PASSWORD_RESET: _l("Reset the password"),
    AuditAction.PASSWORD_CHANGED: _l("Changed the password"),
    AuditAction.STAFF_INVITED: _l("Staff member invited"),
    AuditAction.STAFF_CREATED: _l("Staff member created"),
    AuditAction.INVITATION_ACCEPTED: _l("Accepted the invitation"),
    AuditAction.ROLE_CHANGED: _l("Role changed"),
    AuditAction.ACCOUNT_DEACTIVATED: _l("Account deactivated"),
    AuditAction.ACCOUNT_REACTIVATED: _l("Account reactivated"),
    AuditAction.STATUS_CHANGED: _l("Status changed"),
    AuditAction.SECOND_STEP_FAILED: _l("Wrong sign-in code"),
    AuditAction.SECOND_STEP_ENROLLED: _l("Set up two-step sign-in"),
    AuditAction.SECOND_STEP_TURNED_OFF: _l("Turned off two-step sign-in"),
    AuditAction.SECOND_STEP_RESET: _l("Two-step sign-in reset"),
    AuditAction.RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    AuditAction.RECOVERY_CODES_CREATED: _l("New recovery codes made"),
    AuditAction.PASSKEY_ADDED: _l("Passkey added"),
    AuditAction.PASSKEY_REMOVED: _l("Passkey removed"),
    AuditAction.SESSION_ENDED: _l("Session ended"),
    AuditAction.SESSIONS_ENDED: _l("Sessions ended"),
}


def register_labels(labels: dict) -> None:
    """Feature packages add the words for their own audit actions (lazy strings), keyed by action."""
    AUDIT_LABELS.update(labels)


def audit_label(action: str) -> str:
    label = AUDIT_LABELS.get(action)
    return str(label) if label is not None else action


# What an event was about, in words: events store the record's class name ("ChecklistItem"), which the audit log
# shows as "Requisito de la lista #12" to a Spanish reader. The core's records here; each feature package adds its
# own (register_record_labels). Keyed by name, so the core needs none of their models.
RECORD_LABELS = {
    "User": _l("Person"),
    "Household": _l("Household"),
    "Passkey": _l("Passkey"),
    "RecoveryCode": _l("Recovery code"),
    "CalendarFeed": _l("Calendar subscription"),
    "SignedInSession": _l("Signed-in session"),
    "OutboxMessage": _l("Email"),
    "AgencySetting": _l("Agency setting"),
    "Child": _l("Child"),
    "Placement": _l("Placement"),
    "RespiteStay": _l("Respite stay"),
    "Appointment": _l("Appointment"),
    "CaregiverReport": _l("Caregiver report"),
    "MessageThread": _l("Conversation"),
    "Message": _l("Message"),
    "MessageAttachment": _l("Attachment"),
    "Trip": _l("Trip"),
    "MileageClaim": _l("Mileage claim"),
}


def register_record_labels(labels: dict) -> None:
    """Feature packages name their own records (lazy strings), keyed by the model's class name."""
    RECORD_LABELS.update(labels)


def record_label(target_type: str | None) -> str:
    label = RECORD_LABELS.get(target_type or "")
    return str(label) if label is not None else (target_type or "")


def record(
    action: str,
    actor: User | None = None,
    target: object | None = None,
    *,
    household_id: int | None = None,
    child_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str = "",
    **details: object,
) -> AuditEvent:
    """Add an event to the one log, in the current transaction (it commits or rolls back with what it records)."""
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()  # a record created in this request gets its id, so the event can name it
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        household_id=household_id,
        child_id=child_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        ip_address=request.remote_addr if has_request_context() else None,
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    event_recorded.send(event)
    return event
