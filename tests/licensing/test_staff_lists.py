"""The homefinders' lists (inquiries, applications, information sessions) page and search on the server, say how many
there are in all, and run the same number of statements at two data sizes; `seed-demo --households N` seeds them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text

from licensing import scale_demo
from licensing.application.models import Application, ApplicationSection, SectionStatus
from licensing.application.sections import SECTION_KEYS
from licensing.recruitment import services as recruitment
from licensing.recruitment.models import InfoSession, Lead, LeadContact, LeadStatus, SessionFormat, SessionRsvp
from licensing.tracker.models import ChecklistItem, License
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import Household, Role, User
from portal.paging import PAGE_SIZE
from tests.conftest import sign_in, text_of

HOSTILE_PAGES = ["", "0", "-1", "abc", "1e9", "99999999999999999999", "2.5", "٣", "1%00", "%27%20OR%201=1--",
                 "9999999"]
HOSTILE_SEARCHES = ["%", "_", "\\", "%_%", "'; DROP TABLE lead; --", "a" * 5000, "\x00", "😀", "   ", "%25",
                    "O'Brien", "ñ"]


def seed_families(app, count: int) -> None:
    """`count` families across the pipeline, as `flask seed-demo --households` writes them (licensing's part: not
    their threads with the homefinder, which the core writes)."""
    with app.app_context():
        scale_demo.seed_households(app, households=count)
        portal_db.session.commit()


def add_sessions(app, count: int) -> None:
    with app.app_context():
        now = now_utc()
        portal_db.session.execute(insert(InfoSession), [
            {"starts_at": now + timedelta(days=k - count // 2), "format": SessionFormat.IN_PERSON,
             "address": f"{k} Elm Street", "language": "en", "capacity": 20} for k in range(count)])
        portal_db.session.commit()


def showing(response) -> tuple[int, int, int]:
    match = re.search(r"Showing ([\d,]+)\u2013([\d,]+) of ([\d,]+)", text_of(response))
    assert match, text_of(response)[:3000]
    return tuple(int(group.replace(",", "")) for group in match.groups())


@pytest.fixture
def homefinder(client, make_user):
    user = make_user(Role.HOMEFINDER)
    sign_in(client, user)
    return user


LIST_URLS = ["/licensing/staff/leads", "/licensing/staff/leads?status=contacted&q=a",
             "/licensing/staff/applications", "/licensing/staff/applications?status=in_progress&assigned=none",
             "/licensing/staff/applications?q=household", "/licensing/staff/sessions",
             "/licensing/staff/sessions?when=past&q=street"]


def test_staff_lists_run_the_same_statements_at_two_sizes(app, client, db, homefinder, count_queries):
    def counts():
        result = []
        for url in LIST_URLS:
            for page in ("1", "2"):
                with count_queries() as counter:
                    response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")
                    assert response.status_code == 200, url
                result.append(counter.count)
        return result

    # Fewer rows than a page, then more than a page: a query per row shown would add 3 statements to one count and
    # 50 to the other (two sizes that both fill a page would hide it).
    seed_families(app, 3)
    add_sessions(app, 3)
    few = counts()
    seed_families(app, 150)
    add_sessions(app, 120)
    many = counts()
    assert many == few, list(zip(LIST_URLS * 2, few, many, strict=False))
    assert max(many) <= 12


def test_leads_page_with_the_total_and_keep_filters(app, client, db, homefinder):
    seed_families(app, 130)
    total = db.session.scalar(select(func.count()).select_from(Lead))
    first = client.get("/licensing/staff/leads")
    assert showing(first) == (1, PAGE_SIZE, total)
    assert first.get_data(as_text=True).count('href="/licensing/staff/leads/') == PAGE_SIZE
    last_page = -(-total // PAGE_SIZE)
    last = client.get(f"/licensing/staff/leads?page={last_page}")
    assert showing(last) == ((last_page - 1) * PAGE_SIZE + 1, total, total)
    # Past the end: the last page, not an empty one.
    assert showing(client.get("/licensing/staff/leads?page=999")) == showing(last)
    # The filter is kept in the links to the other pages.
    contacted = db.session.scalar(select(func.count()).select_from(Lead).where(Lead.status == LeadStatus.APPLYING))
    body = client.get("/licensing/staff/leads?status=applying").get_data(as_text=True)
    assert f"of {contacted}" in text_of(client.get("/licensing/staff/leads?status=applying"))
    if contacted > PAGE_SIZE:
        assert 'href="/licensing/staff/leads?status=applying&amp;page=2"' in body


def test_leads_search_name_email_phone_case_insensitive(app, client, db, homefinder):
    seed_families(app, 60)
    with app.app_context():
        lead, _new = recruitment.record_inquiry(recruitment.InquiryInput(
            first_name="Zoë", last_name="Quintanilla_Ruiz", email="zq%test@example.com", phone="(559) 010-2020",
            preferred_locale="es", county="Fresno", zip_code="93701", interest="foster", source="search",
            questions=""))
        portal_db.session.commit()
    for q in ["quintanilla", "QUINTANILLA_ruiz", "zoë quint", "zq%test", "5590102020", "010-2020"]:
        response = client.get("/licensing/staff/leads", query_string={"q": q})
        assert response.status_code == 200
        assert showing(response) == (1, 1, 1), q
        assert f"/licensing/staff/leads/{lead.id}" in response.get_data(as_text=True)
    # % and _ are letters, not wildcards: "a_b" does not find "Quintanilla Ruiz" through "_".
    assert "Nothing to show" in text_of(client.get("/licensing/staff/leads", query_string={"q": "a%z"}))
    assert "Nothing to show" in text_of(client.get("/licensing/staff/leads", query_string={"q": "la_r_"}))


@pytest.mark.parametrize("url", ["/licensing/staff/leads", "/licensing/staff/applications",
                                 "/licensing/staff/sessions"])
def test_hostile_page_and_search_never_fail(app, client, db, homefinder, url):
    seed_families(app, 60)
    for page in HOSTILE_PAGES:
        response = client.get(url, query_string={"page": page})
        assert response.status_code == 200, page
    for q in HOSTILE_SEARCHES:
        response = client.get(url, query_string={"q": q, "page": "2", "status": "<script>", "assigned": "x"})
        # A NUL byte is refused for every request before any view (portal/security.py); the rest is searched.
        assert response.status_code == (400 if "\x00" in q else 200), q
        assert "&lt;script&gt;" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Lead)) > 0


def test_applications_list_counts_complete_sections_and_searches(app, client, db, homefinder):
    seed_families(app, 100)
    total = db.session.scalar(select(func.count()).select_from(Application))
    assert showing(client.get("/licensing/staff/applications")) == (1, PAGE_SIZE, total)
    newest = db.session.scalars(select(Application).order_by(Application.created_at.desc(), Application.id.desc())
                                .limit(1)).one()
    complete = db.session.scalar(select(func.count()).select_from(ApplicationSection).where(
        ApplicationSection.application_id == newest.id, ApplicationSection.status == SectionStatus.COMPLETE))
    row = re.search(rf'staff/applications/{newest.id}".*?</tr>', client.get("/licensing/staff/applications")
                    .get_data(as_text=True), re.S).group(0)
    assert f"{complete} / {len(SECTION_KEYS)}" in row
    household = db.session.get(Household, newest.household_id)
    lead = db.session.get(Lead, newest.lead_id)
    for q in [household.name.split()[0].upper(), lead.email, lead.phone.replace("-", "")]:
        response = client.get("/licensing/staff/applications", query_string={"q": q})
        assert f"staff/applications/{newest.id}\"" in response.get_data(as_text=True), q
    mine = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.assigned_homefinder_id == homefinder.id))
    assert 0 < mine < total  # the seeded families are spread over the homefinders
    assert showing(client.get("/licensing/staff/applications?assigned=me"))[2] == mine


def test_sessions_list_pages_filters_and_counts_places(app, client, db, homefinder):
    add_sessions(app, 70)
    with app.app_context():
        session = portal_db.session.scalars(select(InfoSession).where(InfoSession.address == "69 Elm Street")).one()
        leads = [Lead(first_name="A", last_name=str(k), email=f"s{k}@example.com", source="search",
                      interest="foster") for k in range(3)]
        portal_db.session.add_all(leads)
        portal_db.session.flush()
        portal_db.session.add_all([SessionRsvp(session_id=session.id, lead_id=lead.id) for lead in leads])
        portal_db.session.commit()
    assert showing(client.get("/licensing/staff/sessions")) == (1, PAGE_SIZE, 70)
    upcoming = client.get("/licensing/staff/sessions?when=upcoming")
    assert showing(upcoming)[2] == db.session.scalar(select(func.count()).select_from(InfoSession).where(
        InfoSession.starts_at > now_utc()))
    found = client.get("/licensing/staff/sessions", query_string={"q": "69 elm"})
    assert showing(found) == (1, 1, 1)
    assert "3 / 20" in text_of(found)


def test_upcoming_sessions_count_places_only_for_the_sessions_returned(app, db, count_queries):
    add_sessions(app, 30)
    with app.app_context(), count_queries() as counter:
        sessions = recruitment.upcoming_sessions(limit=3)
    assert len(sessions) == 3 and counter.count == 1
    assert "GROUP BY" not in counter.statements[0].upper()  # no count over the whole RSVP table before the limit


def test_seed_demo_households_through_the_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--households", "50"])
    assert result.exit_code == 0, result.output
    assert "50 households added" in result.output
    if db.session.get_bind().dialect.name == "postgresql":  # vacuumed and analyzed, as autovacuum would after a while
        db.session.rollback()
        last_vacuum, last_analyze = db.session.execute(text(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables "
            "WHERE relname = 'lead' AND schemaname = current_schema()")).one()
        assert last_vacuum is not None and last_analyze is not None
    stages = [scale_demo._BY_SLOT[(number * 37) % 100] for number in range(50)]
    seeded = Lead.email.like(f"%@{scale_demo.EMAIL_DOMAIN}")
    assert db.session.scalar(select(func.count()).select_from(Lead).where(seeded)) == 50
    # Bulk inserts skip the ORM: each row still gets its first-contact deadline (the dashboard and metrics read it).
    assert db.session.scalar(select(func.count()).select_from(Lead)
                             .where(seeded, Lead.first_contact_due_at.is_(None))) == 0
    with_application = sum(1 for stage in stages if stage.application is not None)
    seeded_households = select(Lead.household_id).where(seeded)
    assert db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.household_id.in_(seeded_households))) == with_application
    assert db.session.scalar(select(func.count()).select_from(ApplicationSection).join(Application)
                             .where(Application.household_id.in_(seeded_households))) == \
        with_application * len(SECTION_KEYS)
    assert db.session.scalar(select(func.count()).select_from(License).where(License.number.like("SEED1-%"))) == \
        sum(1 for stage in stages if stage.licensed)
    statuses = set(db.session.scalars(select(Lead.status).where(seeded).distinct()))
    assert statuses == {stage.lead_status for stage in stages}
    closed = db.session.scalars(select(Lead).where(seeded, Lead.status == LeadStatus.CLOSED)).all()
    assert closed and all(lead.closed_reason is not None and lead.closed_at is not None for lead in closed)
    sent = sum(1 for stage in stages if stage.application is not None and stage.key != "applying")
    items = db.session.scalar(select(func.count()).select_from(ChecklistItem).join(Application)
                              .where(Application.household_id.in_(seeded_households)))
    assert items >= sent * 12  # at least the household's and one applicant's items for each sent application
    assert db.session.scalar(select(func.count()).select_from(LeadContact).join(Lead).where(seeded)) > 0
    accounts = db.session.scalar(select(func.count()).select_from(User).where(
        User.email.like(f"%@{scale_demo.EMAIL_DOMAIN}"), User.role.in_([Role.APPLICANT, Role.FAMILY])))
    assert accounts == with_application
    # A second run adds as many again, with new addresses.
    again = runner.invoke(args=["seed-demo", "--households", "50"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count()).select_from(Lead).where(seeded)) == 100
