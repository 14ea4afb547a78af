"""The administrator's lists (people, audit log, outbox) page and search on the server, say how many there are in all,
load only what they show, and run the same number of statements at two data sizes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select

from portal.database import now_utc
from portal.extensions import db as portal_db
from portal.models import AuditEvent, OutboxMessage, OutboxStatus, Role, User
from portal.paging import PAGE_SIZE
from tests.conftest import sign_in, text_of

HOSTILE_PAGES = ["", "0", "-1", "abc", "1e9", "99999999999999999999", "2.5", "٣", "9999999"]
HOSTILE_SEARCHES = ["%", "_", "\\", "'; DROP TABLE user_account; --", "a" * 5000, "😀", "   ", "O'Brien"]


def add_rows(app, people: int = 0, events: int = 0, messages: int = 0, start: int = 0) -> None:
    """Bulk rows (numbered from `start`, so a second call adds new ones)."""
    with app.app_context():
        if people:
            portal_db.session.execute(insert(User), [
                {"email": f"person{k}@example.com", "full_name": f"Person {k:05d}",
                 "role": Role.FAMILY if k % 3 else Role.APPLICANT} for k in range(start, start + people)])
        if events:
            portal_db.session.execute(insert(AuditEvent), [
                {"action": "login" if k % 2 else "password_changed", "reason": f"note {k}", "details": {"n": k}}
                for k in range(start, start + events)])
        if messages:
            portal_db.session.execute(insert(OutboxMessage), [
                {"recipient": f"to{k}@example.com", "locale": "en", "template": "invitation",
                 "subject": f"Subject {k}", "body_text": f"Body {k}", "body_html": f"<p>Body {k}</p>",
                 "status": OutboxStatus.SENT if k % 2 else OutboxStatus.PENDING}
                for k in range(start, start + messages)])
        portal_db.session.commit()


def showing(response) -> tuple[int, int, int]:
    match = re.search(r"Showing ([\d,]+)\u2013([\d,]+) of ([\d,]+)", text_of(response))
    assert match, text_of(response)[:3000]
    return tuple(int(group.replace(",", "")) for group in match.groups())


@pytest.fixture
def admin(client, make_user):
    user = make_user(Role.ADMIN)
    sign_in(client, user)
    return user


def test_admin_lists_run_the_same_statements_at_two_sizes(app, client, db, admin, count_queries):
    urls = ["/admin/people", "/admin/people?role=family&q=person", "/admin/audit", "/admin/audit?q=login",
            f"/admin/audit?person={admin.id}", "/admin/outbox", "/admin/outbox?status=sent&q=subject"]

    def counts():
        result = []
        for url in urls:
            for page in ("1", "2"):
                with count_queries() as counter:
                    response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")
                    assert response.status_code == 200, url
                result.append(counter.count)
        return result

    # Fewer rows than a page, then more than a page: a query per row shown would add 3 statements to one count and
    # 50 to the other (two sizes that both fill a page would hide it).
    add_rows(app, people=3, events=3, messages=3)
    few = counts()
    add_rows(app, people=200, events=200, messages=200, start=1000)
    many = counts()
    assert many == few, list(zip([u for u in urls for _ in "12"], few, many, strict=True))
    assert max(many) <= 10


def test_people_page_search_and_role_filter(app, client, db, admin):
    add_rows(app, people=200)  # about 133 families: three pages of them
    total = db.session.scalar(select(func.count()).select_from(User))
    everyone = client.get("/admin/people")
    assert showing(everyone) == (1, PAGE_SIZE, total)
    # The filter shows what the list shows: no role chosen (the menu's own `role` once leaked into the page, so the
    # form said "Administrator" and a search sent from it found only administrators).
    filters = re.search(r'<select[^>]*name="role".*?</select>', everyone.get_data(as_text=True), re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"[^>]* selected', filters) == []
    families = db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.FAMILY))
    assert showing(client.get("/admin/people?role=family"))[2] == families
    body = client.get("/admin/people?role=family&page=2").get_data(as_text=True)
    assert 'href="/admin/people?role=family&amp;page=1"' in body
    assert 'href="/admin/people?role=family&amp;page=3"' in body
    found = client.get("/admin/people", query_string={"q": "PERSON 00042"})
    assert showing(found) == (1, 1, 1) and "person42@example.com" in found.get_data(as_text=True)
    assert showing(client.get("/admin/people", query_string={"q": "person42@"})) == (1, 1, 1)
    assert "Nothing to show" in text_of(client.get("/admin/people", query_string={"q": "person_0"}))


def test_audit_log_pages_searches_and_keeps_the_person_filter(app, client, db, admin, make_user):
    add_rows(app, events=140)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert showing(client.get("/admin/audit")) == (1, PAGE_SIZE, total)
    assert showing(client.get("/admin/audit", query_string={"q": "note 137"})) == (1, 1, 1)
    # Named so that nothing of theirs matches the search below ("homefinder512@..." holds "r5").
    other = make_user(Role.HOMEFINDER, email="other.person@example.com", full_name="Other Person")
    with app.app_context():
        portal_db.session.execute(insert(AuditEvent), [{"action": "login", "actor_id": other.id, "reason": f"r{k}",
                                                        "occurred_at": now_utc()} for k in range(60)])
        portal_db.session.commit()
    theirs = client.get(f"/admin/audit?person={other.id}")
    assert showing(theirs) == (1, PAGE_SIZE, 60)
    body = theirs.get_data(as_text=True)
    assert f'name="person" value="{other.id}"' in body  # the search keeps to this person
    assert f'href="/admin/audit?person={other.id}&amp;page=2"' in body
    assert showing(client.get(f"/admin/audit?person={other.id}&q=r5")) == (1, 11, 11)  # r5, r50 to r59
    assert client.get("/admin/audit?person=999999").status_code == 404


def test_outbox_pages_and_loads_bodies_only_when_shown(app, client, db, admin, count_queries):
    add_rows(app, messages=75)
    assert showing(client.get("/admin/outbox")) == (1, PAGE_SIZE, 75)
    assert showing(client.get("/admin/outbox?page=2")) == (51, 75, 75)
    assert showing(client.get("/admin/outbox?status=pending"))[2] == 38
    assert showing(client.get("/admin/outbox", query_string={"q": "TO7@"})) == (1, 1, 1)
    with count_queries() as counter:
        client.get("/admin/outbox")
    listing = next(s for s in counter.statements if "FROM outbox_message" in s and "count(" not in s.lower())
    assert "body_html" not in listing  # never drawn on this page


@pytest.mark.parametrize("url", ["/admin/people", "/admin/audit", "/admin/outbox"])
def test_hostile_page_and_search_never_fail(app, client, db, admin, url):
    add_rows(app, people=60, events=60, messages=60)
    for page in HOSTILE_PAGES:
        assert client.get(url, query_string={"page": page}).status_code == 200, page
    for q in HOSTILE_SEARCHES:
        response = client.get(url, query_string={"q": q, "page": "3", "role": "x", "status": "<b>", "person": "abc"})
        assert response.status_code == 200, q


def test_people_list_says_invited_without_loading_password_hashes(app, client, db, admin, count_queries):
    add_rows(app, people=3)  # bulk rows: no password set, so "Invited"
    with count_queries() as counter:
        page = text_of(client.get("/admin/people"))
    assert "Invited" in page
    listing = next(s for s in counter.statements if "FROM user_account" in s and "ORDER BY" in s)
    assert "password_hash IS NOT NULL" in listing and "password_hash AS" not in listing, listing


# Records no event is ever about: the log itself, bookkeeping rows and internal queues.
NEVER_AN_EVENTS_RECORD = {"AuditEvent", "DataVersion", "ReminderSent", "PendingSubmission", "ThreadMark",
                          "StripeEvent"}


def test_every_record_an_event_can_name_has_words_in_both_languages(app):
    """The audit log names what an event was about ("Checklist item #12", "Requisito de la lista #12"), not the
    model's class name: every model has its words (a new one fails here until it does)."""
    from flask_babel import force_locale

    from portal.audit import RECORD_LABELS, record_label
    from portal.database import Base

    names = {mapper.class_.__name__ for mapper in Base.registry.mappers} - NEVER_AN_EVENTS_RECORD
    assert sorted(names - set(RECORD_LABELS)) == []
    with app.test_request_context():
        with force_locale("en"):
            english = {name: record_label(name) for name in names}
        with force_locale("es"):
            spanish = {name: record_label(name) for name in names}
    assert [name for name in names if spanish[name] == english[name]] == []  # each one translated


def test_the_audit_log_names_the_record_in_the_readers_language(app, client, db, admin):
    with app.app_context():
        portal_db.session.execute(insert(AuditEvent), [{"action": "status_changed", "target_type": "ChecklistItem",
                                                        "target_id": 12, "occurred_at": now_utc()}])
        portal_db.session.commit()
    assert "Checklist item #12" in text_of(client.get("/admin/audit"))
    admin_user = db.session.get(User, admin.id)
    admin_user.preferred_locale = "es"
    db.session.commit()
    assert "Requisito de la lista #12" in text_of(client.get("/admin/audit"))
