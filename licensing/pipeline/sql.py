"""SQL the metrics and reports need that SQLite and PostgreSQL spell differently, and percentiles both answer alike.

PostgreSQL has percentile_cont; SQLite has no percentile at all. `percentiles()` ranks rows with ROW_NUMBER and
COUNT window functions (SQLite >= 3.25, PostgreSQL) and picks the row at rank ceil(p * n), the "nearest rank"
percentile: the same number on both databases, and always a value that occurred (no interpolation)."""

from __future__ import annotations

from sqlalchemy import Float, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


def rank_at(n, percent: int):
    """ceil(percent/100 * n) in integer arithmetic (SQLite has no ceil without its math extension)."""
    return (n * percent + 99) // 100


def percentiles(rows: Select, *, percents: tuple[int, ...] = (50, 90)) -> Select:
    """SELECT key, count, p50, p90 ... GROUP BY key, from `rows`: a SELECT of two columns named `key` and `value`
    (value never NULL). One statement whatever the number of rows."""
    source = rows.subquery("percentile_rows")
    ranked = select(
        source.c.key,
        source.c.value,
        func.row_number().over(partition_by=source.c.key, order_by=source.c.value).label("rn"),
        func.count().over(partition_by=source.c.key).label("n"),
    ).subquery("percentile_ranked")
    return (
        select(ranked.c.key, func.max(ranked.c.n).label("n"),
               *(func.max(case((ranked.c.rn == rank_at(ranked.c.n, p), ranked.c.value))).label(f"p{p}")
                 for p in percents))
        .group_by(ranked.c.key)
    )


class day_number(FunctionElement):
    """A UTC timestamp as days since 1970-01-01, with the fraction: read once per row, so that differences and
    ranks are plain arithmetic on numbers (parsing SQLite's timestamp text is the costly part of a metrics query)."""

    type = Float()
    inherit_cache = True
    name = "day_number"


@compiles(day_number)
def _day_number_sqlite(element, compiler, **kw):
    (column,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({column}) - 2440587.5)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element, compiler, **kw):
    (column,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM {column}) / 86400.0)"
