"""Search that ignores case and accents the same way on SQLite and PostgreSQL.

SQLite's lower() and LIKE fold ASCII letters only, PostgreSQL's lower() folds by the database's locale: "álvarez"
would find "Álvarez" on one and not the other, and "nunez" would find "Núñez" on neither. `fold(column)` is one SQL
construct with one meaning on both: on SQLite it calls `portal_fold`, a deterministic Python function registered on
every connection (portal/database.py), on PostgreSQL `lower(translate(...)) COLLATE "C"` with the table below (the
`unaccent` extension may not be installed; "C" compares the folded text by code point, as SQLite does, whatever the
database's locale). `fold_text` folds the typed search the same way in Python."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String


def fold_text(value: str | None) -> str:
    """Lower case without accents: "ÑÚÑEZ" -> "nunez". lower(), not casefold(): casefold turns "ß" into "ss", which
    PostgreSQL's translate() can't do (one character for one), and both databases must agree."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _translate_table() -> tuple[str, str]:
    """Every Latin letter with an accent (Latin-1 and Latin Extended-A: Spanish, Portuguese, French, Catalan...)
    that folds to one plain letter: the same result `fold_text` gives, as PostgreSQL translate() arguments."""
    source, target = [], []
    for code in range(0x00C0, 0x0180):
        ch = chr(code)
        folded = fold_text(ch)
        if len(folded) == 1 and folded.isascii() and folded != ch.lower():
            source.append(ch)
            target.append(folded)
    return "".join(source), "".join(target)


TRANSLATE_FROM, TRANSLATE_TO = _translate_table()


class fold(FunctionElement):  # lower case: reads as the SQL function it is, fold(Lead.last_name)
    """The column's text lower-cased without accents, on whichever database."""

    type = String()
    inherit_cache = True
    name = "fold"


@compiles(fold)
def _fold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element, compiler, **kw):
    return f"portal_fold({compiler.process(element.clauses, **kw)})"


@compiles(fold, "postgresql")
def _fold_postgresql(element, compiler, **kw):
    # Literal arguments, not bound ones: the same text every time (the statement cache and the index of a future
    # expression index both want that); they hold no quote to escape.
    # COLLATE "C": folded text compared character by character, as SQLite compares it. The database's own collation
    # (en_US, say) skips spaces and punctuation at first, so "Ana María" and "Anabel" would sort apart on the two.
    # In parentheses, so no operator placed after it binds inside; an expression index on it must say COLLATE "C" too.
    return (f"(lower(translate({compiler.process(element.clauses, **kw)}, "
            f"'{TRANSLATE_FROM}', '{TRANSLATE_TO}')) COLLATE \"C\")")


def _fold_for_sqlite(value: str | None) -> str | None:
    """fold_text for SQLite, which calls it once per row it sorts or filters (every child of an administrator's
    caseload, every account of the people list): plain ASCII needs only lower(); accented names repeat, so their
    folds are remembered (short ones: long text, such as an audit reason searched, would only churn the memory)."""
    if value is None:
        return None
    if value.isascii():
        return value.lower()
    return _remembered_fold(value) if len(value) <= 100 else fold_text(value)


@lru_cache(maxsize=4096)
def _remembered_fold(value: str) -> str:
    return fold_text(value)


def register_sqlite_fold(dbapi_connection) -> None:
    """`portal_fold(text)` on a SQLite connection (NULL stays NULL)."""
    dbapi_connection.create_function("portal_fold", 1, _fold_for_sqlite, deterministic=True)
