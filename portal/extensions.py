"""The extension objects, created once and bound to the app in app.register_extensions."""

import logging
import os
import shlex

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from portal.database import Database


class PortalCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, tolerant of a malformed multipart body: a part whose name Werkzeug can't read comes
    back with the name None, and the library's search for a prefixed token field then crashed (a 500)."""

    def _get_csrf_token(self):
        field_name = current_app.config["WTF_CSRF_FIELD_NAME"]
        token = request.form.get(field_name)
        if token:
            return token
        for key in request.form:  # a form with a prefix names it {prefix}-csrf_token
            if isinstance(key, str) and key.endswith(field_name) and request.form[key]:
                return request.form[key]
        for header_name in current_app.config["WTF_CSRF_HEADERS"]:
            if request.headers.get(header_name):
                return request.headers.get(header_name)
        return None


db = Database()
login_manager = LoginManager()
csrf = PortalCSRFProtect()
mail = Mail()
babel = Babel()
bootstrap = Bootstrap5()
# Storage comes from RATELIMIT_STORAGE_URI, else REDIS_URL, else memory:// (init_limiter).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limiter_storage_uri(config) -> str:
    """Where rate limits and sign-in lockouts are counted: RATELIMIT_STORAGE_URI when given, else REDIS_URL (shared
    by every process and machine), else memory:// (each process counts alone)."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also takes other scripts' digits and superscripts, on which int() raises.
    return text.isascii() and text.isdigit()


def announced_processes() -> int:
    """How many app processes gunicorn is told to run: the larger of WEB_CONCURRENCY (gunicorn's default worker
    count) and a `--workers`/`-w` in GUNICORN_CMD_ARGS. A `--workers` typed on gunicorn's command line is not seen:
    the documented start uses `--workers ${WEB_CONCURRENCY:-4}` with WEB_CONCURRENCY set."""
    counts = [os.environ.get("WEB_CONCURRENCY", "")]
    args = shlex.split(os.environ.get("GUNICORN_CMD_ARGS", ""))
    for position, arg in enumerate(args):
        if arg in ("-w", "--workers") and position + 1 < len(args):
            counts.append(args[position + 1])
        elif arg.startswith("--workers="):
            counts.append(arg.partition("=")[2])
        elif arg.startswith("-w") and _ascii_digits(arg[2:]):
            counts.append(arg[2:])
    return max((int(count) for count in counts if _ascii_digits(count.strip())), default=1)


def init_limiter(app: Flask) -> None:
    """Bind the limiter to its storage. In production, limits counted in memory hold per process only: N processes
    allow N times the limit and split a lockout's failures between them. That is refused when more than one process
    is announced (announced_processes), and warned about otherwise (docs/deployment.md)."""
    uri = limiter_storage_uri(app.config)
    app.config["RATELIMIT_STORAGE_URI"] = uri
    if uri.startswith("memory://") and app.config.get("ENV_NAME") == "production":
        processes = announced_processes()
        if processes > 1:
            raise RuntimeError(f"{processes} gunicorn workers (WEB_CONCURRENCY, GUNICORN_CMD_ARGS) would each count "
                               "rate limits and sign-in lockouts alone: set REDIS_URL (or RATELIMIT_STORAGE_URI) to "
                               "a shared Redis.")
        logging.getLogger("portal").warning(
            "Rate limits and sign-in lockouts are counted in this process's memory: with more than one app process "
            "or server, set REDIS_URL so they are shared (docs/deployment.md).")
    limiter.init_app(app)
