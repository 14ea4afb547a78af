"""Static files fast on a phone: versioned URLs cached for a year, text files sent gzipped; and the agency's icon.

`url_for('static', filename=...)` (and Bootstrap-Flask's files) get `?v=<hash of the file's bytes>`, so a changed
file has a new URL and the old one can be kept by browsers and proxies for a year (`immutable`). A request without
the current version is answered as before (`no-cache`: revalidated by its ETag).

CSS, JavaScript and SVG are gzipped once per file version and kept in memory. Pages are not compressed: they carry
CSRF tokens next to what people typed (BREACH), are `no-store` and small.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, send_file, url_for
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
COMPRESSIBLE = frozenset(
    {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json", "text/plain"}
)
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _fingerprint(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=128)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    # mtime=0: the same bytes every time, so every worker sends the same representation.
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _static_path(endpoint: str, filename: str | None) -> str | None:
    if endpoint == "static":
        folder = current_app.static_folder
    else:
        blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
        folder = blueprint.static_folder if blueprint else None
    path = safe_join(folder, filename) if folder and filename else None
    return path if path and os.path.isfile(path) else None


def file_version(path: str) -> str:
    """A short hash of the file's bytes (recomputed only when its mtime or size change)."""
    stat = os.stat(path)
    return _fingerprint(path, stat.st_mtime_ns, stat.st_size)


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint in STATIC_ENDPOINTS and "v" not in values:
        path = _static_path(endpoint, values.get("filename"))
        if path:
            values["v"] = file_version(path)


def _cache_and_compress(response: Response) -> Response:
    if request.endpoint not in STATIC_ENDPOINTS or response.status_code not in (200, 304):
        return response
    path = _static_path(request.endpoint, (request.view_args or {}).get("filename"))
    if path is None:
        return response
    if request.args.get("v") == file_version(path):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (
        response.status_code != 200
        or request.range is not None
        or "Content-Encoding" in response.headers
        or not request.accept_encodings["gzip"]
    ):
        return response
    stat = os.stat(path)
    body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
    etag, _weak = response.get_etag()
    response.close()  # the file send_file opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        # Weak: the same ETag for both encodings, and conditional requests still match either.
        response.set_etag(etag, weak=True)
    return response


def agency_icon_path(app: Flask) -> Path:
    """The icon browsers show in tabs and bookmarks: AGENCY_ICON, or the neutral house in static/."""
    configured = app.config.get("AGENCY_ICON") or str(Path(app.static_folder or "static") / "agency-icon.svg")
    path = Path(configured)
    if not path.is_absolute():
        path = Path(app.root_path) / path
    return path


def agency_icon_response() -> Response:
    """The icon, cached for a year when asked for by its versioned URL (the one pages link to)."""
    path = agency_icon_path(current_app)
    versioned = request.args.get("v") == file_version(str(path))
    response = send_file(path, mimetype=_icon_type(path), max_age=YEAR if versioned else None, conditional=True)
    if versioned:
        response.cache_control.public = True
        response.cache_control.immutable = True
    return response


def _icon_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "image/x-icon"


def init_app(app: Flask) -> None:
    icon = agency_icon_path(app)
    if not icon.is_file():
        raise RuntimeError(f"AGENCY_ICON: no file at {icon}")
    icon_type = _icon_type(icon)
    app.url_defaults(_add_version)
    app.after_request(_cache_and_compress)

    # Functions, not values: emails are rendered outside requests, where no URL can be built (and none is needed).
    app.jinja_env.globals.update(
        agency_icon_url=lambda: url_for("portal.favicon", v=file_version(str(icon))), agency_icon_type=icon_type
    )
