"""On the day the license is issued the licensing checklist reads finished, and the license year's renewal is counted
apart ("Renewal: 0 of 3 done, due by ..."), on the family's checklist, the family's home page and the staff's page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from licensing.tracker.models import ChecklistItem, ItemStatus, License, LicenseStatus
from licensing.tracker.services.checklists import Progress, household_renewal
from portal.i18n import date_filter
from portal.models import Role
from tests.conftest import post_form, sign_in, text_of
from tests.licensing.test_tracker import approve_everything, submitted  # noqa: F401  (a fixture)
from tests.support import agency_today


def issue_license(app, db, application_id: int, make_user) -> None:
    admin = make_user(Role.ADMIN)
    supervisor = app.test_client()
    sign_in(supervisor, admin)
    approve_everything(app, db, application_id, admin)
    effective = agency_today()
    issued = post_form(
        supervisor,
        f"/licensing/staff/applications/{application_id}/license",
        {
            "number": "FH-2026-0042",
            "type": "foster",
            "capacity": "2",
            "age_min": "0",
            "age_max": "10",
            "effective_on": effective.isoformat(),
            "expires_on": (effective + timedelta(days=365)).isoformat(),
        },
    )
    assert issued.status_code == 303


def test_licensed_family_sees_a_finished_checklist_and_the_renewal_apart(app, client, db, submitted, make_user):  # noqa: F811
    user, application_id = submitted
    issue_license(app, db, application_id, make_user)
    db.session.expire_all()
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.application_id == application_id)).all()
    initial = [i for i in items if i.cycle == 0]
    renewal = [i for i in items if i.cycle == 1]
    assert renewal and initial
    with app.test_request_context():
        due = date_filter(max(i.due_date for i in renewal), "long")

    sign_in(client, user)  # a licensed family now
    page = text_of(client.get("/licensing/checklist"))
    assert f"Licensing checklist finished: all {len(initial)} items done" in page
    assert f"Renewal: 0 of {len(renewal)} done, due by {due}" in page
    assert f"of {len(items)} items done" not in page  # the renewal items are not counted with the licensing ones
    assert f"Renewal: 0 of {len(renewal)} done, due by {due}" in text_of(client.get("/dashboard"))

    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    staff_page = text_of(staff.get(f"/licensing/staff/applications/{application_id}/checklist"))
    assert f"{len(initial)} of {len(initial)} items done · Renewal: 0 of {len(renewal)} done" in staff_page


def test_before_the_license_the_checklist_counts_as_before(client, db, submitted):  # noqa: F811
    page = text_of(client.get("/licensing/checklist"))
    assert " items done" in page and "Renewal:" not in page and "Licensing checklist finished" not in page
    assert "Renewal:" not in text_of(client.get("/dashboard"))


def test_the_home_page_counts_the_licenses_current_renewal_year_only(app, client, db, submitted, make_user):  # noqa: F811
    user, application_id = submitted
    issue_license(app, db, application_id, make_user)
    db.session.expire_all()
    first_year = [
        i
        for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.application_id == application_id))
        if i.cycle == 1
    ]
    for item in first_year:  # the first license year is done; the second year's items are made, one is done
        item.status = ItemStatus.APPROVED
    second_year = [
        ChecklistItem(application_id=application_id, template_id=i.template_id, member_id=i.member_id, cycle=2)
        for i in first_year[:2]
    ]
    second_year[0].status = ItemStatus.APPROVED
    db.session.add_all(second_year)
    db.session.commit()
    with app.test_request_context():
        assert household_renewal(user.household_id) == Progress(done=1, total=2, due=None)
    sign_in(client, user)
    assert "Renewal: 1 of 2 done" in text_of(client.get("/dashboard"))

    license_ = db.session.scalar(select(License).where(License.application_id == application_id))
    license_.status = LicenseStatus.CLOSED  # the home closed: there is no renewal to do
    db.session.commit()
    with app.test_request_context():
        assert household_renewal(user.household_id) is None
    assert "Renewal:" not in text_of(client.get("/dashboard"))
