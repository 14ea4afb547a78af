"""Where to send people: safe "next" links and each role's home page; the menu's counts, in one statement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, select

from portal.extensions import db
from portal.models import User


def safe_next(target: str | None, default_endpoint: str = "portal.dashboard") -> str:
    """Only local paths are followed, so a crafted link can't bounce a family to another site after sign-in."""
    if target and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # CR/LF would break the header
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(default_endpoint)


# -- the menu's counts ---------------------------------------------------------------------------------------------
# Every signed-in page draws the menu, and some of its entries depend on the database (the unread threads' badge, a
# family's "Children in my home"). Each package registers the SQL expression of its count here; the menu asks for
# all of them in ONE statement, once per request, instead of one statement each.

MenuCount = Callable[[User], ColumnElement | None]
_MENU_COUNTS: dict[str, MenuCount] = {}


def register_menu_count(name: str, expression_for: MenuCount) -> None:
    """`expression_for(user)`: a scalar SQL expression (a count, an EXISTS) for this person's menu, or None when
    their menu doesn't show it (then it is absent from `menu_counts()`)."""
    _MENU_COUNTS[name] = expression_for


def menu_counts() -> dict[str, Any]:
    """The signed-in person's menu counts by name, in one statement the first time a page asks (kept on `g`)."""
    if "menu_counts" in g:
        return g.menu_counts
    counts: dict[str, Any] = {}
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        columns = [expression.label(name) for name, make in _MENU_COUNTS.items()
                   if (expression := make(user)) is not None]
        if columns:
            counts = dict(db.session.execute(select(*columns)).one()._mapping)
    g.menu_counts = counts
    return counts


def init_app(app) -> None:
    app.jinja_env.globals["menu_counts"] = menu_counts
