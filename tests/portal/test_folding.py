"""Search folds case and accents the same way on SQLite and PostgreSQL (portal/folding.py): SQLite's lower() and
LIKE fold ASCII only, so "álvarez" would miss "Álvarez" there and find it on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import column, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from licensing.recruitment.models import Interest, Lead, LeadSource, LeadStatus
from portal.extensions import db as portal_db
from portal.folding import TRANSLATE_FROM, TRANSLATE_TO, fold, fold_text
from portal.models import Role
from tests.conftest import text_of


def test_fold_text_lowers_and_drops_accents():
    assert fold_text("ÑÚÑEZ Álvarez") == "nunez alvarez"
    assert fold_text("Çedille ÿ İ") == "cedille y i"
    assert fold_text(None) is None


def test_the_postgresql_table_folds_each_letter_as_python_does():
    assert len(TRANSLATE_FROM) == len(TRANSLATE_TO) and "'" not in TRANSLATE_FROM + TRANSLATE_TO
    assert all(fold_text(a) == b for a, b in zip(TRANSLATE_FROM, TRANSLATE_TO, strict=True))
    assert {"Á", "á", "Ñ", "ñ", "Ü", "ü"} <= set(TRANSLATE_FROM)


def test_fold_compiles_for_each_database():
    expression = fold(column("last_name"))
    assert str(expression.compile(dialect=sqlite.dialect())) == "portal_fold(last_name)"
    on_postgresql = str(expression.compile(dialect=postgresql.dialect()))
    assert on_postgresql.startswith("(lower(translate(last_name, 'ÀÁ")
    # Compared character by character as on SQLite, whatever the database's collation (this server's is C.UTF-8,
    # where an ordering test could not tell; en_US would put "Anabel" before "Ana María").
    assert on_postgresql.endswith(') COLLATE "C")')


def test_the_sqlite_fold_is_fold_text_with_a_shortcut_for_plain_ascii():
    from portal.folding import _fold_for_sqlite, fold_text

    for value in ("Ñúñez", "ÁLVAREZ", "plain Name", "straße", "İstanbul", "", None):
        assert _fold_for_sqlite(value) == fold_text(value)


def test_sqlite_connections_fold_in_sql(app):
    with app.app_context():
        assert portal_db.session.scalar(select(fold(literal("ÑÚÑEZ Álvarez")))) == "nunez alvarez"


def test_the_leads_list_finds_names_whatever_the_accents(client, db, login):
    login(Role.HOMEFINDER)
    for first, last in [("José", "Álvarez"), ("Inés", "Núñez"), ("Mark", "Alvarado")]:
        db.session.add(Lead(first_name=first, last_name=last, email=f"{first.lower()}@example.com",
                            preferred_locale="es", source=LeadSource.EVENT, interest=Interest.FOSTER,
                            status=LeadStatus.NEW))
    db.session.commit()

    def found(q: str) -> list[str]:
        page = text_of(client.get("/licensing/staff/leads", query_string={"q": q}))
        return [name for name in ("José Álvarez", "Inés Núñez", "Mark Alvarado") if name in page]

    assert found("álvarez") == ["José Álvarez"]
    assert found("ALVAREZ") == ["José Álvarez"]
    assert found("nunez") == ["Inés Núñez"]
    assert found("ÑÚÑEZ") == ["Inés Núñez"]
    assert found("alva") == ["José Álvarez", "Mark Alvarado"]
