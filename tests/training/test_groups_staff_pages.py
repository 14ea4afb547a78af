"""Staff add and change support groups through the form (meetings made at once); hostile input is refused beside
the field with what was typed kept; families see groups in their own language first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.training.groups_support import make_group
from training.groups.models import GroupMeeting, SupportGroup

GOOD = {
    "name_en": "Teen parenting circle", "name_es": "Círculo de crianza de adolescentes", "description_en": "",
    "description_es": "", "language": "es", "facilitator": "Ana", "place": "1 Main St", "virtual_link": "",
    "recurrence": "monthly", "weekday": "1", "week_of_month": "2", "starts_on": "2026-01-01", "time_of_day": "18:30",
    "duration_minutes": "90", "childcare_capacity": "6", "counts_as_hours": "y", "hours": "1.5", "active": "y",
}


def test_staff_add_a_group_and_its_meetings_are_made(app, db, client, make_user):
    sign_in(client, make_user(Role.HOMEFINDER))
    assert client.get("/training/staff/groups/new").status_code == 200
    response = post_form(client, "/training/staff/groups/new", GOOD)
    assert response.status_code == 303, text_of(response)[:3000]
    group = db.session.scalar(select(SupportGroup).where(SupportGroup.name_en == GOOD["name_en"]))
    assert (group.credit_tenths, group.childcare_capacity, group.week_of_month) == (15, 6, 2)
    assert db.session.scalar(select(func.count()).select_from(GroupMeeting)
                             .where(GroupMeeting.group_id == group.id)) in (3, 4)
    assert client.get(f"/training/staff/groups/{group.id}").status_code == 200
    assert "Second Tuesday of the month at 6:30" in text_of(client.get("/training/staff/groups"))


@pytest.mark.parametrize("field,value,message", [
    ("virtual_link", "javascript:alert(1)", "Enter a full link starting with https://."),
    ("virtual_link", "javascript://example.com/%0aalert(1)", "Enter a full link starting with https://."),
    ("hours", "NaN", "Enter hours like 1.5 (at most 24)."),
    ("hours", "1e9", "Enter hours like 1.5 (at most 24)."),
    ("hours", "99", "Enter hours like 1.5 (at most 24)."),
    ("hours", "0", "Enter how many hours a meeting counts for."),
    ("duration_minutes", "99999999999999", "Not a valid integer value."),
    ("childcare_capacity", "-1", "Enter between 0 and 200 children."),
    ("recurrence", "yearly", "Not a valid choice."),
    ("weekday", "9", "Not a valid choice."),
    ("time_of_day", "25:99", "Not a valid time value."),
    ("name_en", "x" * 201, "Use at most 200 characters."),
    ("place", "", "Enter a place or a meeting link."),
])
def test_hostile_group_input_is_refused_beside_the_field(app, db, client, make_user, field, value, message):
    sign_in(client, make_user(Role.ADMIN))
    response = post_form(client, "/training/staff/groups/new", {**GOOD, field: value})
    assert response.status_code == 422
    assert message in text_of(response)
    assert GOOD["name_es"] in response.get_data(as_text=True) or field == "name_es"  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(SupportGroup)) == 0


def test_families_see_their_language_first(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    make_group(app, staff, name_en="Alpha circle", name_es="Círculo alfa", language="en")
    make_group(app, staff, name_en="Zeta circle", name_es="Círculo zeta", language="es")
    make_group(app, staff, name_en="Closed circle", name_es="Círculo cerrado", language="es", active=False)
    sign_in(client, make_user(Role.FAMILY, locale="es"))
    page = text_of(client.get("/training/groups"))
    assert page.index("Círculo zeta") < page.index("Círculo alfa")
    assert "Círculo cerrado" not in page
    closed = db.session.scalar(select(SupportGroup.id).where(SupportGroup.name_en == "Closed circle"))
    assert client.get(f"/training/groups/{closed}").status_code == 404


def test_staff_change_a_group(app, db, client, make_user):
    staff = make_user(Role.HOMEFINDER)
    group_id = make_group(app, staff, counts_as_hours=True, credit_tenths=15)
    sign_in(client, staff)
    page = client.get(f"/training/staff/groups/{group_id}").get_data(as_text=True)
    assert 'value="1.5"' in page and 'value="18:30"' in page
    response = post_form(client, f"/training/staff/groups/{group_id}",
                         {**GOOD, "name_en": "Renamed circle", "hours": "2", "childcare_capacity": "0"})
    assert response.status_code == 303
    group = db.session.scalar(select(SupportGroup).where(SupportGroup.id == group_id)
                              .execution_options(populate_existing=True))
    assert (group.name_en, group.credit_tenths, group.recurrence.value) == ("Renamed circle", 20, "monthly")
