"""The matching helper: only licensed households with room whose license covers the child's age; best first by
sibling groups, preferred ages, language and needs, each reason shown."""

from __future__ import annotations

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
