"""The pipeline board: every family from inquiry to license (and closed), filtered, searched, sorted and paged in the
database.

A page costs a fixed number of statements whatever the number of families: the homefinders for the filter (one), the
count per stage under the other filters (one grouped query: the stage links and the total come from it) and the page
of rows with only the columns shown (one; the next due checklist item is a correlated subquery joined in, not a
query per row). The CSV runs the same query without the page limit."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms import SelectChoice as C
from wtforms.validators import NumberRange, Optional, ValidationError

from licensing.application.models import Application
from licensing.pipeline.metrics import PIPELINE_VERSION
from licensing.pipeline.stages import (
    STAGE_LABELS,
    STAGES,
    homefinder_column,
    pipeline_select,
    stage_column,
    stalled_after,
    stalled_condition,
)
from licensing.recruitment.labels import SOURCE_LABELS
from licensing.recruitment.models import Lead, LeadSource
from licensing.roles import LICENSING_STAFF
from licensing.tracker.models import ChecklistItem, ItemStatus, RequirementTemplate
from portal.data_versions import remembered
from portal.database import now_utc
from portal.extensions import db
from portal.folding import fold, fold_text
from portal.forms import IntegerField
from portal.i18n import LANGUAGE_LABELS, current_language, local_to_utc
from portal.models import Role, User
from portal.paging import PAGE_SIZE, Page, matches, search_text

# A checklist item that needs nothing more from anyone.
DONE_ITEMS = (ItemStatus.APPROVED, ItemStatus.WAIVED)

SORT_LABELS = {
    "days": _l("Days in stage"),
    "activity": _l("Last activity"),
    "received": _l("First inquiry"),
    "name": _l("Name"),
    "stage": _l("Stage"),
    "due": _l("Next due"),
}
WHO_MINE, WHO_ALL, WHO_NONE = "mine", "all", "none"


def _sensible_date(form, date_field) -> None:
    # A year like 0001 would overflow turning the agency's midnight into UTC: refused as a bad date, not a 500.
    if date_field.data is not None and not 1900 <= date_field.data.year <= 2999:
        raise ValidationError(_l("Choose a date between 1900 and 2999."))


class BoardFilterForm(FlaskForm):
    """The board's filters, read from the query string. A value that isn't one of the choices (or isn't a date) is
    said beside its field and ignored: the board shows, never a 500."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    # The same search as every staff list (portal/paging.py): each word anywhere in the name, email or phone.
    q = StringField(_l("Name, email or phone"), filters=[lambda v: search_text(v or "")])
    who = SelectField(_l("Homefinder"), choices=[])
    stage = SelectField(_l("Stage"), choices=[C("", _l("All stages")), *(C(s.value, STAGE_LABELS[s]) for s in STAGES)],
                        default="")
    language = SelectField(_l("Language"),
                           choices=[C("", _l("All languages")),
                                    *(C(code, label) for code, label in LANGUAGE_LABELS.items())], default="")
    source = SelectField(_l("Source"),
                         choices=[C("", _l("All sources")), *(C(s.value, SOURCE_LABELS[s]) for s in LeadSource)],
                         default="")
    county = StringField(_l("County"), filters=[lambda v: (v or "").strip()[:100]])
    zip_code = StringField(_l("ZIP code"), filters=[lambda v: (v or "").strip()[:10]])
    received_from = DateField(_l("First inquiry from"), validators=[Optional(), _sensible_date])
    received_to = DateField(_l("First inquiry to"), validators=[Optional(), _sensible_date])
    stalled = BooleanField(_l("Only stalled families"))
    sort = SelectField(_l("Sort by"), choices=[C(key, label) for key, label in SORT_LABELS.items()], default="days")
    direction = SelectField(_l("Order"), choices=[C("desc", _l("Descending")), C("asc", _l("Ascending"))],
                            default="desc")
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100_000)], default=1)

    def validate_received_to(self, field) -> None:
        # Said beside the field (and the end ignored), as the metrics do, instead of "no family matches".
        start = self.received_from.data
        if field.data is not None and start is not None and not self.received_from.errors and field.data < start:
            raise ValidationError(_l("The end of the period can't be before its start."))


