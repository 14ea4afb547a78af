"""Transport and mileage: trips for a placed child only, the month's claim in whole cents at the agency's rate
(a snapshot), staff's decision, CSV safe to open in a spreadsheet, and who may reach each record."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.children.models import AppointmentKind
from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.mileage import services
from portal.mileage.models import ClaimStatus, MileageClaim, Trip
from portal.models import AuditEvent, OutboxMessage, Role
from portal.settings import AgencySetting
from tests.conftest import post_form, sign_in, text_of
from tests.court_reports.helpers import end_placement, hearing, place_child


def today_of(app):
    with app.app_context():
        return agency_today()


def trip_form(child_id: int, day, miles: str = "12.5", **more) -> dict:
    return {"child_id": str(child_id), "trip_on": day.isoformat(), "from_place": "Home", "to_place": "Clinic",
            "purpose": "Check-up", "miles": miles, "appointment_id": "0", **more}


@pytest.fixture
def family_with_child(app, db, client, make_user):
    family = make_user(Role.FAMILY, full_name="Ana Rivera")
    coordinator = make_user(Role.COORDINATOR)
    child = place_child(db, family.household_id, coordinator.id)
    sign_in(client, family)
    return family, coordinator, child


def test_family_logs_trips_and_claims_the_month_in_cents(app, db, client, family_with_child):
    _family, _coordinator, child = family_with_child
    today = today_of(app)
    day = today.replace(day=1) if today.day > 1 else today
    for miles in ("12.5", "7,3", "0.1"):
        assert post_form(client, "/mileage/trips/new", trip_form(child.id, day, miles)).status_code == 303
    trips = db.session.scalars(select(Trip).order_by(Trip.id)).all()
    assert [t.tenths for t in trips] == [125, 73, 1]
    db.session.add(AgencySetting(key="mileage_rate_cents", value="67"))
    db.session.commit()
    month = day.strftime("%Y-%m")
    preview = client.get(f"/mileage/claims/new?month={month}")
    assert preview.status_code == 200 and "$13.33" in text_of(preview)  # 19.9 miles times $0.67 = $13.333
    assert post_form(client, "/mileage/claims/new", {"month": month}).status_code == 303
    claim = db.session.scalar(select(MileageClaim))
    assert (claim.rate_cents, claim.total_tenths, claim.amount_cents, claim.status) == (67, 199, 1333,
                                                                                        ClaimStatus.SUBMITTED)
    assert db.session.scalar(select(func.count()).select_from(Trip).where(Trip.claim_id == claim.id)) == 3
    # A changed rate does not change a submitted claim.
    db.session.get(AgencySetting, "mileage_rate_cents").value = "80"
    db.session.commit()
    assert "$13.33" in text_of(client.get(f"/mileage/claims/{claim.id}"))
    # Nothing left to claim for that month.
    assert post_form(client, "/mileage/claims/new", {"month": month}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(MileageClaim)) == 1


def test_amounts_round_half_up_to_whole_cents():
    assert services.amount_for(199, 67) == 1333  # 1333.3
    assert services.amount_for(15, 70) == 105
    assert services.amount_for(1, 5) == 1  # 0.5 cents
    assert services.amount_for(1, 4) == 0


@pytest.mark.parametrize("miles", ["", "abc", "1e3", "-5", "12.55", "0", "1000.1", "NaN", "١٢"])
def test_bad_miles_are_refused_beside_the_field(app, db, client, family_with_child, miles):
    _family, _coordinator, child = family_with_child
    response = post_form(client, "/mileage/trips/new", trip_form(child.id, today_of(app), miles))
    assert response.status_code == 422
    assert f'value="{miles}"' in response.get_data(as_text=True) or miles == ""
    assert db.session.scalar(select(func.count()).select_from(Trip)) == 0


def test_trip_dates_and_appointments_must_be_the_childs(app, db, client, family_with_child, make_user):
    _family, coordinator, child = family_with_child
    today = today_of(app)
    future = post_form(client, "/mileage/trips/new", trip_form(child.id, today + timedelta(days=1)))
    before = post_form(client, "/mileage/trips/new", trip_form(child.id, today - timedelta(days=40)))
    assert future.status_code == 422 and before.status_code == 422
    other_child = place_child(db, make_user(Role.FAMILY).household_id, coordinator.id, first_name="Leo")
    theirs = hearing(db, other_child.id, now_utc() - timedelta(days=1), kind=AppointmentKind.MEDICAL)
    ours = hearing(db, child.id, now_utc() - timedelta(days=1), kind=AppointmentKind.MEDICAL)
    refused = post_form(client, "/mileage/trips/new", trip_form(child.id, today, appointment_id=str(theirs.id)))
    assert refused.status_code == 422
    page = client.get("/mileage/trips/new").get_data(as_text=True)
    assert f'<option value="{ours.id}">Mia:' in page and "Leo" not in page
    assert post_form(client, "/mileage/trips/new",
                     trip_form(child.id, today, appointment_id=str(ours.id))).status_code == 303
    assert db.session.scalar(select(Trip.appointment_id)) == ours.id
    # Another family's child can't be chosen.
    assert post_form(client, "/mileage/trips/new", trip_form(other_child.id, today)).status_code == 422


def _claim(app, db, client, child, day=None) -> MileageClaim:
    day = day or today_of(app)
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, day)).status_code == 303
    assert post_form(client, "/mileage/claims/new", {"month": day.strftime("%Y-%m")}).status_code == 303
    return db.session.scalar(select(MileageClaim).order_by(MileageClaim.id.desc()))


def test_staff_return_the_family_fixes_and_resubmits_then_approval(app, db, client, family_with_child, make_user):
    family, coordinator, child = family_with_child
    claim = _claim(app, db, client, child)
    trip = db.session.scalar(select(Trip))
    # In a submitted claim the family can't change the trip.
    assert client.get(f"/mileage/trips/{trip.id}").status_code == 404
    staff = app.test_client()
    sign_in(staff, coordinator)
    assert "Ana" in text_of(staff.get("/mileage/staff/claims")) or "Household" in text_of(
        staff.get("/mileage/staff/claims"))
    no_reason = post_form(staff, f"/mileage/staff/claims/{claim.id}", {"decision": "return", "reason": ""})
    assert no_reason.status_code == 422
    assert post_form(staff, f"/mileage/staff/claims/{claim.id}",
                     {"decision": "return", "reason": "The clinic is 10.5 miles away."}).status_code == 303
    db.session.expire_all()
    assert db.session.get(MileageClaim, claim.id).status is ClaimStatus.RETURNED
    returned = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "mileage_claim_returned"))
    assert returned.recipient == family.email and "10.5 miles" in returned.body_text
    assert "10.5 miles away" in text_of(client.get(f"/mileage/claims/{claim.id}"))
    fixed = trip_form(child.id, trip.trip_on, "10.5")
    assert post_form(client, f"/mileage/trips/{trip.id}", fixed).status_code == 303
    assert post_form(client, f"/mileage/claims/{claim.id}/resubmit").status_code == 303
    db.session.expire_all()
    claim = db.session.get(MileageClaim, claim.id)
    assert (claim.status, claim.total_tenths, claim.amount_cents) == (ClaimStatus.SUBMITTED, 105, 735)
    assert post_form(staff, f"/mileage/staff/claims/{claim.id}", {"decision": "approve"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(MileageClaim, claim.id).status is ClaimStatus.APPROVED
    moves = db.session.scalars(select(AuditEvent.to_status).where(AuditEvent.target_type == "MileageClaim",
                                                                  AuditEvent.action == "status_changed")).all()
    assert moves == ["returned", "submitted", "approved"]


def test_another_family_and_another_coordinator_get_404(app, db, client, family_with_child, make_user):
    _family, _coordinator, child = family_with_child
    claim = _claim(app, db, client, child)
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, today_of(app))).status_code == 303
    open_trip = db.session.scalar(select(Trip).where(Trip.claim_id.is_(None)))
    other = app.test_client()
    sign_in(other, make_user(Role.FAMILY))
    assert other.get(f"/mileage/trips/{open_trip.id}").status_code == 404
    assert post_form(other, f"/mileage/trips/{open_trip.id}/delete").status_code == 404
    assert other.get(f"/mileage/claims/{claim.id}").status_code == 404
    assert post_form(other, f"/mileage/claims/{claim.id}/resubmit").status_code == 404
    assert "Mia" not in text_of(other.get("/mileage/"))
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.COORDINATOR))
    assert stranger.get(f"/mileage/staff/claims/{claim.id}").status_code == 404
    assert "Household" not in text_of(stranger.get("/mileage/staff/claims"))
    assert len(list(csv.reader(io.StringIO(stranger.get("/mileage/staff/claims.csv").get_data(as_text=True))))) == 1


def test_an_ended_placement_stops_trips_but_keeps_the_familys_claims(app, db, client, family_with_child):
    _family, _coordinator, child = family_with_child
    claim = _claim(app, db, client, child)
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, today_of(app))).status_code == 303
    open_trip = db.session.scalar(select(Trip).where(Trip.claim_id.is_(None)))
    end_placement(db, child.id)
    assert client.get(f"/mileage/trips/{open_trip.id}").status_code == 404
    assert post_form(client, f"/mileage/trips/{open_trip.id}/delete").status_code == 404
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, today_of(app))).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Trip)) == 2
    assert client.get(f"/mileage/claims/{claim.id}").status_code == 200  # its own money records


def test_csv_is_safe_in_a_spreadsheet(app, db, client, family_with_child, make_user):
    _family, coordinator, child = family_with_child
    today = today_of(app)
    hostile = trip_form(child.id, today, to_place="=HYPERLINK(\"http://evil\")", purpose="+1 cmd|' /C calc'!A0")
    assert post_form(client, "/mileage/trips/new", hostile).status_code == 303
    assert post_form(client, "/mileage/claims/new", {"month": today.strftime("%Y-%m")}).status_code == 303
    staff = app.test_client()
    sign_in(staff, coordinator)
    response = staff.get(f"/mileage/staff/claims.csv?month={today:%Y-%m}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2
    assert "'=HYPERLINK(\"http://evil\")" in rows[1] and "'+1 cmd|' /C calc'!A0" in rows[1]
    assert "12.5" in rows[1] and "Mia Lopez" in rows[1]


def test_coordinator_logs_a_trip_for_the_family(app, db, family_with_child, make_user):
    family, coordinator, child = family_with_child
    staff = app.test_client()
    sign_in(staff, coordinator)
    assert post_form(staff, "/mileage/staff/trips/new", trip_form(child.id, today_of(app))).status_code == 303
    trip = db.session.scalar(select(Trip))
    assert (trip.household_id, trip.logged_by_id) == (family.household_id, coordinator.id)
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.COORDINATOR))
    assert post_form(stranger, "/mileage/staff/trips/new", trip_form(child.id, today_of(app))).status_code == 422


@pytest.mark.parametrize("who", ["family", "coordinator"])
def test_the_lists_are_bounded_in_statements(app, db, client, make_user, count_queries, who):
    family = make_user(Role.FAMILY)
    coordinator = make_user(Role.COORDINATOR)
    sign_in(client, family if who == "family" else coordinator)
    url = "/mileage/" if who == "family" else "/mileage/staff/claims"
    counts = []
    with app.app_context():
        today = agency_today()
        for size in (2, 6):
            while portal_db.session.scalar(select(func.count()).select_from(MileageClaim)) < size:
                child = place_child(db, family.household_id, coordinator.id,
                                    first_name=f"Kid{portal_db.session.scalar(select(func.count(Trip.id)))}")
                for _ in range(2):
                    services.log_trip(family, family.household_id, child.id, {
                        "trip_on": today, "from_place": "A", "to_place": "B", "purpose": "School", "tenths": 40,
                        "appointment_id": None}, today)
                services.submit_claim(family, family.household_id, today, today)
                services.log_trip(family, family.household_id, child.id, {
                    "trip_on": today, "from_place": "A", "to_place": "B", "purpose": "Visit", "tenths": 15,
                    "appointment_id": None}, today)  # unclaimed
                portal_db.session.commit()
            client.get(url)  # the session's first look-ups are not the page's
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(counter.count)
    assert counts[0] == counts[1]


def test_a_trips_places_read_origin_and_destination_in_spanish(app, db, client, family_with_child):
    """"From"/"To" are "Desde"/"Hasta" for dates; a trip's places are "Origen"/"Destino" (form, list, CSV)."""
    family, _coordinator, child = family_with_child
    db.session.get(type(family), family.id).preferred_locale = "es"
    db.session.commit()
    form = client.get("/mileage/trips/new").get_data(as_text=True)
    assert 'Origen</label>' in form and 'Destino</label>' in form and "Desde" not in form
    today = today_of(app)
    day = today.replace(day=1) if today.day > 1 else today
    assert post_form(client, "/mileage/trips/new", trip_form(child.id, day)).status_code == 303
    listed = client.get(f"/mileage/claims/new?month={day.strftime('%Y-%m')}").get_data(as_text=True)
    assert '<th scope="col">Origen</th>' in listed and '<th scope="col">Destino</th>' in listed
    assert "Hasta" not in listed


