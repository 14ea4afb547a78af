"""Statement budgets (counts, never times): every main page of the benchmark (tests/performance/pages.py) issues the
same number of SQL statements with the demo and 30 seeded households as with 60 more, and no more than
MAX_STATEMENTS. The times are the benchmark's (`make bench`)."""

from __future__ import annotations

from portal import demo
from portal.extensions import db as portal_db
from portal.models import User
from tests.performance.pages import BASELINE, MAX_STATEMENTS, PAGES, counting_statements, find_accounts
from tests.support import db_session_of, start_session_key

SMALL, MORE = 30, 60


def _seed(app, households: int) -> None:
    with app.app_context():
        demo.seed_all(app, households=households)
        portal_db.session.commit()


def _statements_per_page(app, client_factory, engine) -> dict[str, int]:
    """Each page opened by its person (found by query in the data as it is now): the statements of the second
    request (the first may fill a cache)."""
    with app.app_context():
        accounts = find_accounts()
        portal_db.session.rollback()
    counts = {}
    for page in [BASELINE, *PAGES]:
        client = client_factory()
        session = db_session_of(client)
        key = start_session_key(session, session.get(User, accounts.user_for(page.role)))
        session.close()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = key, True
        path = page.path(accounts)
        assert client.get(path).status_code == 200, (page.name, path)
        with counting_statements(engine) as counter:
            assert client.get(path).status_code == 200, (page.name, path)
        counts[page.name] = counter.count
    return counts


def test_every_main_page_issues_the_same_statements_at_two_sizes_and_at_most_the_budget(app, db, engine):
    _seed(app, SMALL)
    small = _statements_per_page(app, app.test_client, engine)
    _seed(app, MORE)
    more = _statements_per_page(app, app.test_client, engine)
    assert more == small
    over = {name: count for name, count in more.items() if count > MAX_STATEMENTS}
    assert not over, f"over the budget of {MAX_STATEMENTS} statements: {over}"
