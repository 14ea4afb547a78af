"""Every staff list pages and searches on the server: a page number read safely from `?page=`, one COUNT over the
filtered query for the total, LIMIT/OFFSET for the rows, and a case-insensitive search that treats `%` and `_` as
the letters they are. Templates draw the summary and the links with templates/macros/paging.html."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true

from portal.extensions import db
from portal.folding import fold, fold_text

PAGE_SIZE = 50
# Far beyond any real list; bounds the OFFSET a typed URL can ask for (a huge number must not reach the database).
MAX_PAGE = 100_000
# Longer searches are cut: nobody types more, and each word becomes a LIKE per searched column.
MAX_QUERY_LENGTH = 100
MAX_WORDS = 5


@dataclass
class Page:
    """One page of a list: its rows, the total over every page, and where it is."""

    items: Sequence
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based; 0 on an empty list)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        """This list's address at another page, keeping every other query parameter (filters, the search)."""
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_number(value: str | None = None) -> int:
    """`?page=` as a positive whole number; anything else (empty, "abc", "-3", "1e9", "٣") is page 1."""
    value = request.args.get("page", "") if value is None else value
    if not re.fullmatch(r"[0-9]{1,7}", value.strip()):
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def paginate(query: Select, *, size: int = PAGE_SIZE, scalars: bool = True, number: int | None = None,
             total: int | None = None) -> Page:
    """Two statements whatever the data size: the COUNT of the filtered query, then its rows for this page. A page
    past the end shows the last page (a bookmark kept while rows were removed still finds something). A list that
    counted its rows already (the board's grouped counts per stage) gives `total` and saves the COUNT."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = page_number() if number is None else number
    number = min(number, max(1, math.ceil(total / size)))
    limited = query.limit(size).offset((number - 1) * size)
    items = db.session.scalars(limited).all() if scalars else db.session.execute(limited).all()
    return Page(items=items, total=total, number=number, size=size)


def search_text(value: str | None = None) -> str:
    """`?q=` trimmed and cut to a sane length (control characters dropped)."""
    value = request.args.get("q", "") if value is None else value
    value = "".join(ch for ch in value if ch.isprintable())
    return " ".join(value.split())[:MAX_QUERY_LENGTH]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _digits_only(column):
    """A phone number as digits, so "(555) 010-2020" is found by typing 5550102020 (or a part of it)."""
    for sign in (" ", "-", "(", ")", ".", "+", "/"):
        column = func.replace(column, sign, "")
    return column


def matches(text: str, *columns, phone=None, folded=None) -> ColumnElement[bool]:
    """Every word of the search appears (ignoring case and accents, anywhere) in one of the columns: "alvarez" and
    "ÁLVAREZ" both find "Álvarez", on SQLite as on PostgreSQL (portal/folding.py). A word of digits also finds a
    phone number written with spaces or dashes. An empty search matches everything. `folded` is a column holding
    text folded already when it was written (fold_text; Lead.search_folded): searched as it is, it spares the
    database folding each column of every row (on SQLite, a call into Python per row and column)."""
    words = text.split()[:MAX_WORDS]
    if not words:
        return true()
    conditions = []
    for word in words:
        pattern = _like(fold_text(word))
        options = [fold(column).like(pattern, escape="\\") for column in columns]
        if folded is not None:
            options.append(folded.like(pattern, escape="\\"))
        if phone is not None:
            digits = re.sub(r"[\s\-().+/]", "", word)
            if digits.isdigit() and digits.isascii() and len(digits) >= 3:
                options.append(_digits_only(phone).like(f"%{digits}%"))
        conditions.append(or_(*options) if options else false())
    return and_(*conditions)
