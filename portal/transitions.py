"""One way to change a status: a table of allowed moves per aggregate, checked, written and recorded in one step.

Each aggregate with a status (application, checklist item, background check, home study visit, home study write-up,
license; later enrollments, placements, messages) declares a `StateMachine` next to its model, and its service has one
transition function that checks the data the move needs and then calls `transition()`. Nothing else assigns
`.status`. A refused move raises `TransitionRefused`, whose message is for people: portal/errors.py turns an uncaught
one into a translated 409 page, and the request's unit of work rolls everything back.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal import audit
from portal.models import AuditEvent, User


class Refused(Exception):
    """A domain rule said no; `message` (a lazy string) says why, in words for the person who asked."""

    def __init__(self, message) -> None:
        super().__init__(_readable(message))
        self.message = message


def _readable(message) -> str:
    """The words in the current language; in a CLI command or a job (no request, no language forced) in the default
    one, rather than "Working outside of request context" in place of the refusal. Only here: a page or an email
    that forgets its language still fails loudly (portal.i18n.select_locale needs the request)."""
    try:
        return str(message)
    except RuntimeError:
        if has_request_context() or not has_app_context():
            raise
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return str(message)


class TransitionRefused(Refused):
    """A status change that is not allowed from the current status, or that lacks what it needs."""


class ChangedMeanwhile(Exception):
    """Someone else saved this record since the form was opened (optimistic locking)."""


STATUS_CHANGED = audit.AuditAction.STATUS_CHANGED
MACHINES: dict[str, StateMachine] = {}


@dataclass(frozen=True)
class StateMachine:
    """The allowed moves of one aggregate's status, and the moves that need a reason."""

    name: str  # the record's class name, as events name their target
    moves: Mapping[enum.Enum, frozenset[enum.Enum]]
    needs_reason: frozenset[enum.Enum] = field(default_factory=frozenset)
    labels: Mapping[enum.Enum, Any] = field(default_factory=dict)  # words for each status, for histories

    def __post_init__(self) -> None:
        MACHINES[self.name] = self

    @property
    def statuses(self) -> list[enum.Enum]:
        return list(self.moves)

    def allows(self, current: enum.Enum, target: enum.Enum) -> bool:
        return target in self.moves.get(current, frozenset())

    def check(self, current: enum.Enum, target: enum.Enum, reason: str = "") -> None:
        if not self.allows(current, target):
            raise TransitionRefused(_l("This change is not allowed from the current status."))
        if target in self.needs_reason and not reason.strip():
            raise TransitionRefused(_l("Give a reason the family will see."))

    def label(self, value: str | None) -> str:
        for status, label in self.labels.items():
            if status.value == value:
                return str(label)
        return value or ""


def moves(table: Mapping[enum.Enum, set[enum.Enum] | frozenset[enum.Enum]]) -> dict[enum.Enum, frozenset[enum.Enum]]:
    return {status: frozenset(targets) for status, targets in table.items()}


def transition(machine: StateMachine, record: Any, target: enum.Enum, *, actor: User | None, household_id: int | None,
               reason: str = "", expected_version: int | None = None, action: str = STATUS_CHANGED,
               **details: object) -> AuditEvent:
    """Move `record.status` to `target` if the table allows it, and record who, when, from, to and why (as
    `action`: "status_changed", or the agency's word for the move, e.g. "document_returned")."""
    if expected_version is not None and getattr(record, "version", expected_version) != expected_version:
        raise ChangedMeanwhile
    current = record.status
    machine.check(current, target, reason)
    record.status = target
    return audit.record(action, actor=actor, target=record, household_id=household_id,
                        from_status=current.value, to_status=target.value, reason=reason.strip(), **details)


def status_change_label(event: AuditEvent) -> str:
    """"Submitted → Approved" in the reader's language, for a status-change event of any aggregate."""
    machine = MACHINES.get(event.target_type or "")
    label = machine.label if machine is not None else (lambda value: value or "")
    if event.from_status is None:  # made with this status (a license issued active)
        return label(event.to_status)
    return f"{label(event.from_status)} → {label(event.to_status)}"
