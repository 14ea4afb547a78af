"""Messaging fixtures: a family with a child placed with it, the child's coordinator, and people not assigned."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from portal.children.models import Child, Placement
from portal.clock import agency_today
from portal.models import Role, User
from tests.conftest import post_form, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    family: User
    family_b: User
    coordinator: User
    other_coordinator: User
    child_id: int
    placement_id: int


@pytest.fixture
def world(app, db, make_user) -> World:
    coordinator = make_user(Role.COORDINATOR, full_name="Carla Coordinator")
    other_coordinator = make_user(Role.COORDINATOR, full_name="Otto Other")
    family = make_user(Role.FAMILY, full_name="Rita Rivera")
    family_b = make_user(Role.FAMILY, full_name="Berta Bravo", locale="es")
    with app.app_context():
        today = agency_today()
    child = Child(first_name="Mia", last_name="Lopez", birth_date=date(2016, 3, 1), coordinator_id=coordinator.id)
    db.session.add(child)
    db.session.flush()
    placement = Placement(child_id=child.id, household_id=family.household_id, starts_on=today - timedelta(days=30))
    db.session.add(placement)
    db.session.commit()
    return World(family=family, family_b=family_b, coordinator=coordinator, other_coordinator=other_coordinator,
                 child_id=child.id, placement_id=placement.id)


def client_for(app, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user)
    return client


def start(client: FlaskClient, staff_id: int, *, subject="About school", body="Hello there", child_id=0,
          attachment: tuple[bytes, str] | None = None):
    data = {"staff_id": str(staff_id), "child_id": str(child_id), "subject": subject, "body": body}
    if attachment is not None:
        data["attachment"] = (io.BytesIO(attachment[0]), attachment[1])
    return post_form(client, "/messages/new", data)


def thread_id_from(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