def test_the_miles_limit_is_written_without_a_thousands_comma(app, db, client, family_with_child):
    """Today's walkthrough: "Escriba entre 0.1 y 1,000 millas" where "12,5" is read as 12.5, so "1,000" is 1.0."""
    _family, _coordinator, child = family_with_child
    text = text_of(post_form(client, "/mileage/trips/new", trip_form(child.id, today_of(app), "1000.1")))
    assert "Enter between 0.1 and 1000 miles." in text and "1,000" not in text


def test_the_familys_home_names_a_returned_claim_until_it_is_sent_again(app, db, client, family_with_child):
    """Today's walkthrough: a returned claim was said only in an email and under a submenu (unpaid until sent)."""
    _family, coordinator, child = family_with_child
    claim = _claim(app, db, client, child)
    assert "mileage-returned" not in client.get("/dashboard").get_data(as_text=True)
    staff = app.test_client()
    sign_in(staff, coordinator)
    assert post_form(staff, f"/mileage/staff/claims/{claim.id}",
                     {"decision": "return", "reason": "Add the clinic's address."}).status_code == 303
    home = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/mileage/claims/{claim.id}"' in home and "needs changes." in home
    assert post_form(client, f"/mileage/claims/{claim.id}/resubmit").status_code == 303
    assert "mileage-returned" not in client.get("/dashboard").get_data(as_text=True)
