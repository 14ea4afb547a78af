"""The pipeline board: every family by stage, filtered, searched, sorted and paged in the database; its CSV; bulk
assign and close with a reason; a fixed number of statements whatever the number of families."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from itertools import count

from sqlalchemy import func, insert, select

from licensing.application import services as applications
from licensing.application.models import Application, ApplicationStatus
from licensing.pipeline import board
from licensing.recruitment.models import ClosedReason, Interest, Lead, LeadSource, LeadStatus
from licensing.tracker.models import (
    ChecklistItem,
    ItemStatus,
    RequirementScope,
    RequirementStage,
    RequirementTemplate,
    RequirementType,
)
from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, Household, Role, User
from portal.paging import PAGE_SIZE
from tests.conftest import post_form, sign_in, text_of

BOARD = "/licensing/staff/pipeline"
_numbers = count(1)


def today() -> date:
    return now_utc().date()


def add_lead(db, first="Ana", last="Torres", *, status=LeadStatus.NEW, homefinder=None, locale="en",
             source=LeadSource.EVENT, idle_days=0, phone="", county="Fresno", zip_code="93701", email=None,
             application_status=None, item_due=None) -> Lead:
    number = next(_numbers)
    lead = Lead(first_name=first, last_name=last, email=email or f"family{number}@example.com", phone=phone,
                preferred_locale=locale, source=source, interest=Interest.FOSTER, status=status, county=county,
                zip_code=zip_code, assigned_homefinder_id=homefinder.id if homefinder else None,
                last_activity_at=now_utc() - timedelta(days=idle_days),
                status_changed_at=now_utc() - timedelta(days=idle_days))
    if application_status is not None:
        household = Household(name=f"{first} {last}")
        db.session.add(household)
        db.session.flush()
        lead.household_id = household.id
        application = Application(household_id=household.id, status=application_status)
        db.session.add(application)
        db.session.flush()
        if item_due is not None:
            template = RequirementTemplate(code=f"req-{number}", type=RequirementType.DOCUMENT,
                                           scope=RequirementScope.HOUSEHOLD, stage=RequirementStage.APPLICATION,
                                           title_en="Medical statement", title_es="Certificado médico")
            db.session.add(template)
            db.session.flush()
            db.session.add_all([
                ChecklistItem(application_id=application.id, template_id=template.id, due_date=item_due,
                              status=ItemStatus.NOT_STARTED),
                # Done already: not what is due next although it was due earlier.
                ChecklistItem(application_id=application.id, template_id=template.id, due_date=item_due
                              - timedelta(days=5), status=ItemStatus.APPROVED, cycle=1),
            ])
    db.session.add(lead)
    db.session.commit()
    return lead


def names_on(response) -> list[str]:
    return re.findall(r'<a href="/licensing/staff/leads/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_a_homefinder_sees_their_own_families_by_default_and_can_see_everyones(client, db, make_user):
    homefinder, other = make_user(Role.HOMEFINDER, full_name="Hana Finder"), make_user(Role.HOMEFINDER)
    add_lead(db, "Mine", "One", homefinder=homefinder)
    add_lead(db, "Theirs", "Two", homefinder=other)
    add_lead(db, "Nobody", "Three")
    sign_in(client, homefinder)
    assert names_on(client.get(BOARD)) == ["Mine One"]
    everyone = client.get(BOARD + "?who=all")
    assert sorted(names_on(everyone)) == ["Mine One", "Nobody Three", "Theirs Two"]
    assert "Showing 1\u20133 of 3" in text_of(everyone)
    assert names_on(client.get(BOARD + "?who=none")) == ["Nobody Three"]
    assert names_on(client.get(BOARD + f"?who={other.id}")) == ["Theirs Two"]


def test_filters_and_search_by_name_email_and_phone(client, db, login):
    login(Role.ADMIN)  # an administrator sees everyone's families by default
    add_lead(db, "Elena", "Vargas", locale="es", source=LeadSource.FAITH_COMMUNITY, phone="(559) 222-3333",
             county="Fresno", zip_code="93701")
    add_lead(db, "Mark", "Chen", email="mark.chen@example.com", county="Madera", zip_code="93637",
             status=LeadStatus.CONTACTED)
    add_lead(db, "Rosa", "Delgado", locale="es", application_status=ApplicationStatus.SUBMITTED)
    assert names_on(client.get(BOARD + "?language=es")) == ["Rosa Delgado", "Elena Vargas"] or \
        sorted(names_on(client.get(BOARD + "?language=es"))) == ["Elena Vargas", "Rosa Delgado"]
    assert names_on(client.get(BOARD + "?source=faith_community")) == ["Elena Vargas"]
    assert names_on(client.get(BOARD + "?county=madera")) == ["Mark Chen"]
    assert names_on(client.get(BOARD + "?zip_code=936")) == ["Mark Chen"]
    assert names_on(client.get(BOARD + "?stage=contacted")) == ["Mark Chen"]
    assert names_on(client.get(BOARD + "?stage=home_study")) == ["Rosa Delgado"]
    assert names_on(client.get(BOARD + "?q=vargas")) == ["Elena Vargas"]
    assert names_on(client.get(BOARD + "?q=MARK.CHEN@")) == ["Mark Chen"]
    assert names_on(client.get(BOARD + "?q=559-222-3333")) == ["Elena Vargas"]
    assert names_on(client.get(BOARD + "?q=%25")) == []  # a wildcard typed is a character, not "everything"
    assert len(names_on(client.get(BOARD + f"?received_from={today() - timedelta(days=2)}&received_to={today()}"))) == 3
    assert names_on(client.get(BOARD + f"?received_from={today() + timedelta(days=3)}")) == []


def test_bad_filter_values_are_ignored_never_a_500(client, db, login):
    login(Role.HOMEFINDER)
    for query in ["?stage=nope", "?page=abc", "?page=99999999999999", "?page=-4", "?received_from=0001-01-01",
                  "?received_to=2026-13-40", "?who=123456", "?who=x", "?sort=drop", "?direction=sideways",
                  "?language=xx&source=yy", "?q=" + "a" * 5000, "?stalled=maybe"]:
        response = client.get(BOARD + query)
        assert response.status_code == 200, query
        assert client.get(BOARD.replace("pipeline", "pipeline.csv") + query).status_code == 200, query


def test_the_stage_counts_and_stalled_flag(client, db, app, login):
    homefinder = login(Role.HOMEFINDER)
    add_lead(db, "Quiet", "Family", homefinder=homefinder, idle_days=20, locale="es")
    add_lead(db, "Busy", "Family", homefinder=homefinder, idle_days=2, locale="es")
    add_lead(db, "Done", "Family", homefinder=homefinder, idle_days=40, status=LeadStatus.CLOSED)
    page = client.get(BOARD)
    body = page.get_data(as_text=True)
    assert body.count(">Stalled<") == 1  # the closed family is finished, not stalled
    assert re.search(r"Inquiry <span[^>]*>2</span>", body) and re.search(r"Closed <span[^>]*>1</span>", body)
    assert names_on(client.get(BOARD + "?stalled=y&language=es")) == ["Quiet Family"]
    app.config["PIPELINE_STALLED_AFTER_DAYS"] = 1
    assert sorted(names_on(client.get(BOARD + "?stalled=y"))) == ["Busy Family", "Quiet Family"]


def test_the_stage_counts_are_remembered_until_a_family_moves(client, db, login, count_queries):
    """Paging or sorting the board counts nothing again (licensing/pipeline/board.py::stage_counts); a family moved
    by anyone shows in the counts at once."""
    homefinder = login(Role.HOMEFINDER)
    moving = add_lead(db, "Ana", "Moves", homefinder=homefinder)
    add_lead(db, "Ben", "Stays", homefinder=homefinder)
    assert re.search(r"Inquiry <span[^>]*>2</span>", client.get(BOARD).get_data(as_text=True))
    with count_queries() as counter:
        assert client.get(BOARD + "?sort=name&direction=asc").status_code == 200
    assert not [statement for statement in counter.statements if "GROUP BY" in statement.upper()]
    db.session.get(Lead, moving.id).status = LeadStatus.CONTACTED
    db.session.commit()
    body = client.get(BOARD + "?sort=name&direction=asc").get_data(as_text=True)
    assert re.search(r"Inquiry <span[^>]*>1</span>", body) and re.search(r"Contacted <span[^>]*>1</span>", body)


def test_the_stalled_filters_counts_follow_last_activity(client, db, login):
    """A family's own action moves only its last activity, which moves no data version: the counts under "only
    stalled" are counted every time, never remembered."""
    homefinder = login(Role.HOMEFINDER)
    quiet = add_lead(db, "Quiet", "Family", homefinder=homefinder, idle_days=40)
    assert re.search(r"Inquiry <span[^>]*>1</span>", client.get(BOARD + "?stalled=y").get_data(as_text=True))
    db.session.get(Lead, quiet.id).last_activity_at = now_utc()
    db.session.commit()
    body = client.get(BOARD + "?stalled=y").get_data(as_text=True)
    assert re.search(r"Inquiry <span[^>]*>0</span>", body) and "No families match these filters." in body


