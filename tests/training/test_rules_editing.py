"""The agency's training rule: an admin edits it with validation; the checklist's requirements and the counting
follow it."""

from __future__ import annotations

from sqlalchemy import select

from licensing.tracker.models import ItemStatus, RequirementTemplate
from portal.models import Role
from tests.conftest import post_form, text_of
from training.hours.models import TrainingRule

GOOD = {"version": "1", "preservice_hours": "30", "inservice_hours": "20", "inservice_categories": ["in_service"],
        "cpr_valid_months": "12", "online_cpr_counts": "y"}


def test_the_defaults_are_a_typical_states(db):
    rule = db.session.get(TrainingRule, 1)
    assert (rule.preservice_hours, rule.inservice_hours, rule.cpr_valid_months) == (27, 12, 24)
    assert sorted(rule.inservice_categories) == ["in_service", "specialty"]
    assert rule.support_groups_count and not rule.online_cpr_counts
    assert db.session.scalar(select(RequirementTemplate.hours_required)
                             .where(RequirementTemplate.code == "preservice_training")) == 27


def test_an_admin_edits_the_rule_and_the_requirements_follow(client, db, login):
    login(Role.ADMIN)
    assert "Pre-service hours needed before licensing" in text_of(client.get("/training/admin/rules"))
    response = post_form(client, "/training/admin/rules", GOOD)
    assert response.status_code == 303
    db.session.expire_all()
    rule = db.session.get(TrainingRule, 1)
    assert (rule.preservice_hours, rule.inservice_hours, rule.cpr_valid_months) == (30, 20, 12)
    assert rule.inservice_categories == ["in_service"] and rule.online_cpr_counts and not rule.support_groups_count
    hours = dict(db.session.execute(select(RequirementTemplate.code, RequirementTemplate.hours_required).where(
        RequirementTemplate.code.in_(["preservice_training", "annual_training"]))).all())
    assert hours == {"preservice_training": 30, "annual_training": 20}
    # A second save from the page opened before the first one is told, not saved over.
    stale = post_form(client, "/training/admin/rules", {**GOOD, "preservice_hours": "10"})
    assert stale.status_code == 422 and "changed the rules meanwhile" in text_of(stale)


def test_bad_values_are_said_next_to_their_fields_and_kept(client, db, login):
    login(Role.ADMIN)
    for field, value in (("preservice_hours", "-1"), ("inservice_hours", "abc"), ("cpr_valid_months", "0"),
                         ("inservice_categories", "everything"), ("preservice_hours", "9" * 40)):
        response = post_form(client, "/training/admin/rules", {**GOOD, field: value})
        assert response.status_code == 422, (field, value)
        assert 'aria-invalid="true"' in response.get_data(as_text=True) or field == "inservice_categories"
    assert db.session.get(TrainingRule, 1).preservice_hours == 27


def test_only_admins_edit_the_rule(client, login):
    login(Role.HOMEFINDER)
    assert client.get("/training/admin/rules").status_code == 403


def test_the_rule_decides_what_counts(app, db, client, make_user, login):
    """Specialty courses stop counting as in-service once the admin takes them out."""
    from datetime import timedelta

    from portal.clock import agency_today
    from tests.training.hours_support import build_course, build_household, enroll
    from training.catalog.models import CourseCategory

    with app.app_context():
        licensed_on = agency_today() - timedelta(days=100)
    world = build_household(app, make_user, licensed_on=licensed_on)
    course = build_course(app, category=CourseCategory.SPECIALTY, credit_tenths=130, meeting_count=1, sessions=1)
    enroll(app, world, course.sessions[0], world.ana_id)
    login(Role.ADMIN)
    assert post_form(client, "/training/admin/rules", GOOD).status_code == 303  # in-service only now
    post_form(client, f"/training/staff/meetings/{course.meetings[(0, 1)]}/attendance", {"present": [world.ana_id]})
    from licensing.tracker.models import ChecklistItem
    db.session.expire_all()
    item = db.session.get(ChecklistItem, world.items[("annual_training", world.ana_id)])
    assert item.status is ItemStatus.NOT_STARTED
