"""Configuration from environment variables, with safe defaults (every variable is listed in README.md)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise RuntimeError("SECRET_KEY must be set in production.")
    # Development: a random key kept in instance/ so sessions survive restarts.
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()


def _portal_url(development: bool) -> str:
    """The portal's public address, for links in emails. In development, the address `make run` serves."""
    url = os.environ.get("PORTAL_URL", "").strip()
    if not url:
        if not development:
            raise RuntimeError("PORTAL_URL must be set in production (the address people open, e.g. "
                               "https://portal.example.org).")
        url = f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeError(f"PORTAL_URL must be an http(s) address like https://portal.example.org, not {url!r}.")
    return url.rstrip("/")


def from_environment() -> dict:
    env = os.environ.get("FLASK_ENV", os.environ.get("PORTAL_ENV", "development")).lower()
    development = env != "production"
    mail_server = os.environ.get("MAIL_SERVER", "")
    secure_cookies = _bool("SESSION_COOKIE_SECURE", not development)
    return {
        "ENV_NAME": env,
        "SECRET_KEY": _secret_key(env),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}"),
        "PORTAL_TIMEZONE": os.environ.get("PORTAL_TIMEZONE", "America/Los_Angeles"),
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "Foster Care Agency"),
        # The public address of the portal: every link in an email starts with it (portal/emails.py::portal_url).
        "PORTAL_URL": _portal_url(development),
        # Passkeys' relying party ID (portal/passkeys.py::rp_id): empty means PORTAL_URL's host ("localhost" for an
        # IP address). Passkeys registered under one RP ID don't work under another: set it once.
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID", "").strip(),
        # The icon of browser tabs and bookmarks (SVG, PNG or ICO); relative paths are read from the project's root.
        "AGENCY_ICON": os.environ.get("AGENCY_ICON", str(ROOT / "static" / "agency-icon.svg")),
        # Sessions and cookies (../shared/STACK.md: Flask-Login and sessions).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        # Signed-in sessions end after this long without a request (the cookie is renewed on each request).
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        "SESSION_PROTECTION": "basic",
        # A long application section can outlive Flask-WTF's one-hour default; we also re-render on CSRF errors.
        "WTF_CSRF_TIME_LIMIT": int(os.environ.get("CSRF_TIME_LIMIT_SECONDS", 8 * 3600)),
        # Uploaded documents (portal/storage.py): "local" keeps them in UPLOAD_FOLDER, outside the web root, never
        # served as static files; "s3" in a bucket of any S3-compatible store, so that several app servers share them.
        # S3 credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role).
        "STORAGE_BACKEND": os.environ.get("STORAGE_BACKEND", "local").strip().lower(),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads")),
        "S3_BUCKET": os.environ.get("S3_BUCKET", "").strip(),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", "").strip(),  # empty: AWS itself
        "S3_REGION": os.environ.get("S3_REGION", "").strip(),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),  # e.g. "documents/": one bucket, several kinds of objects
        "S3_ADDRESSING_STYLE": os.environ.get("S3_ADDRESSING_STYLE", "auto").strip().lower(),  # "path" for most MinIO
        "S3_SERVER_SIDE_ENCRYPTION": os.environ.get("S3_SERVER_SIDE_ENCRYPTION", "").strip(),  # e.g. AES256, aws:kms
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)),
        # Routes marked takes_several_files (the photos of each page of one document, each up to 10 MB).
        "MAX_UPLOAD_REQUEST_LENGTH": int(os.environ.get("MAX_UPLOAD_REQUEST_LENGTH", 40 * 1024 * 1024)),
        # Mail: without MAIL_SERVER, messages are written to the log (and the admin outbox page).
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "portal@localhost"),
        "MAIL_DELIVER_INLINE": _bool("MAIL_DELIVER_INLINE", development),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", 8)),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", 10)),  # seconds an SMTP server may stay silent
        # Redis, shared by every app process and machine: rate limits and sign-in lockouts (unless
        # RATELIMIT_STORAGE_URI names another storage) and the single-runner locks of cron jobs (portal/jobs.py).
        # Empty: limits are counted per process (memory://) and jobs lock through the database.
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        # Rate limit storage: empty means REDIS_URL, else memory:// (portal/extensions.py::init_limiter).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "").strip(),
        # While Redis is unreachable, limits are counted per process rather than every sign-in failing.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "30 per minute"),
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT", "20 per hour"),
        "EMAIL_RATE_LIMIT": os.environ.get("EMAIL_RATE_LIMIT", "10 per hour"),
        # Autosave of a section's draft (static/js/portal.js saves a second after typing stops), per person.
        "DRAFT_RATE_LIMIT": os.environ.get("DRAFT_RATE_LIMIT", "30 per minute"),
        # Wrong dates of birth typed on signing links, per address (each link also stops after 5 wrong ones).
        "SIGN_LINK_RATE_LIMIT": os.environ.get("SIGN_LINK_RATE_LIMIT", "10 per 15 minutes"),
        # The pipeline board flags a family "stalled" when nothing happened about it for this many days.
        "PIPELINE_STALLED_AFTER_DAYS": int(os.environ.get("PIPELINE_STALLED_AFTER_DAYS", 14)),
        "LOGIN_FAILURES_BEFORE_LOCKOUT": int(os.environ.get("LOGIN_FAILURES_BEFORE_LOCKOUT", 5)),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)),
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", 0)),
        # Stripe (training/payments/): without the secret key families are told to pay at the office. The webhook
        # secret verifies each event; STRIPE_API_BASE points the stripe library elsewhere (tests' loopback server).
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "").strip(),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "").strip(),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ["en", "es"],
    }
