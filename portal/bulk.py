"""Bulk INSERTs for the agency-scale seed: `session.execute(insert(Model), rows)` in batches, no ORM object per row.
Column defaults (`default=now_utc`, versions) still apply per row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, update

from portal.extensions import db

BATCH = 1000


def batches(rows: list[dict], size: int = BATCH) -> Iterable[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_rows(model, rows: list[dict]) -> None:
    for chunk in batches(rows):
        db.session.execute(insert(model), chunk)


def insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Bulk insert that gives back the new ids in the order of `rows` (to link the next table's rows to them)."""
    ids: list[int] = []
    for chunk in batches(rows):
        ids.extend(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), chunk))
    return ids


def update_by_id(model, rows: list[dict]) -> None:
    """ORM bulk UPDATE by primary key: each dict has `id` and the columns to set (one executemany per batch)."""
    for chunk in batches(rows):
        db.session.execute(update(model), chunk)
