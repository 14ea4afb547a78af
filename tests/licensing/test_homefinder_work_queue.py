"""The homefinder's home page is a work queue: each count is computed in the database, links to the list of the
same rows, and the page runs as many statements with many families as with few."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from licensing.application.models import Application, ApplicationDocument, ApplicationStatus, DocumentStatus
from licensing.pipeline.work_queue import work_queue
from licensing.recruitment.models import Lead, LeadContact, LeadStatus
from licensing.tracker.models import (
    ChecklistItem,
    HomeStudyVisit,
    ItemStatus,
    License,
    LicenseStatus,
    LicenseType,
    RequirementScope,
    RequirementStage,
    RequirementTemplate,
    RequirementType,
    VisitKind,
    VisitStatus,
)
from portal.clock import agency_today, week_bounds
from portal.database import now_utc
from portal.models import Household, Role
from tests.conftest import sign_in, text_of

_numbers = count(1)


def _lead(db, *, status=LeadStatus.NEW, hours_ago=1.0, activity_days_ago=0, **values) -> Lead:
    n = next(_numbers)
    lead = Lead(first_name=f"Family{n}", last_name="Queue", email=f"family{n}@example.com", source="search",
                interest="foster", status=status, created_at=now_utc() - timedelta(hours=hours_ago),
                last_activity_at=now_utc() - timedelta(days=activity_days_ago), **values)
    db.session.add(lead)
    return lead


def _application(db, status=ApplicationStatus.SUBMITTED) -> Application:
    n = next(_numbers)
    application = Application(household=Household(name=f"Household {n}"), status=status)
    db.session.add(application)
    db.session.flush()
    return application


def _document(db, application: Application, status: DocumentStatus) -> None:
    n = next(_numbers)
    db.session.add(ApplicationDocument(application_id=application.id, kind="id", original_name="id.pdf",
                                       stored_name=f"stored-{n}", content_type="application/pdf", size_bytes=10,
                                       sha256="0" * 64, status=status))


def seed(app, db, homefinder, families: int) -> None:
    """`families` of each thing the queue counts, and as many near misses that it must not count."""
    template = RequirementTemplate(code=f"cpr-{next(_numbers)}", type=RequirementType.DOCUMENT,
                                   scope=RequirementScope.HOUSEHOLD, stage=RequirementStage.DOCUMENTS,
                                   title_en="CPR", title_es="RCP")
    db.session.add(template)
    db.session.flush()
    with app.app_context():
        today = agency_today()
        week_start, _week_end = week_bounds(today)
    for _ in range(families):
        _lead(db, hours_ago=2)  # new, not late
        _lead(db, hours_ago=24 * 6)  # new, late (6 days always holds one business day, weekends or not)
        _lead(db, status=LeadStatus.CONTACTED, first_contact_at=now_utc(), next_follow_up_on=today)
        _lead(db, status=LeadStatus.CONTACTED, first_contact_at=now_utc(), next_follow_up_on=today - timedelta(1))
        _lead(db, status=LeadStatus.CONTACTED, first_contact_at=now_utc(), next_follow_up_on=today + timedelta(1))
        _lead(db, status=LeadStatus.CLOSED, closed_reason="moved", next_follow_up_on=today)  # closed: no follow-up
        _lead(db, status=LeadStatus.CONTACTED, first_contact_at=now_utc(), activity_days_ago=20)  # stalled
        _lead(db, status=LeadStatus.CLOSED, closed_reason="withdrew", activity_days_ago=40)  # closed: not stalled

        application = _application(db)
        _document(db, application, DocumentStatus.PENDING)
        _document(db, application, DocumentStatus.ACCEPTED)
        _document(db, _application(db, ApplicationStatus.WITHDRAWN), DocumentStatus.PENDING)  # nobody to review
        db.session.add_all([
            ChecklistItem(application_id=application.id, template_id=template.id, cycle=next(_numbers),
                          status=ItemStatus.SUBMITTED),
            ChecklistItem(application_id=application.id, template_id=template.id, cycle=next(_numbers),
                          status=ItemStatus.APPROVED),
            HomeStudyVisit(application_id=application.id, kind=VisitKind.JOINT_INTERVIEW, homefinder_id=homefinder.id,
                           status=VisitStatus.SCHEDULED, starts_at=week_start + timedelta(days=3, hours=18)),
            HomeStudyVisit(application_id=application.id, kind=VisitKind.JOINT_INTERVIEW, homefinder_id=homefinder.id,
                           status=VisitStatus.SCHEDULED, starts_at=week_start + timedelta(days=10)),
            HomeStudyVisit(application_id=application.id, kind=VisitKind.JOINT_INTERVIEW, homefinder_id=homefinder.id,
                           status=VisitStatus.CANCELLED, starts_at=week_start + timedelta(days=2)),
        ])
        for days in (30, 200):
            licensed = _application(db, ApplicationStatus.APPROVED)
            n = next(_numbers)
            db.session.add(License(application_id=licensed.id, household_id=licensed.household_id,
                                   number=f"FH-{n}", type=LicenseType.FOSTER, capacity=2, age_min=0, age_max=17,
                                   effective_on=today - timedelta(days=300), expires_on=today + timedelta(days=days),
                                   status=LicenseStatus.ACTIVE, issued_by_id=homefinder.id))
    db.session.commit()


@pytest.fixture
def homefinder_client(app, db, make_user):
    client = app.test_client()
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    client.user = user
    return client


def queue_numbers(page) -> dict[str, int]:
    body = page.get_data(as_text=True)
    numbers = {}
    for key in ("new-inquiries", "follow-ups", "documents", "checklist", "visits", "stalled", "renewals"):
        row = body.split(f'id="queue-{key}"')[1].split("</li>")[0]
        numbers[key] = int(re.findall(r"rounded-pill\">(\d+)<", row)[-1])
    late = re.search(r'id="queue-late-inquiries">(\d+)', body)
    numbers["late"] = int(late.group(1)) if late else 0
    return numbers


def test_the_dashboard_counts_what_is_waiting(app, db, homefinder_client):
    seed(app, db, homefinder_client.user, families=2)
    page = homefinder_client.get("/dashboard")
    assert page.status_code == 200
    assert queue_numbers(page) == {"new-inquiries": 4, "late": 2, "follow-ups": 4, "documents": 2, "checklist": 2,
                                   "visits": 2, "stalled": 2, "renewals": 2}
    text = text_of(page)
    assert "2 waiting more than one business day" in text
    follow_ups = page.get_data(as_text=True).split('id="follow-ups"')[1].split("</ul>")[0]
    assert follow_ups.count("/licensing/staff/leads/") == 4


def test_the_stalled_threshold_comes_from_the_config(app, db, homefinder_client):
    seed(app, db, homefinder_client.user, families=1)
    configured = app.config["PIPELINE_STALLED_AFTER_DAYS"]
    app.config["PIPELINE_STALLED_AFTER_DAYS"] = 30
    try:
        assert queue_numbers(homefinder_client.get("/dashboard"))["stalled"] == 0
        app.config["PIPELINE_STALLED_AFTER_DAYS"] = 10
        assert queue_numbers(homefinder_client.get("/dashboard"))["stalled"] == 1
    finally:
        app.config["PIPELINE_STALLED_AFTER_DAYS"] = configured


def test_each_count_links_to_a_list_of_the_same_rows(app, db, homefinder_client):
    seed(app, db, homefinder_client.user, families=1)
    body = homefinder_client.get("/dashboard").get_data(as_text=True)
    links = {key: re.search(r'href="([^"]+)"', body.split(f'id="queue-{key}"')[1]).group(1).replace("&amp;", "&")
             for key in ("new-inquiries", "follow-ups", "documents", "checklist", "visits", "stalled", "renewals")}
    assert links["new-inquiries"] == "/licensing/staff/leads?status=new"
    assert links["follow-ups"] == "/licensing/staff/leads?due=today"
    # The board's stalled filter over everyone's families (the count is agency-wide, like the others).
    assert links["stalled"] == "/licensing/staff/pipeline?stalled=y&who=all"
    stalled = queue_numbers(homefinder_client.get("/dashboard"))["stalled"]
    board = text_of(homefinder_client.get(links["stalled"]))
    assert stalled >= 1 and re.search(rf"Showing 1\u2013{stalled} of {stalled}\b", board), board[:500]
    assert links["documents"] == "/licensing/staff/applications?queue=documents"

    due = text_of(homefinder_client.get(links["follow-ups"]))
    assert due.count("Family") == 2  # today's and yesterday's, not tomorrow's nor the closed lead's
    submitted = db.session.scalars(select(Application.id).where(Application.status == ApplicationStatus.SUBMITTED))
    for key in ("documents", "checklist", "visits"):
        page = homefinder_client.get(links[key]).get_data(as_text=True)
        shown = set(map(int, re.findall(r'/licensing/staff/applications/(\d+)"', page)))
        assert shown == set(submitted.all()) if key == "documents" else len(shown) == 1, key
        assert 'id="queue-filter"' in page
    renewals = homefinder_client.get(links["renewals"]).get_data(as_text=True)
    assert len(set(re.findall(r'/licensing/staff/applications/(\d+)"', renewals))) == 1


def test_the_dashboard_runs_as_many_statements_with_many_families_as_with_few(app, db, homefinder_client,
                                                                              count_queries):
    seed(app, db, homefinder_client.user, families=1)
    homefinder_client.get("/dashboard")  # warm: the session's first request loads what every later one reuses
    with count_queries() as few:
        assert homefinder_client.get("/dashboard").status_code == 200
    seed(app, db, homefinder_client.user, families=8)
    with count_queries() as many:
        page = homefinder_client.get("/dashboard")
    assert queue_numbers(page)["new-inquiries"] == 18
    assert many.count == few.count, (few.count, many.count)
    queue_statements = [s for s in many.statements if "lead" in s.lower()]
    assert len(queue_statements) <= 2, queue_statements  # the counts in one, the follow-ups shown in another


def test_families_and_coordinators_get_no_work_queue(app, db, make_user):
    for role in (Role.APPLICANT, Role.FAMILY, Role.COORDINATOR):
        client = app.test_client()
        sign_in(client, make_user(role))
        assert 'id="work-queue-heading"' not in client.get("/dashboard").get_data(as_text=True)
        assert client.get("/licensing/staff/applications?queue=documents").status_code == 403


def test_the_demo_homefinder_starts_with_follow_ups_due_today(app, db):
    for _ in range(2):  # idempotent: a second run adds nothing
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    with app.test_request_context():
        queue = work_queue()
    names = [lead.full_name for lead in queue.follow_ups]
    assert names == ["Daniel Park", "Rosa Morales", "Grace Okafor"]  # yesterday's first, then today's
    assert queue.late_inquiries >= 1  # Lucía Ortega, waiting four days
    assert db.session.scalar(select(func.count()).select_from(LeadContact)) == 3
