"""Where to send people: safe "next" links and each role's home page; the menu's counts, in one statement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import g, request, url_for
from flask_login import current_user
from sqlalchemy import BindParameter, ColumnElement, Date, Integer, Select, bindparam, select

from portal.clock import agency_today
from portal.extensions import db
from portal.models import Role


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
#
# That statement is built once for each kind of person (role, household or not, home page or not) and day, not once
# per page: the expressions are built for a stand-in person (MenuPerson) whose id, household id and "today" are bound
# parameters; the person's values go in at execution. Building it was a third of a plain signed-in page's time.

HOME_PAGE = "portal.dashboard"
MENU_USER_ID = bindparam("menu_user_id", type_=Integer)
MENU_HOUSEHOLD_ID = bindparam("menu_household_id", type_=Integer)
MENU_TODAY = bindparam("menu_today", type_=Date)


@dataclass(frozen=True)
class MenuPerson:
    """Who the menu is drawn for, as a registered count sees them: the same attribute names as a User, so the
    packages' own clauses (a thread scope, a household's children) take it as they take a User. `id` and
    `household_id` are bound parameters (`household_id` None when the person has no household); `role` and whether
    the page is the home page are plain values, part of the statement's shape (a handful of shapes a day)."""

    role: Role
    has_household: bool
    on_home_page: bool  # the home page's cards may read a count themselves (the messages card, for its badge)
    today: BindParameter = MENU_TODAY
    id: BindParameter = MENU_USER_ID
    is_authenticated: bool = True
    is_active: bool = True

    @property
    def household_id(self) -> BindParameter | None:
        return MENU_HOUSEHOLD_ID if self.has_household else None


MenuCount = Callable[[MenuPerson], ColumnElement | None]
_MENU_COUNTS: dict[str, MenuCount] = {}


def register_menu_count(name: str, expression_for: MenuCount) -> None:
    """`expression_for(person)`: a scalar SQL expression (a count, an EXISTS) for this kind of person's menu, or None
    when their menu doesn't show it (then it is absent from `menu_counts()`). Use the person's `id`, `household_id`
    and `today` (bound parameters) for their values: never a value read elsewhere, which the statement kept for
    everyone of the same kind would carry."""
    _MENU_COUNTS[name] = expression_for
    _menu_statement.cache_clear()


@lru_cache(maxsize=64)
def _menu_statement(person: MenuPerson, _today: date) -> Select | None:
    # `_today` only in the key: a statement built on another day is not reused, even if a count read the date itself.
    columns = [expression.label(name) for name, make in _MENU_COUNTS.items()
               if (expression := make(person)) is not None]
    return select(*columns) if columns else None


def menu_counts() -> dict[str, Any]:
    """The signed-in person's menu counts by name, in one statement the first time a page asks (kept on `g`)."""
    if "menu_counts" in g:
        return g.menu_counts
    counts: dict[str, Any] = {}
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        today = agency_today()
        person = MenuPerson(user.role, user.household_id is not None, request.endpoint == HOME_PAGE)
        statement = _menu_statement(person, today)
        if statement is not None:
            values = {MENU_USER_ID.key: user.id, MENU_HOUSEHOLD_ID.key: user.household_id, MENU_TODAY.key: today}
            counts = dict(db.session.execute(statement, values).one()._mapping)
    g.menu_counts = counts
    return counts


def init_app(app) -> None:
    app.jinja_env.globals["menu_counts"] = menu_counts