@dataclass
class BoardFilter:
    who: str = WHO_ALL  # mine, all, none (unassigned) or a homefinder's id
    q: str = ""
    stage: str = ""
    language: str = ""
    source: str = ""
    county: str = ""
    zip_code: str = ""
    received_from: date | None = None
    received_to: date | None = None
    stalled: bool = False
    sort: str = "days"
    direction: str = "desc"
    page: int = 1

    def query_args(self, **changes) -> dict[str, str]:
        """The filters as query-string values (the paging and stage links keep them); empty ones left out."""
        values = {**vars(self), **changes}
        args = {}
        for name, value in values.items():
            if value in ("", None, False) or (name == "page" and value == 1):
                continue
            args[name] = "y" if value is True else value.isoformat() if isinstance(value, date) else str(value)
        return args


def homefinder_choices() -> list[tuple[int, str]]:
    """The people a family can be assigned to: active homefinders and supervisors (one query)."""
    return [(row.id, row.full_name) for row in db.session.execute(
        select(User.id, User.full_name).where(User.role.in_(LICENSING_STAFF), User.is_active.is_(True))
        .order_by(fold(User.full_name), User.id))]


# The filters' fixed choices, each list translated once per language for the process (the catalog does not change
# while it runs): a lazy label is translated again each time a page is drawn, twice per option.
_FIXED_CHOICES = ("stage", "language", "source", "sort", "direction")
_WHO_CHOICES = [C(WHO_MINE, _l("My families")), C(WHO_ALL, _l("Everyone's families")),
                C(WHO_NONE, _l("Not assigned"))]


@functools.cache
def _translated_choices(name: str, language: str) -> tuple[C, ...]:
    """The choices of the filter `name` with their labels in `language` (the request's: called in it)."""
    choices = _WHO_CHOICES if name == "who" else getattr(BoardFilterForm, name).kwargs["choices"]
    return tuple(C(choice.value, str(choice.label)) for choice in choices)


def read_filter(args, user: User, homefinders: list[tuple[int, str]]) -> tuple[BoardFilterForm, BoardFilter]:
    """The form (for the page, with its errors) and the filter it means. A homefinder who gave no homefinder filter
    sees their own families ("my families"); anyone else sees everyone's."""
    form = BoardFilterForm(formdata=args)
    language = current_language()
    for name in _FIXED_CHOICES:
        form[name].choices = _translated_choices(name, language)
    form.who.choices = [*_translated_choices("who", language), *(C(str(hid), name) for hid, name in homefinders)]
    if "who" not in args:
        form.who.data = WHO_MINE if user.role is Role.HOMEFINDER else WHO_ALL
    form.validate()
    board_filter = BoardFilter()
    for name in vars(board_filter):
        field_ = form[name]
        if not field_.errors and field_.data not in (None, ""):
            setattr(board_filter, name, field_.data)
    if form.who.errors:  # an unknown homefinder: the default view instead
        board_filter.who = WHO_MINE if user.role is Role.HOMEFINDER else WHO_ALL
    return form, board_filter


# -- the query ----------------------------------------------------------------------------------------------------



def _conditions(board_filter: BoardFilter, user: User) -> list:
    """Every filter but the stage (the stage links count under these)."""
    conditions = []
    who = board_filter.who
    if who == WHO_MINE:
        conditions.append(homefinder_column() == user.id)
    elif who == WHO_NONE:
        conditions.append(homefinder_column().is_(None))
    elif who != WHO_ALL:
        conditions.append(homefinder_column() == int(who))
    if board_filter.q:
        # The leads list's search (licensing/recruitment/lists.py): "Garcia Ana" finds Ana García on both; the name
        # and email are read folded already (Lead.search_folded).
        conditions.append(matches(board_filter.q, folded=Lead.search_folded, phone=Lead.phone))
    if board_filter.language:
        conditions.append(Lead.preferred_locale == board_filter.language)
    if board_filter.source:
        conditions.append(Lead.source == LeadSource(board_filter.source))
    if board_filter.county:
        conditions.append(fold(Lead.county) == fold_text(board_filter.county))
    if board_filter.zip_code:
        conditions.append(Lead.zip_code.startswith(board_filter.zip_code, autoescape=True))
    if board_filter.received_from:
        conditions.append(Lead.created_at >= local_to_utc(datetime.combine(board_filter.received_from, time())))
    if board_filter.received_to:
        conditions.append(Lead.created_at < local_to_utc(
            datetime.combine(board_filter.received_to + timedelta(days=1), time())))
    if board_filter.stalled:
        conditions.append(stalled_condition())
    return conditions


