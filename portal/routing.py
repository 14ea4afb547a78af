"""How URLs are read: ids in paths are bounded to what the database can hold, so a huge or hostile id is a plain
404 (not found), never an overflow deep in the driver."""

from __future__ import annotations

import re

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER columns: PostgreSQL's is 32 bits.
MAX_ID = 2**31 - 1
ASCII_ID = re.compile(r"[0-9]{1,10}")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (Werkzeug's pattern takes any script's digits), at most
    MAX_ID."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def parse_id(value: str | None) -> int | None:
    """An id typed or posted in a form field (a session, an attendee), or None when it isn't one: one to ten ASCII
    digits (other scripts' digits, such as "²", are not numbers here), within MAX_ID."""
    if not value or ASCII_ID.fullmatch(value) is None:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def takes_several_files(view):
    """The route takes several files in one request (photos of each page of one document): its requests may be as
    large as MAX_UPLOAD_REQUEST_LENGTH; every other route keeps MAX_CONTENT_LENGTH. Put it right under the route."""
    view.takes_several_files = True
    return view


def refuse_unreadable_input() -> None:
    """Refused (400) before anything reads it: a multipart part whose name Werkzeug can't read (it comes back as
    None: no form has such a field), and a NUL character in the query or the form (nobody types one, and PostgreSQL
    can't store it in text: it would be a 500 deep in the driver). Path values are left to their routes: ids are
    digits, and tokens and keys are checked before any query (a bad emailed link keeps its own friendly page)."""
    if getattr(current_app.view_functions.get(request.endpoint or ""), "takes_several_files", False):
        request.max_content_length = current_app.config["MAX_UPLOAD_REQUEST_LENGTH"]
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)
    if request.method == "POST":
        for name, value in request.form.items(multi=True):
            if not isinstance(name, str) or "\x00" in name or "\x00" in value:
                abort(400)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: rules pick their converters when they are added.
    app.url_map.converters["int"] = IdConverter
    # First of the request hooks (before the CSRF check, which reads the field names too).
    app.before_request(refuse_unreadable_input)