def test_sort_and_paging_keep_the_filters_and_say_the_total(client, db, login):
    login(Role.ADMIN)
    for number in range(55):
        add_lead(db, f"Person{number:02d}", "Smith", idle_days=number, locale="es")
    add_lead(db, "English", "Speaker")
    first = client.get(BOARD + "?language=es&sort=name&direction=asc")
    assert "Showing 1\u201350 of 55" in text_of(first)
    assert names_on(first)[0] == "Person00 Smith"
    assert "page=2" in first.get_data(as_text=True) and "language=es" in first.get_data(as_text=True)
    second = client.get(BOARD + "?language=es&sort=name&direction=asc&page=2")
    assert names_on(second) == [f"Person{n} Smith" for n in range(50, 55)]
    assert "Showing 51\u201355 of 55" in text_of(second)
    most_days = client.get(BOARD + "?language=es&sort=days")
    assert names_on(most_days)[0] == "Person54 Smith"


def test_sorting_by_name_ignores_accents(client, db, login):
    """A Spanish-speaking agency's names: "Álvarez" before "Baker", "María" before "Mark" (byte order put every
    accented letter after "z")."""
    login(Role.ADMIN)
    for first, last in (("Mark", "Chen"), ("María", "Chen"), ("Ana", "Baker"), ("Óscar", "Álvarez"), ("Zoe", "Zamora")):
        add_lead(db, first, last)
    page = client.get(BOARD + "?sort=name&direction=asc")
    assert [html.unescape(name) for name in names_on(page)] == \
        ["Óscar Álvarez", "Ana Baker", "María Chen", "Mark Chen", "Zoe Zamora"]


