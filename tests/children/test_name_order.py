"""Lists and choices of people are in the order a Spanish-speaking agency reads names: accents and case ignored
("Álvarez" before "Baker", "María" before "Mark"), the same on SQLite and PostgreSQL. Byte order put every accented
capital after "z". The pipeline board's test is in tests/licensing/test_pipeline_board.py; here, the children's
fixtures are at hand."""

from __future__ import annotations

import html
import re

from portal.models import Role

# (first, last) in the wrong order for byte order; the order wanted is by last name, then first name.
NAMES = [("Mark", "Chen"), ("María", "Chen"), ("Zoe", "Zamora"), ("Óscar", "Álvarez"), ("ana", "Baker")]
WANTED = ["Óscar Álvarez", "ana Baker", "María Chen", "Mark Chen", "Zoe Zamora"]


def _links(response, prefix: str) -> list[str]:
    """The texts of the page's links to `prefix` + an id, in page order."""
    return [html.unescape(text) for text in
            re.findall(rf'<a href="{re.escape(prefix)}[0-9]+">([^<]+)</a>', response.get_data(as_text=True))]


def test_the_caseload_is_sorted_by_last_then_first_name_ignoring_accents(client, login, make_child):
    coordinator = login(Role.COORDINATOR)
    for first, last in NAMES:
        make_child(coordinator, first_name=first, last_name=last)
    assert _links(client.get("/children/"), "/children/") == WANTED


def test_the_admin_people_list_is_sorted_by_name_ignoring_accents(client, login, make_user):
    login(Role.ADMIN)
    for first, last in NAMES:
        make_user(Role.COORDINATOR, full_name=f"{first} {last}")
    assert _links(client.get("/admin/people?role=coordinator"), "/admin/people/") == \
        ["ana Baker", "María Chen", "Mark Chen", "Óscar Álvarez", "Zoe Zamora"]  # by full name, first name first


def test_the_coordinator_choices_are_sorted_by_name_ignoring_accents(client, login, make_user, make_child):
    login(Role.ADMIN)
    for name in ("Zoe Zamora", "Ángela Ruiz", "bruno Díaz"):
        make_user(Role.COORDINATOR, full_name=name)
    child = make_child()
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    choices = re.search(r'<select[^>]*name="coordinator".*?</select>', page, re.S).group(0)
    assert [html.unescape(text) for text in re.findall(r"<option[^>]*>([^<]+)</option>", choices)] == \
        ["Ángela Ruiz", "bruno Díaz", "Zoe Zamora"]
