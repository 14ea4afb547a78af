"""The matching helper: only licensed households with room whose license covers the child's age; best first by
sibling groups, preferred ages, language and needs, each reason shown."""

from __future__ import annotations

from sqlalchemy import select

from portal.children.matching import matches_for
from portal.models import Role
from tests.conftest import text_of


def test_households_are_ranked_with_their_reasons(app, client, login, licensed_household, make_child, place, today):
    coordinator = login(Role.COORDINATOR)
    best = licensed_household(capacity=3, name="Best Home", preferences={
        "sibling_groups": True, "languages": "English, Spanish", "needs": ["medical"], "age_min": 5, "age_max": 12})
    middle = licensed_household(capacity=3, name="Middle Home", preferences={
        "languages": "Spanish", "needs": [], "age_min": 0, "age_max": 4})
    worst = licensed_household(capacity=2, name="Worst Home", preferences={
        "languages": "English", "needs": [], "age_min": 0, "age_max": 3})
    full = licensed_household(capacity=1, name="Full Home")
    place(make_child(coordinator), full)
    too_young = licensed_household(capacity=3, name="Babies Only", age_min=0, age_max=2)
    child = make_child(coordinator, age=8, preferred_locale="es", needs=["medical"], sibling_group="fam1")
    make_child(coordinator, age=6, sibling_group="fam1")

    with app.test_request_context():
        found, siblings = matches_for(child, today)
    names = [m.home.household_name for m in found]
    assert names == ["Best Home", "Middle Home", "Worst Home"]
    assert len(siblings) == 1
    assert all(m.home.household_id not in (full.household_id, too_young.household_id) for m in found)
    assert best.household_id == found[0].home.household_id and middle and worst

    page = client.get(f"/children/{child.id}/matches")
    assert page.status_code == 200
    text = text_of(page)
    for words in ("Takes sibling groups, with room for all 2", "Speaks Spanish", "Age outside their preference",
                  "Ready for the child's needs", "Room for all 2 brothers and sisters",
                  "Does not list the child's language", "Did not say they are ready for the child's needs"):
        assert words in text, words
    assert "Full Home" not in text and "Babies Only" not in text
    assert text.index("Best Home") < text.index("Middle Home") < text.index("Worst Home")


def test_the_license_source_answers_only_licenses_in_force(app, db, licensed_household, today):
    from datetime import timedelta

    from licensing.tracker.license_source import licensed_on
    from licensing.tracker.models import License, LicenseStatus

    current = licensed_household(capacity=3, age_min=2, age_max=9, preferences={
        "sibling_groups": True, "needs": ["medical", 7], "languages": "Spanish", "number_of_children": "2"})
    expired = licensed_household(expires_on=today - timedelta(days=1))
    closed = licensed_household()
    license_ = db.session.scalar(select(License).where(License.household_id == closed.household_id))
    license_.status = LicenseStatus.CLOSED
    db.session.commit()
    with app.app_context():
        homes = {home.household_id: home for home in licensed_on(today)}
        assert licensed_on(today, []) == []
        only = licensed_on(today, [current.household_id, expired.household_id])
    assert current.household_id in homes
    assert expired.household_id not in homes and closed.household_id not in homes
    home = homes[current.household_id]
    assert (home.capacity, home.age_min, home.age_max) == (3, 2, 9)
    assert (home.sibling_groups, home.needs, home.languages, home.preferred_count) == (True, ("medical",), "Spanish", 2)
    assert [h.household_id for h in only] == [current.household_id]


def test_the_matching_page_is_bounded(client, login, licensed_household, make_child, place, count_queries):
    coordinator = login(Role.COORDINATOR)
    child = make_child(coordinator, sibling_group="pair")
    make_child(coordinator, sibling_group="pair")

    def measure():
        with count_queries() as counter:
            assert client.get(f"/children/{child.id}/matches").status_code == 200
        return counter.count

    licensed_household()
    small = measure()
    for _ in range(8):
        place(make_child(coordinator), licensed_household(capacity=3))
    assert measure() == small
