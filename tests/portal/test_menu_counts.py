"""The menu's counts (portal/navigation.py): every count a signed-in page's menu shows, read in one statement."""

from __future__ import annotations

from tests.conftest import text_of
from tests.messaging.conftest import (
    client_for,
    start,
    thread_id_from,
    world,  # noqa: F401  (fixture)
)


def _menu_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "message_thread_mark" in s or "placement" in s]


def test_a_family_page_reads_the_menus_counts_in_one_statement(app, db, world, count_queries):  # noqa: F811
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id))
    coordinator = client_for(app, world.coordinator)
    coordinator.get("/messages/")  # the coordinator reads nothing: the family's thread is unread by them
    family_b = client_for(app, world.family_b)
    with count_queries() as counter:
        page = family.get("/account")
    assert page.status_code == 200
    # The child placed with the family (its menu group and entry) and its unread badge, from one statement.
    assert len(_menu_statements(counter.statements)) == 1
    assert "Children in my home" in text_of(page)
    with count_queries() as counter:
        page = family_b.get("/account")
    assert len(_menu_statements(counter.statements)) == 1
    assert "Children in my home" not in text_of(page)


def test_the_badge_counts_the_staff_members_unread_threads(app, db, world):  # noqa: F811
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id, subject="One"))
    thread_id_from(start(family, world.coordinator.id, subject="Two"))
    page = client_for(app, world.coordinator).get("/account").get_data(as_text=True)
    assert "2 unread threads" in page


def test_the_home_page_badge_comes_from_the_messages_card(app, db, world, count_queries):  # noqa: F811
    """On the home page the messages card already counts the unread threads: the badge shows the same number without
    a statement of its own (a homefinder's or coordinator's home page: the card's statement only)."""
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id, subject="One"))
    thread_id_from(start(family, world.coordinator.id, subject="Two"))
    coordinator = client_for(app, world.coordinator)
    with count_queries() as counter:
        page = coordinator.get("/dashboard")
    assert page.status_code == 200
    assert "2 unread threads" in page.get_data(as_text=True)
    unread_counts = [s for s in counter.statements if "message_thread_mark" in s]
    assert len(unread_counts) == 1, unread_counts
