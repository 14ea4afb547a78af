"""Friendly, translated error pages; a CSRF failure re-renders the form with what was typed; a database that is
unavailable (gone, cut, locked) answers 503 with Retry-After, drawn without touching it; so does a document store
that can't be read (a download while the bucket or the files' folder is unavailable)."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from portal.access import enforce_access_rules
from portal.extensions import db
from portal.storage import StorageUnavailable
from portal.transitions import Refused

ERROR_TEXTS = {
    400: (_l("Something in the request was not right"),
          _l("The page could not use what was sent. Go back, check the form and try again.")),
    403: (_l("This page is not available to you"),
          _l("Your account does not have access to this page. If you think it should, contact the agency.")),
    404: (_l("Page not found"), _l("We could not find this page. The link may be old or mistyped.")),
    405: (_l("Something in the request was not right"),
          _l("The page could not use what was sent. Go back, check the form and try again.")),
    409: (_l("This can't be changed now"),
          _l("It was already sent, or someone changed it in the meantime. Reload the page to see where things stand.")),
    413: (_l("The file is too large"), _l("What you sent is larger than the portal accepts. Try a smaller file.")),
    429: (_l("Too many attempts"),
          _l("For your security, please wait a few minutes before trying again. "
             "If you forgot your password, you can reset it.")),
    500: (_l("Something went wrong on our side"),
          _l("The problem is ours, not yours. Please try again in a few minutes.")),
    503: (_l("The portal is unavailable for a moment"),
          _l("We can't reach our records right now. Please try again in a minute. If you were saving something, "
             "check afterwards that it was saved.")),
}

# Seconds a browser (or Stripe, or a proxy) is told to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30


# The second step's pages: their lockout is about codes, not a forgotten password.
CODE_STEP_ENDPOINTS = frozenset({"portal.second_step", "portal.set_up_second_step", "portal.passkey_sign_in"})


def render_error(status: int):
    title, message = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    code_step = status == 429 and has_request_context() and request.endpoint in CODE_STEP_ENDPOINTS
    if code_step:
        message = _("Too many wrong codes. For your security, wait %(minutes)d minutes, then try again. Lost your "
                    "phone? Then use one of your recovery codes, or call your agency.",
                    minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return render_template("error.html", status=status, title=title, message=message, code_step=code_step), status


def _handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # a route that answers the error its own way (e.g. a limit's JSON on_breach)
        return error.response
    return render_error(error.code if error.code in ERROR_TEXTS else 400 if error.code < 500 else 500)


def _handle_csrf_error(error: CSRFError):
    """A failed CSRF check answers as the request would have with a valid token (sign-in first, 403/404 for a role
    that may not use the route, 429 when rate-limited, 409 on a conflict), except that nothing it writes is kept.
    Form views re-render with the person's input and a translated message (PortalForm): nothing typed is lost."""
    try:
        # The CSRF check runs before the access check: apply the access rule first (an ended session goes to
        # sign-in, keeping what was typed), so a view never runs for someone it isn't meant for.
        refused = enforce_access_rules()
        if refused is not None:
            return refused
        view = current_app.view_functions.get(request.endpoint or "")
        if view is None or not getattr(view, "rerender_on_csrf_error", False):
            return render_error(400)
        g.csrf_failed = True  # nothing the view does is committed (portal/database.py), whatever it does
        answer = view(**(request.view_args or {}))
    except Exception as raised:  # abort(404), a bad emailed link, a rate limit...: answered by its own handler
        g.csrf_failed = True
        return current_app.handle_user_exception(raised)
    response = current_app.make_response(answer)
    if not 300 <= response.status_code < 400:  # the form again, with what was typed; a redirect stays one
        response.status_code = 400
    return response


def _handle_refusal(refused: Refused):
    """A domain rule said no (a status change not allowed now, say) and no view answered it on its own page: a 409
    with the reason in the reader's language. The unit of work rolls back whatever the request had written."""
    title, _message = ERROR_TEXTS[409]
    return render_template("error.html", status=409, title=title, message=refused.message), 409


# SQLite's own words (and, from Python 3.11, its error names) for a file that is busy, locked, missing, unreadable
# or full: passing conditions. "no such table", a syntax error, a misuse: bugs.
SQLITE_UNAVAILABLE_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL",
                            "SQLITE_READONLY", "SQLITE_PROTOCOL")
SQLITE_UNAVAILABLE_WORDS = ("database is locked", "database table is locked", "database schema is locked",
                            "database is busy", "unable to open database", "disk i/o error",
                            "database or disk is full", "attempt to write a readonly database")