def test_each_page_holds_the_families_the_whole_sorted_list_has_there(client, db, login):
    """A page's families are chosen before they are read with their next due item: page after page, in every
    sort and direction, they are the CSV's families (the whole list in the same order), none twice, none lost."""
    login(Role.ADMIN)
    statuses = [None, ApplicationStatus.IN_PROGRESS, ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN]
    for number in range(57):
        status = statuses[number % 4]
        lead = add_lead(db, f"F{number:02d}", ["Ruiz", "Abel", "Mora"][number % 3], idle_days=number % 7,
                        status=[LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.INVITED][number % 3],
                        application_status=status,
                        item_due=today() + timedelta(days=number % 5) if status is not None else None)
        if number % 6 == 0:
            lead.next_follow_up_on = today() + timedelta(days=number % 4)
    db.session.commit()
    for sort in board.SORT_LABELS:
        for direction in ("asc", "desc"):
            query = f"?who=all&sort={sort}&direction={direction}"
            csv_text = client.get(BOARD.replace("pipeline", "pipeline.csv") + query).get_data(as_text=True)
            whole = [line.split(",")[0] for line in csv_text.lstrip("\ufeff").splitlines()[1:]]
            paged = names_on(client.get(BOARD + query)) + names_on(client.get(BOARD + query + "&page=2"))
            assert len(whole) == 57 and paged == whole, (sort, direction)


def test_the_filters_choices_are_in_each_readers_language(app, db, make_user):
    """The choices are translated once per language and kept: a Spanish reader and an English one, one after the
    other, each get theirs."""
    for locale, words in (("es", ["Todas las etapas", "Las familias de todos"]),
                          ("en", ["All stages", "Everyone's families"]),
                          ("es", ["Todas las etapas", "Las familias de todos"])):
        client = app.test_client()
        sign_in(client, make_user(Role.HOMEFINDER, locale=locale))
        page = client.get(BOARD).get_data(as_text=True)
        selects = html.unescape(" ".join(re.findall(r'<select[^>]* id="(?:stage|who)".*?</select>', page)))
        assert all(word in selects for word in words), (locale, words)


