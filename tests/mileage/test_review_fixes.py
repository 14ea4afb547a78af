"""Review fixes of mileage: a coordinator works a claim only when every trip is of a child on their caseload; a staff
read of a claim is a read of the children's records; miles in the reader's language; the trip form's choices."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from portal.mileage.models import MileageClaim
from portal.models import AuditEvent, Role
from tests.conftest import post_form, sign_in, text_of
from tests.court_reports.helpers import place_child
from tests.mileage.test_mileage import today_of, trip_form


def _mixed_claim(app, db, client, make_user):
    """One household, two children of two coordinators, one claim with a trip of each."""
    family = make_user(Role.FAMILY, full_name="Ana Rivera")
    mine, theirs = make_user(Role.COORDINATOR), make_user(Role.COORDINATOR)
    child = place_child(db, family.household_id, mine.id, first_name="Mia")
    other = place_child(db, family.household_id, theirs.id, first_name="Zoe")
    sign_in(client, family)
    day = today_of(app)
    for who in (child, other):
        assert post_form(client, "/mileage/trips/new", trip_form(who.id, day)).status_code == 303
    assert post_form(client, "/mileage/claims/new", {"month": day.strftime("%Y-%m")}).status_code == 303
    return mine, theirs, db.session.scalar(select(MileageClaim)), day


def test_a_coordinator_never_opens_a_claim_naming_another_coordinators_child(app, db, client, make_user):
    mine, _theirs, claim, day = _mixed_claim(app, db, client, make_user)
    staff = app.test_client()
    sign_in(staff, mine)
    assert staff.get(f"/mileage/staff/claims/{claim.id}").status_code == 404
    assert post_form(staff, f"/mileage/staff/claims/{claim.id}", {"decision": "approve"}).status_code == 404
    assert "Zoe" not in text_of(staff.get("/mileage/staff/claims"))
    body = staff.get(f"/mileage/staff/claims.csv?month={day:%Y-%m}").get_data(as_text=True)
    assert "Zoe" not in body and len(list(csv.reader(io.StringIO(body)))) == 1
    admin = app.test_client()
    sign_in(admin, make_user(Role.ADMIN))
    page = admin.get(f"/mileage/staff/claims/{claim.id}")
    assert page.status_code == 200 and "Zoe" in text_of(page) and "Mia" in text_of(page)
    rows = list(csv.reader(io.StringIO(admin.get(f"/mileage/staff/claims.csv?month={day:%Y-%m}")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3


def test_opening_a_claim_records_a_read_of_each_childs_record(app, db, client, make_user):
    family = make_user(Role.FAMILY)
    coordinator = make_user(Role.COORDINATOR)
    child = place_child(db, family.household_id, coordinator.id)
    sign_in(client, family)
    day = today_of(app)
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, day)).status_code == 303
    assert post_form(client, "/mileage/claims/new", {"month": day.strftime("%Y-%m")}).status_code == 303
    claim = db.session.scalar(select(MileageClaim))
    staff = app.test_client()
    sign_in(staff, coordinator)
    assert staff.get(f"/mileage/staff/claims/{claim.id}").status_code == 200
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_viewed")).all()
    assert [(e.actor_id, e.child_id) for e in reads] == [(coordinator.id, child.id)]


def test_trips_stack_on_phones_with_miles_in_one_decimal(app, db, client, make_user):
    family = make_user(Role.FAMILY)
    coordinator = make_user(Role.COORDINATOR)
    child = place_child(db, family.household_id, coordinator.id)
    sign_in(client, family)
    day = today_of(app)
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, day, "12")).status_code == 303
    assert post_form(client, "/mileage/claims/new", {"month": day.strftime("%Y-%m")}).status_code == 303
    claim = db.session.scalar(select(MileageClaim))
    page = client.get(f"/mileage/claims/{claim.id}").get_data(as_text=True)
    stacked = page.split('class="list-unstyled d-md-none trips-stacked"')[1].split("</ul>")[0]
    assert "12.0 miles" in stacked  # the miles in view on a phone, one decimal
    assert "d-none d-md-block" in page


def test_claim_statuses_have_a_context_of_their_own_and_masculine_spanish(app):
    from flask_babel import force_locale

    from portal.mileage.models import CLAIM_STATUS_LABELS, CLAIM_STATUS_WORDS, ClaimStatus

    assert set(CLAIM_STATUS_LABELS) == set(CLAIM_STATUS_WORDS)
    with app.test_request_context(), force_locale("es"):
        for label in CLAIM_STATUS_LABELS.values():  # "reclamo" is masculine; the application's words are feminine
            assert str(label).split()[0].endswith("o"), str(label)
        assert str(CLAIM_STATUS_LABELS[ClaimStatus.RETURNED]) == "Devuelto para cambios"


def test_the_trip_forms_appointments_say_their_kind_and_time(app, db, client, make_user):
    from datetime import timedelta

    from portal.children.models import Appointment, AppointmentKind
    from portal.database import now_utc

    family = make_user(Role.FAMILY)
    child = place_child(db, family.household_id, make_user(Role.COORDINATOR).id, first_name="Sofia")
    db.session.add(Appointment(child_id=child.id, kind=AppointmentKind.DENTAL, title="",
                               starts_at=now_utc() - timedelta(days=2), place="Smile Dental"))
    db.session.commit()
    sign_in(client, family)
    page = text_of(client.get("/mileage/trips/new"))
    assert "Sofia: Dental appointment," in page and ("AM" in page or "PM" in page)
