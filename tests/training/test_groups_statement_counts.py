"""The support-group pages and the training calendar issue a fixed number of SQL statements whatever the number of
groups, meetings, answers and enrollments (compared at two sizes)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Role
from tests.conftest import sign_in, text_of
from tests.training.groups_support import add_meeting, enroll, family_with_applicants, join, make_group
from training.catalog.models import ChildcareStatus
from training.groups.models import GroupRsvp


def add(app, make_user, family, members, staff, size: int, ids: dict | None = None) -> dict:
    """`size` more groups the family joined and answered, `size` more two-meeting courses it is enrolled in, and
    `size` more households answering the first meeting (the staff's meeting page lists them)."""
    for n in range(size):
        group_id = make_group(app, staff, name_en=f"Group {n}", childcare_capacity=3)
        join(app, family.household_id, group_id)
        meeting_id = add_meeting(app, group_id, now_utc() + timedelta(days=2, minutes=7 + n), childcare_capacity=3)
        if ids is None:
            ids = {"group": group_id, "meeting": meeting_id}
        answer(app, meeting_id, family.household_id)
        enroll(app, members[0], family.household_id,
               [now_utc() + timedelta(days=3, minutes=n), now_utc() + timedelta(days=4, minutes=n)],
               title=f"Course {n}")
        other, _ = family_with_applicants(app, make_user)
        join(app, other.household_id, ids["group"])
        answer(app, ids["meeting"], other.household_id, children=1)
    return ids


def answer(app, meeting_id: int, household_id: int, children: int = 0) -> None:
    with app.app_context():
        portal_db.session.add(GroupRsvp(meeting_id=meeting_id, household_id=household_id, people=2,
                                        childcare_children=children, childcare_ages="5" if children else "",
                                        childcare_status=ChildcareStatus.WAITLISTED if children else
                                        ChildcareStatus.NONE))
        portal_db.session.commit()


def test_statement_counts_do_not_grow(app, db, make_user, count_queries):
    staff = make_user(Role.HOMEFINDER)
    family, members = family_with_applicants(app, make_user)
    client, staff_client = app.test_client(), app.test_client()
    sign_in(client, family)
    sign_in(staff_client, staff)
    month = (now_utc() + timedelta(days=3)).astimezone(ZoneInfo(app.config["PORTAL_TIMEZONE"])).strftime("%Y-%m")

    def measure(ids):
        urls = {
            "family groups": (client, "/training/groups"),
            "family group": (client, f"/training/groups/{ids['group']}"),
            "calendar": (client, f"/training/calendar?month={month}"),
            "ics": (client, "/training/calendar.ics"),
            "staff groups": (staff_client, "/training/staff/groups"),
            "staff group": (staff_client, f"/training/staff/groups/{ids['group']}"),
            "staff meeting": (staff_client, f"/training/staff/groups/meetings/{ids['meeting']}"),
        }
        found, pages = {}, {}
        for name, (device, url) in urls.items():
            device.get(url)  # warm: first-request work (sessions, caches) is not the page's
            with count_queries() as counter:
                response = device.get(url)
            assert response.status_code == 200, (name, response.status_code)
            found[name], pages[name] = counter.count, response
        return found, pages

    ids = add(app, make_user, family, members, staff, 2)
    small, _ = measure(ids)
    add(app, make_user, family, members, staff, 5, ids)
    large, pages = measure(ids)
    assert large == small, {name: (small[name], large[name]) for name in small}
    # The larger size is really on the pages measured.
    assert text_of(pages["calendar"]).count("Course 4") == 2
    assert text_of(pages["family groups"]).count("Group 4") == 1
    assert pages["ics"].get_data().count(b"BEGIN:VEVENT") == 7 * 2 + 7
    assert "7 children on the waitlist" in text_of(pages["staff meeting"])


def test_staff_list_is_paged_with_the_same_statements_below_and_above_a_page(app, db, make_user, count_queries):
    from datetime import time

    from portal.clock import agency_today
    from training.groups.models import Recurrence, SupportGroup

    staff = make_user(Role.ADMIN)
    client = app.test_client()
    sign_in(client, staff)

    def add_groups(count: int) -> None:
        with app.app_context():
            portal_db.session.add_all([SupportGroup(name_en=f"Circle {n:03d}", name_es=f"Círculo {n:03d}",
                                                    recurrence=Recurrence.WEEKLY, starts_on=agency_today(),
                                                    time_of_day=time(18, 30)) for n in range(count)])
            portal_db.session.commit()

    def measure() -> int:
        client.get("/training/staff/groups")
        with count_queries() as counter:
            response = client.get("/training/staff/groups")
        assert response.status_code == 200
        return counter.count

    add_groups(3)
    below = measure()
    add_groups(60)
    above = measure()
    assert above == below
    page = text_of(client.get("/training/staff/groups?page=2"))
    assert "Showing 51\u201363 of 63" in page