def test_next_due_is_the_earliest_open_checklist_item_or_the_follow_up(client, db, login):
    login(Role.ADMIN)
    due = today() + timedelta(days=4)
    add_lead(db, "Applying", "Family", application_status=ApplicationStatus.IN_PROGRESS, item_due=due)
    lead = add_lead(db, "Called", "Family")
    lead.next_follow_up_on = today() + timedelta(days=1)
    db.session.commit()
    page = text_of(client.get(BOARD + "?sort=due&direction=asc"))
    assert "Medical statement" in page and "Follow-up" in page
    assert page.index("Called Family") < page.index("Applying Family")


def test_search_is_the_leads_lists_search_and_ignores_accents(client, db, login):
    """One search for every staff list (portal/paging.py): each word anywhere, in any order, accents or not."""
    login(Role.ADMIN)
    add_lead(db, "Ana", "García")
    add_lead(db, "José", "Álvarez", county="Santa Bárbara")
    add_lead(db, "Inés", "Núñez", phone="+1 (559) 444.5555")
    add_lead(db, "Mark", "Chen")
    assert names_on(client.get(BOARD + "?q=Garcia+Ana")) == ["Ana García"]
    assert names_on(client.get(BOARD + "?q=%C3%A1lvarez")) == ["José Álvarez"]  # álvarez
    assert names_on(client.get(BOARD + "?q=nunez")) == ["Inés Núñez"]
    assert names_on(client.get(BOARD + "?q=%C3%91%C3%9A%C3%91EZ")) == ["Inés Núñez"]  # ÑÚÑEZ
    assert names_on(client.get(BOARD + "?q=5594445555")) == ["Inés Núñez"]
    assert names_on(client.get(BOARD + "?county=santa+barbara")) == ["José Álvarez"]


def test_search_reads_the_name_and_email_folded_when_they_are_written(client, db, login):
    """The search compares Lead.search_folded, written with the lead (ORM or bulk INSERT) and again when its name or
    email changes: a renamed family is found by its new name only."""
    login(Role.ADMIN)
    lead = add_lead(db, "Ana", "García")
    assert lead.search_folded == f"ana garcia\n{lead.email}"
    lead.first_name, lead.last_name, lead.email = "Inés", "NÚÑEZ", "Ines.Nunez@Example.com"
    db.session.commit()
    assert names_on(client.get(BOARD + "?who=all&q=garcia")) == []
    assert names_on(client.get(BOARD + "?who=all&q=nunez+ines")) == ["Inés NÚÑEZ"]
    assert names_on(client.get(BOARD + "?who=all&q=ines.nunez%40example")) == ["Inés NÚÑEZ"]
    # A bulk INSERT (the scale demo's) runs no ORM event: the column's default folds each row.
    db.session.execute(insert(Lead), [{"first_name": "José", "last_name": "Álvarez", "email": "jose@example.com",
                                       "source": LeadSource.OTHER, "interest": Interest.FOSTER}])
    db.session.commit()
    assert db.session.scalar(select(Lead.search_folded).where(Lead.email == "jose@example.com")) \
        == "jose alvarez\njose@example.com"
    assert names_on(client.get(BOARD + "?who=all&q=%C3%81LVAREZ")) == ["José Álvarez"]


def test_the_first_page_runs_the_same_statements_for_3_and_60_families(client, db, login, count_queries, make_user):
    homefinder = login(Role.HOMEFINDER)

    def seed(how_many: int) -> None:
        for number in range(how_many):
            add_lead(db, f"F{number}", "Family", homefinder=homefinder if number % 2 else None, idle_days=number,
                     application_status=ApplicationStatus.IN_PROGRESS if number % 3 == 0 else None,
                     item_due=today() + timedelta(days=number) if number % 3 == 0 else None)

    def statements() -> int:
        client.get(BOARD + "?who=all")  # warm: the session's first request loads more
        with count_queries() as counter:
            assert client.get(BOARD + "?who=all").status_code == 200
        return counter.count

    # Below one page and beyond it: a query per row shown would add 3 statements to one and 50 to the other.
    seed(3)
    small = statements()
    seed(57)
    assert statements() == small
    assert small <= 6, small  # who is signed in, the homefinders, the counts per stage, the page


