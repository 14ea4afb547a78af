"""The menu's counts (portal/navigation.py): every count a signed-in page's menu shows, read in one statement."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine

from portal.children.models import Placement
from portal.clock import agency_today, agency_zone
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


def test_the_statement_kept_for_a_kind_of_person_reads_each_persons_own_count(app, db, world):  # noqa: F811
    """The menu's statement is built once for each kind of person (portal/navigation.py) with their ids as bound
    parameters: two coordinators, one after the other, see their own badges."""
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id, subject="One"))
    thread_id_from(start(family, world.coordinator.id, subject="Two"))
    assert "2 unread threads" in client_for(app, world.coordinator).get("/account").get_data(as_text=True)
    other = client_for(app, world.other_coordinator).get("/account").get_data(as_text=True)
    assert "unread thread" not in other
    assert "2 unread threads" in client_for(app, world.coordinator).get("/account").get_data(as_text=True)


def test_the_kept_statement_reads_the_day_it_is_run_on(app, db, world):  # noqa: F811
    """A child placed from tomorrow is in the family's menu from tomorrow: "today" is bound when the statement runs,
    not when it was built."""
    with app.app_context():
        tomorrow = agency_today() + timedelta(days=1)
        noon_tomorrow = datetime.combine(tomorrow, time(12), tzinfo=agency_zone())
    placement = db.session.get(Placement, world.placement_id)
    placement.household_id, placement.starts_on = world.family_b.household_id, tomorrow
    db.session.commit()
    assert "Niños en mi hogar" not in text_of(client_for(app, world.family_b).get("/account"))  # she reads Spanish
    with time_machine.travel(noon_tomorrow, tick=False):
        assert "Niños en mi hogar" in text_of(client_for(app, world.family_b).get("/account"))