# PostgreSQL's SQLSTATEs for a server that is gone, going or full: connection exceptions (class 08), shutting down
# or starting up (57P01-57P03), too many connections (53300); and for a transaction that lost a race with another
# and was rolled back, whose work succeeds if sent again: a serialization failure (40001), a deadlock (40P01), a
# row lock not granted in time (55P03). Not a statement timeout (57014): a query too slow is a bug to see as 500.
POSTGRES_LOST_RACE_STATES = frozenset({"40001", "40P01", "55P03"})
POSTGRES_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"}) | POSTGRES_LOST_RACE_STATES


def database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached or could not answer now (PostgreSQL gone or restarting, a connection cut,
    the pool exhausted, SQLite locked or its file unreadable, a deadlock or lock wait with another request): a
    passing condition, answered 503, not a bug. Any other OperationalError ("no such table", a syntax error on
    SQLite, a statement cancelled) is a bug: 500."""
    if isinstance(error, PoolTimeoutError | InterfaceError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    name = getattr(original, "sqlite_errorname", None)
    if name is not None and name.startswith(SQLITE_UNAVAILABLE_NAMES):
        return True
    if type(original).__module__.startswith("sqlite3"):
        return any(words in str(original).lower() for words in SQLITE_UNAVAILABLE_WORDS)
    if hasattr(original, "sqlstate"):  # psycopg
        state = original.sqlstate
        # No SQLSTATE: the client's own failure (could not connect, the connection broke), not the server's answer.
        return state is None or state.startswith("08") or state in POSTGRES_UNAVAILABLE_STATES
    return False


def _saved_language() -> str | None:
    """The signed-in person's saved language, if their account was loaded before the database went away: read from
    what is already in memory (a rollback would expire it, and loading it again would need the database)."""
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    try:
        return inspect(user).dict.get("preferred_locale")
    except Exception:  # not a mapped object: nothing saved to read
        return None


def _handle_database_unavailable(error: Exception):
    """503 in the visitor's language, in the base layout, drawn without the database: nothing on the page may
    query (the menu is the signed-out one, as the account can't be loaded), and the request's work is rolled
    back (the pool has already dropped a connection that died; pool_pre_ping tests the others before use)."""
    language = _saved_language()
    g._login_user = AnonymousUserMixin()  # Flask-Login's slot: current_user no longer loads (or reloads) anyone
    session.pop("_flashes", None)  # a view's "saved" was about work that is now rolled back
    try:
        db.rollback()
    except SQLAlchemyError:  # the connection is gone: nothing to roll back there, the pool discards it
        db.session.close()
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    if state in POSTGRES_LOST_RACE_STATES:
        # The person is asked to try again, but several of these an hour mean two writers lock rows in opposite
        # orders: an error to see in the logs, not a network blip.
        current_app.logger.error("transaction lost a race (SQLSTATE %s), answered 503", state, exc_info=error)
    else:
        current_app.logger.warning("database unavailable: %s", error.__class__.__name__, exc_info=error)
    with force_locale(language) if language else nullcontext():
        title, message = ERROR_TEXTS[503]
        page = render_template("error.html", status=503, title=title, message=message, code_step=False)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _handle_storage_unavailable(error: StorageUnavailable):
    """The document store (the bucket, or the files' folder) can't be read or written now: a passing condition like
    the database's, answered 503 with Retry-After in the visitor's language (the request's work is rolled back by
    the unit of work, as for any error answer)."""
    current_app.logger.warning("document store unavailable: %s", error, exc_info=error)
    title, _message = ERROR_TEXTS[503]
    message = _("We can't open stored files right now. Please try again in a minute.")
    page = render_template("error.html", status=503, title=title, message=message, code_step=False)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _handle_server_error(error: Exception):
    # A failed commit (after the view, in the unit of work's after_request) reaches Flask's last resort, the 500
    # handler, with the database's error as the original.
    original = getattr(error, "original_exception", None)
    if database_unavailable(original):
        return _handle_database_unavailable(original)
    db.rollback()
    current_app.logger.exception("unhandled error", exc_info=error)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Refused, _handle_refusal)
    app.register_error_handler(DBAPIError, _handle_database_error)
    app.register_error_handler(PoolTimeoutError, _handle_database_unavailable)
    app.register_error_handler(StorageUnavailable, _handle_storage_unavailable)
    app.register_error_handler(500, _handle_server_error)


def _handle_database_error(error: DBAPIError):
    """A driver's error in a view or a before_request hook: 503 when the database is unavailable; anything else
    (an IntegrityError, say) is a bug and goes on to the 500 handler as before."""
    if database_unavailable(error):
        return _handle_database_unavailable(error)
    raise error