def test_csv_keeps_the_filters_and_neutralises_formulas(client, db, login):
    login(Role.ADMIN)
    add_lead(db, '=HYPERLINK("x")', "Evil", locale="es")
    add_lead(db, "Plain", "English")
    response = client.get("/licensing/staff/pipeline.csv?language=es")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK" in body and "Plain" not in body
    assert ",=HYPERLINK" not in body and '"=HYPERLINK' not in body


def test_bulk_assign_records_an_event_per_family(client, db, login, make_user):
    admin = login(Role.ADMIN)
    homefinder = make_user(Role.HOMEFINDER, full_name="Hana Finder")
    one, two = add_lead(db, "One", "A"), add_lead(db, "Two", "B", application_status=ApplicationStatus.IN_PROGRESS)
    untouched = add_lead(db, "Three", "C")
    response = post_form(client, "/licensing/staff/pipeline/bulk",
                         {"lead": [str(one.id), str(two.id), "999999", "x"], "action": "assign",
                          "homefinder": str(homefinder.id), "back": "who=all&language=es"})
    assert response.status_code == 303 and response.headers["Location"].endswith(BOARD + "?who=all&language=es")
    db.session.expire_all()
    assert db.session.get(Lead, one.id).assigned_homefinder_id == homefinder.id
    assert db.session.get(Lead, untouched.id).assigned_homefinder_id is None
    application = db.session.scalar(select(Application).where(Application.household_id == two.household_id))
    assert application.assigned_homefinder_id == homefinder.id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lead_assigned")).all()
    assert sorted(e.target_id for e in events) == sorted([one.id, two.id]) and events[0].actor_id == admin.id


def test_bulk_close_needs_a_reason_and_withdraws_an_undecided_application(client, db, login):
    login(Role.HOMEFINDER)
    lead = add_lead(db, "Leaving", "Family")
    applying = add_lead(db, "Applying", "Family", application_status=ApplicationStatus.SUBMITTED)
    refused = post_form(client, "/licensing/staff/pipeline/bulk",
                        {"lead": [str(lead.id)], "action": "close", "reason": ""}, follow_redirects=True)
    assert "Choose why the families are closed" in text_of(refused)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status is LeadStatus.NEW
    empty = post_form(client, "/licensing/staff/pipeline/bulk", {"action": "close", "reason": "moved"},
                      follow_redirects=True)
    assert "Tick at least one family first." in text_of(empty)

    post_form(client, "/licensing/staff/pipeline/bulk", {"lead": [str(lead.id), str(applying.id)], "action": "close",
                                                         "reason": "moved", "note": "Moved to Oregon"})
    db.session.expire_all()
    closed = db.session.get(Lead, lead.id)
    assert closed.status is LeadStatus.CLOSED and closed.closed_reason is ClosedReason.MOVED
    assert closed.closed_at is not None
    application = db.session.scalar(select(Application).where(Application.household_id == applying.household_id))
    assert application.status is ApplicationStatus.WITHDRAWN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lead_closed",
                                                       AuditEvent.target_id == lead.id))
    assert event.reason == "Moved to Oregon" and event.details["closed_reason"] == "moved"
    assert names_on(client.get(BOARD + "?who=all&stage=closed")) == ["Applying Family", "Leaving Family"] or \
        sorted(names_on(client.get(BOARD + "?who=all&stage=closed"))) == ["Applying Family", "Leaving Family"]


def test_bulk_action_takes_at_most_a_page_of_families(client, db, login):
    login(Role.HOMEFINDER)
    lead = add_lead(db, "Leaving", "Family")
    too_many = [str(lead.id)] + [str(n) for n in range(100_000, 100_000 + PAGE_SIZE)]
    refused = post_form(client, "/licensing/staff/pipeline/bulk",
                        {"lead": too_many, "action": "close", "reason": "moved"}, follow_redirects=True)
    assert f"Tick at most {PAGE_SIZE} families at a time." in text_of(refused)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status is LeadStatus.NEW


