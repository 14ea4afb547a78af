"""Pages issue a fixed number of SQL statements whatever the number of children and appointments."""

from __future__ import annotations

from tests.appointments.conftest import act_as


def _count(count_queries, client, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _grow(place_child, add_appointment, family, coordinator, children: int, each: int) -> None:
    for n in range(children):
        placed = place_child(family=family, coordinator=coordinator, first_name=f"Kid{n}")
        for day in range(each):
            add_appointment(placed.child, days=day - each // 2, hour=9 + day % 8,
                            transport_answer="change_requested" if day % 3 == 0 else "none")


def test_family_list_and_month_and_feed_are_bounded(app, db, client, make_user, place_child, add_appointment,
                                                    count_queries):
    first = place_child()
    family, coordinator = first.family, first.coordinator
    add_appointment(first.child)
    act_as(client, family)
    from tests.conftest import post_form

    post_form(client, "/appointments/calendar-feed")
    with client.session_transaction() as session:
        feed = session["appointments_feed_url"].replace("http://localhost", "")
    urls = ["/appointments/family", "/dashboard", feed]
    small = [_count(count_queries, client, url) for url in urls]
    _grow(place_child, add_appointment, family, coordinator, children=4, each=12)
    large = [_count(count_queries, client, url) for url in urls]
    assert small == large


def test_coordinator_pages_are_bounded(app, db, client, make_user, place_child, add_appointment, count_queries):
    first = place_child()
    add_appointment(first.child)
    act_as(client, first.coordinator)
    urls = ["/appointments/upcoming", "/appointments/upcoming?show=changes", "/dashboard",
            f"/appointments/child/{first.child.id}"]
    small = [_count(count_queries, client, url) for url in urls]
    _grow(place_child, add_appointment, None, first.coordinator, children=6, each=12)  # over one page (50)
    for _ in range(12):
        add_appointment(first.child, days=5)
    large = [_count(count_queries, client, url) for url in urls]
    assert small == large


def test_a_family_page_reads_which_children_it_may_see_once(app, db, client, place_child, add_appointment,
                                                            count_queries):
    """The family's home page (its appointments card and its children) and its appointments page each ask the
    visibility rule from two places: one statement a request (portal/children/visibility.py::family_views)."""
    placed = place_child()
    add_appointment(placed.child)
    act_as(client, placed.family)
    for url in ("/dashboard", "/appointments/family"):
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        rule = [s for s in counter.statements if s.lstrip().startswith("SELECT placement.child_id AS child_id")]
        assert len(rule) == 1, (url, len(rule))