def stage_counts(board_filter: BoardFilter, user: User) -> dict[str, int]:
    """How many families each stage has under the other filters (one grouped query over every family).

    Remembered until the pipeline's data changes (portal/data_versions.py; one statement reads its version): paging
    through the board, sorting it, or coming back to it count nothing again while nobody moved a family. A stage,
    and every filter but "only stalled", reads what moves the version; "only stalled" reads the clock and a lead's
    last activity, which doesn't move it: those counts are always counted."""
    if board_filter.stalled:
        return dict(_count_stages(board_filter, user))
    key = ("board stage counts", user.id if board_filter.who == WHO_MINE else None, board_filter.who, board_filter.q,
           board_filter.language, board_filter.source, board_filter.county, board_filter.zip_code,
           board_filter.received_from, board_filter.received_to)
    return dict(remembered(db.session, PIPELINE_VERSION, key, lambda: _count_stages(board_filter, user)))


def _count_stages(board_filter: BoardFilter, user: User) -> tuple[tuple[str, int], ...]:
    stage = stage_column()
    staged = pipeline_select(stage.label("stage")).where(*_conditions(board_filter, user)).subquery()
    rows = db.session.execute(select(staged.c.stage, func.count()).group_by(staged.c.stage))
    return tuple((stage_value, count) for stage_value, count in rows)


# Made once: an alias builds a proxy of every column of its table, which cost more than the rest of the query.
_HOMEFINDER = aliased(User)
_NEXT_ITEM = aliased(ChecklistItem)


@functools.cache
def _first_open_item():
    """The id of the application's next checklist item due and not done (correlated to the enclosing Application);
    built once, like the aliases."""
    return (select(ChecklistItem.id)
            .where(ChecklistItem.application_id == Application.id, ChecklistItem.status.not_in(DONE_ITEMS),
                   ChecklistItem.due_date.is_not(None))
            .order_by(ChecklistItem.due_date, ChecklistItem.id).limit(1)
            .correlate(Application).scalar_subquery())


def _rows_query(board_filter: BoardFilter, user: User, *, limit: int | None = None, offset: int = 0):
    """The board's rows in its order: every one (the CSV), or one page (`limit`, `offset`)."""
    stage = stage_column()
    homefinder, next_item = _HOMEFINDER, _NEXT_ITEM
    # Each sort as (expression, whether "descending" means the expression's ascending order, whether it can be
    # empty): the most days in a stage is the oldest change. Only the chosen one is built.
    sorts = {"days": lambda: (Lead.status_changed_at, True, False),
             "activity": lambda: (Lead.last_activity_at, False, False),
             "received": lambda: (Lead.created_at, False, False),
             # Folded, so "Álvarez" comes before "Baker" and "María" before "Mark" on both databases.
             "name": lambda: (fold(Lead.last_name + " " + Lead.first_name), False, False),
             "stage": lambda: (case({s.value: position for position, s in enumerate(STAGES)}, value=stage), False,
                               False),
             "due": lambda: (func.coalesce(next_item.due_date, Lead.next_follow_up_on), False, True)}
    expression, inverted, can_be_empty = sorts.get(board_filter.sort, sorts["days"])()
    ascending = (board_filter.direction == "asc") != inverted
    # Families without a value (no due item) last either way, then a stable order for paging. A column that is never
    # empty is sorted by itself alone, so the database walks its index (the default sort, days in the stage:
    # ix_lead_status_changed) and stops at the page's last family instead of sorting every family.
    order = ((expression.is_(None),) if can_be_empty else ()) + (
        expression.asc() if ascending else expression.desc(), Lead.id)
    conditions = _conditions(board_filter, user)
    if board_filter.stage:
        conditions.append(stage == board_filter.stage)

    def with_next_item(query):
        return query.outerjoin(next_item, next_item.id == _first_open_item())

    query = with_next_item(pipeline_select(
        Lead.id, Lead.first_name, Lead.last_name, Lead.email, Lead.phone, Lead.preferred_locale, Lead.source,
        Lead.county, Lead.zip_code, Lead.created_at, Lead.status_changed_at, Lead.last_activity_at,
        Lead.next_follow_up_on, Lead.closed_reason, Lead.finished, Application.id.label("application_id"),
        stage.label("stage"), homefinder.full_name.label("homefinder_name"),
        next_item.due_date.label("item_due_on"), next_item.custom_title.label("item_custom_title"),
        RequirementTemplate.title_en.label("item_title_en"), RequirementTemplate.title_es.label("item_title_es"))
        .outerjoin(homefinder, homefinder.id == homefinder_column()))
    query = query.outerjoin(RequirementTemplate, RequirementTemplate.id == next_item.template_id)
    if limit is None:
        return query.where(*conditions).order_by(*order)
    # A page: its families are chosen first by the filters and the order alone, and only those are read with their
    # homefinder and next due item (the item's subquery then runs for one page of families, not for every family
    # under the filters: the sort by due date is the one that needs it to choose). Same statement count.
    page_ids = pipeline_select(Lead.id).where(*conditions)
    if board_filter.sort == "due":
        page_ids = with_next_item(page_ids)
    page_ids = page_ids.order_by(*order).limit(limit).offset(offset).correlate(None)
    return query.where(Lead.id.in_(page_ids)).order_by(*order)