def test_bulk_close_says_an_approved_family_is_not_licensed_yet(client, db, login):
    login(Role.HOMEFINDER)
    approved = add_lead(db, "Approved", "Family", application_status=ApplicationStatus.APPROVED)
    page = text_of(post_form(client, "/licensing/staff/pipeline/bulk",
                             {"lead": [str(approved.id)], "action": "close", "reason": "moved"},
                             follow_redirects=True))
    assert "Left open, application approved or license issued: Approved Family." in page
    db.session.expire_all()
    assert db.session.get(Lead, approved.id).status is not LeadStatus.CLOSED


def test_families_and_coordinators_never_reach_the_board(client, db, make_user):
    for role in (Role.APPLICANT, Role.FAMILY, Role.COORDINATOR):
        with client.application.test_client() as fresh:
            sign_in(fresh, make_user(role))
            assert fresh.get(BOARD).status_code == 403
            assert fresh.get("/licensing/staff/pipeline.csv").status_code == 403
            assert post_form(fresh, "/licensing/staff/pipeline/bulk", {"action": "close"}).status_code == 403


def test_an_application_opened_without_an_inquiry_gets_a_lead(app, db, make_user):
    applicant = make_user(Role.APPLICANT, full_name="Sam Self Registered", locale="es")
    with app.app_context():
        household = portal_db.session.get(Household, applicant.household_id)
        application = applications.open_application(household, None, opened_by=None)
        lead = portal_db.session.get(Lead, application.lead_id)
        assert (lead.first_name, lead.last_name, lead.email) == ("Sam", "Self Registered", applicant.email)
        assert lead.source is LeadSource.OTHER and lead.household_id == household.id
        assert lead.preferred_locale == "es"
        assert portal_db.session.scalar(select(func.count()).select_from(Lead)) == 1
        portal_db.session.rollback()


def test_the_demo_homefinder_board_has_families_in_several_stages(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    with app.test_request_context():
        page = board.board_page(board.BoardFilter(who="mine"), homefinder, "en")
    stages = {stage for stage, number in page.counts.items() if number}
    assert {"inquiry", "contacted", "home_study", "licensed", "closed"} <= stages
    assert any(row.stalled for row in page.rows) and any(row.language == "es" for row in page.rows)
    assert page.total >= 12


def test_a_familys_page_says_the_stage_the_board_shows(client, db, login):
    """Today's walkthrough: the board said "Application sent, home study" and the family's page "Applying" (the
    lead's own status) with "Not contacted yet · waiting 0 hours"."""
    homefinder = login(Role.HOMEFINDER)
    sent = add_lead(db, "Rosa", "Delgado", homefinder=homefinder, status=LeadStatus.APPLYING,
                    application_status=ApplicationStatus.SUBMITTED)
    page = text_of(client.get(f"/licensing/staff/leads/{sent.id}"))
    assert "Stage Application sent, home study" in page and "waiting" not in page
    assert "Not contacted yet" in page
    new = add_lead(db, "Nueva", "Familia", homefinder=homefinder)
    page = text_of(client.get(f"/licensing/staff/leads/{new.id}"))
    assert "Stage Inquiry" in page and "waiting 0 hours" in page


def test_a_reversed_date_range_is_said_beside_the_field(client, db, login):
    """Today's walkthrough: the board said only "No family matches these filters"."""
    login(Role.HOMEFINDER)
    add_lead(db, "Ana", "Torres")
    page = client.get(BOARD + "?who=all&received_from=2026-10-31&received_to=2026-10-01")
    assert page.status_code == 200
    assert "The end of the period can't be before its start." in text_of(page)


def test_a_familys_page_names_whoever_the_board_does_and_never_negative_hours(client, db, login, make_user):
    """The second walkthrough: the page said "Not assigned" for a family the board lists under the application's
    homefinder, and "after -1 hours" for a contact logged before the inquiry's time."""
    login(Role.HOMEFINDER)
    hana = make_user(Role.HOMEFINDER, full_name="Hana Homefinder")
    lead = add_lead(db, "Rosa", "Delgado", status=LeadStatus.APPLYING,
                    application_status=ApplicationStatus.SUBMITTED)
    application = db.session.scalar(select(Application).where(Application.household_id == lead.household_id))
    application.assigned_homefinder_id = hana.id
    lead.first_contact_at = lead.created_at - timedelta(minutes=30)
    db.session.commit()
    page = text_of(client.get(f"/licensing/staff/leads/{lead.id}"))
    assert "Hana Homefinder" in page and "Not assigned" not in page
    assert "after 0 hours" in page and "-1" not in page
