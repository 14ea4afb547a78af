"""How URLs are read: ids in paths are bounded to what the database can hold, so a huge or hostile id is a plain
404 (not found), never an overflow deep in the driver."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER columns: PostgreSQL's is 32 bits.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: digits only (no signs, no other scripts' digits), at most MAX_ID."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def parse_id(value: str | None) -> int | None:
    """An id typed or posted in a form field (a session, an attendee), or None when it isn't one: ASCII digits
    only ("²" passes str.isdigit() but is not a number), within MAX_ID."""
    if not value or len(value) > 10 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def refuse_unnamed_fields() -> None:
    """A malformed multipart body can carry a part whose name Werkzeug can't read (it comes back as None): no form
    of the portal has such a field, and code that reads field names expects text. Refused before anything reads it."""
    if request.method == "POST" and any(not isinstance(name, str) for name in request.form):
        abort(400)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: rules pick their converters when they are added.
    app.url_map.converters["int"] = IdConverter
    # First of the request hooks (before the CSRF check, which reads the field names too).
    app.before_request(refuse_unnamed_fields)
