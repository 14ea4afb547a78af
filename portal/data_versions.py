"""Data versions: a token per kind of data, changed in the same transaction as the data, so that a costly summary of
it (the recruitment metrics) can be kept in memory and served again until the data it reads changes.

Why a token in the database, and not a time-to-live: the summary must never be stale, and every process (gunicorn
workers, app servers, cron commands) must see a change made by any other. The token is a random string, new at every
commit that changed a watched table; it and the data become visible together (one transaction), so a summary cached
under a token always describes the data as it was under that token. A rolled-back transaction takes its new token
back with its data. Random rather than a counter: a database rebuilt from scratch (tests) never repeats an old one.

What counts as a change: rows of a watched model added, deleted or updated through the session (objects, and bulk
`insert()`/`update()`/`delete()` statements of the model run by `db.session.execute`), except columns declared
noise (a lead's "last activity", written at every family action, moves no metric). Not seen: statements run on a
connection rather than the session (`session.connection().execute`, `engine.begin()`), SQL typed by hand (`text()`,
psql), an older release still writing during a rolling upgrade. Nothing in the portal writes watched tables those
ways; as a safety net, every migration run gives every version a new token (migrations/env.py) and nothing is
remembered longer than MEMORY_SECONDS.

The token's row is written last, just before COMMIT, so the row lock it takes on PostgreSQL is held only for the
commit itself and two writers can't wait on each other in opposite orders."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import String, event, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from portal.database import Base

T = TypeVar("T")


class DataVersion(Base):
    __tablename__ = "data_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


@dataclass(frozen=True)
class _Watch:
    version: str
    only: frozenset[str] | None  # columns whose change counts (None: all of them)
    ignore: frozenset[str]  # columns whose change alone counts for nothing

    def counts(self, columns: Iterable[str] | None) -> bool:
        """Whether updating these columns changes the version (None: columns unknown, so yes)."""
        if columns is None:
            return True
        changed = set(columns) - self.ignore
        return bool(changed & self.only) if self.only is not None else bool(changed)


_watches: dict[str, list[_Watch]] = {}  # table name -> the versions it moves
PENDING = "data_versions_changed"  # session.info key: the versions this transaction changed, not yet committed


def watch(version: str, *models, only: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> None:
    """A commit that writes rows of these models moves `version` (see the module's docstring).

    `only`: an update counts only when it touches one of these columns, and an insert not at all (deletes always
    count). `ignore`: an update of only these columns counts for nothing."""
    for model in models:
        table = model.__table__.name
        entry = _Watch(version, frozenset(only) if only is not None else None, frozenset(ignore))
        if entry not in _watches.setdefault(table, []):
            _watches[table].append(entry)


def _note(session: Session, table: str, change: str, columns: Iterable[str] | None = None) -> None:
    """`change`: "insert", "update" (of `columns`; None: unknown) or "delete"."""
    for entry in _watches.get(table, ()):
        # A row added to a model watched for some columns only (a new account) is nobody's yet: nothing to count.
        counts = {"delete": True, "insert": entry.only is None}.get(change)
        if counts if counts is not None else entry.counts(columns):
            session.info.setdefault(PENDING, set()).add(entry.version)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    if not _watches:
        return
    for instances, change in ((session.new, "insert"), (session.deleted, "delete"), (session.dirty, "update")):
        for instance in instances:
            table = getattr(getattr(instance, "__table__", None), "name", None)
            if table not in _watches:
                continue
            columns = None
            if change == "update":
                columns = [attr.key for attr in inspect(instance).attrs if attr.history.has_changes()]
            _note(session, table, change, columns)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    if not _watches or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in _watches:
        return
    change = "update" if state.is_update else "insert" if state.is_insert else "delete"
    _note(state.session, table, change, updated_columns(state) if state.is_update else None)


def updated_columns(state: ORMExecuteState) -> set[str] | None:
    """The columns an UPDATE statement sets (`.values(...)`, or the dictionaries of an update by primary key); None
    when it can't be told. Also read by licensing/pipeline/finished.py."""
    names = {getattr(key, "key", key) for key in (getattr(state.statement, "_values", None) or {})}
    parameters = state.parameters
    for row in parameters if isinstance(parameters, list) else [parameters or {}]:
        names.update(row)
    return {str(name) for name in names} or None


@event.listens_for(Session, "before_commit")
def _move_versions(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the outermost COMMIT moves the versions
    session.flush()  # what the commit would flush next may be watched: note it now
    names = sorted(session.info.get(PENDING, ()))
    if not names:
        return
    dialect = session.get_bind().dialect.name
    for name in names:
        token = secrets.token_hex(16)
        moved = session.execute(update(DataVersion).where(DataVersion.name == name).values(token=token)
                                .execution_options(synchronize_session=False)).rowcount
        if not moved:  # the first change ever: an upsert, in case another transaction creates it at the same time
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            session.execute(insert(DataVersion).values(name=name, token=token)
                            .on_conflict_do_update(index_elements=["name"], set_={"token": token}))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    # Only the outermost transaction's end (COMMIT, or ROLLBACK of everything) settles what it changed; a SAVEPOINT
    # rolled back keeps what was noted before it (at worst the version moves once for nothing).
    if transaction.parent is None:
        session.info.pop(PENDING, None)


# --- The memory of computed summaries -----------------------------------------------------------------------------

_memory: OrderedDict[tuple, tuple[float, object]] = OrderedDict()  # (version, token, key) -> (when, value)
_memory_lock = threading.Lock()
# Periods of the metrics, the board's filters and searches (typed searches must not push the metrics out); each
# entry is small (counts, not rows).
MEMORY_ENTRIES = 512
# The ceiling for a change no token saw (see the module's docstring): ten minutes at worst, then computed again.
MEMORY_SECONDS = 600.0


def remembered(session: Session, version: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s result for `key`, computed again only when `version` has moved since it was last computed
    in this process. Computed without memory when this transaction has changed the data itself (not yet
    committed, so no token says so) or when the version was never moved (no token yet)."""
    # Read first: the query flushes what this transaction has pending, and the flush notes what it changes.
    token = session.scalar(select(DataVersion.token).where(DataVersion.name == version))
    if token is None or version in session.info.get(PENDING, ()):
        return compute()
    entry = (version, token, key)
    with _memory_lock:
        found = _memory.get(entry)
        if found is not None and time.monotonic() - found[0] < MEMORY_SECONDS:
            _memory.move_to_end(entry)
            return found[1]  # type: ignore[return-value]
    value = compute()
    with _memory_lock:
        _memory[entry] = (time.monotonic(), value)
        _memory.move_to_end(entry)
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)
    return value


def new_tokens(connection) -> None:
    """Every version moves (run by migrations/env.py after every upgrade or downgrade: a migration may change data
    without the session seeing it)."""
    for (name,) in connection.execute(select(DataVersion.name)).all():
        connection.execute(update(DataVersion).where(DataVersion.name == name).values(token=secrets.token_hex(16)))


def forget_everything() -> None:
    """Empties this process's memory of summaries (tests that write with SQL typed by hand)."""
    with _memory_lock:
        _memory.clear()