@dataclass
class BoardRow:
    lead_id: int
    name: str
    email: str
    phone: str
    language: str
    source: str
    county: str
    zip_code: str
    stage: str
    homefinder: str
    days_in_stage: int
    last_activity_at: datetime
    stalled: bool
    next_due_on: date | None
    next_due: str  # what is due: a checklist item's title, or the follow-up
    closed_reason: str
    application_id: int | None


def _board_row(row, now: datetime, stalled_before: datetime, language: str) -> BoardRow:
    if row.item_due_on is not None:
        title = row.item_title_es if language == "es" and row.item_title_es else row.item_title_en
        next_due_on, next_due = row.item_due_on, f"{title}: {row.item_custom_title}" if row.item_custom_title \
            else title
    elif row.next_follow_up_on is not None:
        next_due_on, next_due = row.next_follow_up_on, _("Follow-up")
    else:
        next_due_on, next_due = None, ""
    return BoardRow(
        lead_id=row.id, name=f"{row.first_name} {row.last_name}", email=row.email, phone=row.phone,
        language=row.preferred_locale, source=row.source.value if row.source else "", county=row.county,
        zip_code=row.zip_code, stage=row.stage, homefinder=row.homefinder_name or "",
        days_in_stage=max((now - row.status_changed_at).days, 0), last_activity_at=row.last_activity_at,
        # The flag the stalled filter and the home page's count read, so the three always agree.
        stalled=not row.finished and row.last_activity_at < stalled_before,
        next_due_on=next_due_on, next_due=next_due,
        closed_reason=row.closed_reason.value if row.closed_reason else "", application_id=row.application_id)


@dataclass
class BoardPage(Page):
    """A page of the shared pager (portal/paging.py; `items` are BoardRows) with the families per stage."""

    counts: dict[str, int] = field(default_factory=dict)
    counted_total: int = 0  # every family under the filters but the stage (the "all stages" link)

    @property
    def rows(self) -> list[BoardRow]:
        return list(self.items)


def board_page(board_filter: BoardFilter, user: User, language: str) -> BoardPage:
    """One page of the board, with the total and the counts per stage (two statements: the grouped counts give
    the total, so the pager runs no COUNT of its own)."""
    counts = stage_counts(board_filter, user)
    counted_total = sum(counts.values())
    total = counts.get(board_filter.stage, 0) if board_filter.stage else counted_total
    # A page past the end shows the last page, as every list does (portal/paging.py::paginate).
    number = min(board_filter.page, max(1, math.ceil(total / PAGE_SIZE)))
    rows = db.session.execute(_rows_query(board_filter, user, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE))
    now = now_utc()
    stalled_before = now - stalled_after()
    return BoardPage(items=[_board_row(row, now, stalled_before, language) for row in rows], total=total,
                     number=number, size=PAGE_SIZE, counts=counts, counted_total=counted_total)


def board_rows(board_filter: BoardFilter, user: User, language: str) -> list[BoardRow]:
    """Every family under the filters, sorted as on the board (the CSV): one query."""
    now = now_utc()
    stalled_before = now - stalled_after()
    return [_board_row(row, now, stalled_before, language)
            for row in db.session.execute(_rows_query(board_filter, user))]
