"""The matrix's records of a placed child (tests/portal/access_records.py): the household's own family gets through
on the id routes of the caregiver report and mileage, where every other role gets 404 (tests/portal)."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.conftest import post_form
from tests.portal.access_records import build_access_records, household_user
from tests.portal.test_access_rules import signed_in_as

OWN_ROUTES = [
    ("GET", "/court-reports/{court_report_id}", 200),
    ("GET", "/mileage/trips/{trip_id}", 200),
    ("POST", "/mileage/trips/{trip_id}/delete", 303),
    ("GET", "/mileage/claims/{claim_id}", 200),
    ("POST", "/mileage/claims/{claim_id}/resubmit", 409),  # submitted, not returned: refused with the reason
]


@pytest.mark.parametrize("method,url,expected", OWN_ROUTES)
def test_the_owning_family_gets_through(app, db, client, make_user, method, url, expected):
    records = build_access_records(app, make_user)
    try:
        signed_in_as(client, household_user(make_user, db, Role.FAMILY, records.household_id))
        address = url.format(**records.url_values())
        response = client.get(address) if method == "GET" else post_form(client, address)
        assert response.status_code == expected
    finally:
        records.stored_path.unlink(missing_ok=True)
        records.page_stored_path.unlink(missing_ok=True)
