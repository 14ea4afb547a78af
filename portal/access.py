"""Route-level access: every endpoint declares who may use it; anything undeclared is refused (deny by default).

Declaring is done with the decorators below; enforcing happens once, in a before_request hook, so a view that forgets
its decorator is refused rather than open. tests/portal/test_access_rules.py walks app.url_map to keep it so.
Object-level rules (is this household's record yours?) live in each package's permissions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.models import Role

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[Role] | None = None  # None with public=False: any signed-in person
    # Routes that name a record by id answer 404 to other roles too, so a guessed id reveals nothing.
    hidden: bool = False

    def describe(self) -> str:
        if self.public:
            return "public"
        return "signed-in" if self.roles is None else ",".join(sorted(self.roles))


def _declare(rule: AccessRule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorator


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _declare(AccessRule(public=True))(view)


def signed_in(view: F) -> F:
    """Any signed-in person, whatever the role."""
    return _declare(AccessRule())(view)


def roles_required(*roles: Role | str, hidden: bool = False) -> Callable[[F], F]:
    """Only signed-in people holding one of these roles; others get 403, or 404 with hidden=True."""
    return _declare(AccessRule(roles=frozenset(Role(r) for r in roles), hidden=hidden))


STAFF = (Role.HOMEFINDER, Role.COORDINATOR, Role.ADMIN)


def declare_endpoints(app: Flask, endpoints: Iterable[str], rule: AccessRule) -> None:
    """For endpoints whose view we don't own (static files of Flask and Bootstrap-Flask)."""
    app.extensions.setdefault("access_rules", {}).update(dict.fromkeys(endpoints, rule))


def rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    registered = app.extensions.get("access_rules", {})
    if endpoint in registered:
        return registered[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access_rules() -> None:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: Flask answers 404/405 itself
        return None
    rule = rule_for(current_app, endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s has no access rule; refused", endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        if session.pop("_user_id", None) is not None:  # the cookie named a session that has ended meanwhile
            flash(_("Your session ended. Sign in again to continue."), "info")
        # The page asked for, with its query string if it had one (werkzeug's full_path ends in "?" when it had none).
        next_path = request.full_path.removesuffix("?") if request.method == "GET" else request.path
        if request.method == "POST":
            # The session ended while a form was being filled in: keep what was typed for its owner, after sign-in.
            from portal.pending import keep_pending_submission

            keep_pending_submission()
        return redirect(url_for("portal.login", next=next_path))
    if rule.roles is not None and current_user.role not in rule.roles:
        abort(404 if rule.hidden else 403)
    return None


def init_app(app: Flask) -> None:
    declare_endpoints(app, ["static", "bootstrap.static"], AccessRule(public=True))
    app.before_request(enforce_access_rules)
