"""Documents in one tap (issue 10): a row per required document with its own file input, several pages kept as one
document (refused whole when one page is refused), the refusal said in its row, page downloads owner-scoped and
recorded, and what was accepted shown once the application is sent."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, select

from licensing.application import services as applications
from licensing.application.documents import required_documents
from licensing.application.models import ApplicationDocument, DocumentPage, DocumentStatus
from licensing.uploads import EXTENSIONS
from portal.clock import agency_today
from portal.models import AuditEvent, Role
from tests.conftest import csrf_token, post_form, sign_in, text_of
from tests.licensing.conftest import PDF, PNG, fill_all_sections, fill_section, submit_complete_application

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def send_pages(client, slot: str, files: list[tuple[bytes, str]]):
    """One row's form as a browser sends it with several files chosen in its one input."""
    return client.post(
        "/licensing/application/documents",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token(client),
            "slot": slot,
            "file": [(io.BytesIO(content), name) for content, name in files],
        },
    )


def stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def row(body: str, anchor: str) -> str:
    match = re.search(rf'<li[^>]*id="{anchor}".*?</li>', body, re.S)
    assert match, f"no row {anchor}"
    return match.group(0)


def test_each_required_document_has_its_own_row_input_and_button(app, client, db, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_all_sections(client)
    body = client.get("/licensing/application").get_data(as_text=True)
    with app.test_request_context():
        application = applications.load_application(application_id)
        required = required_documents(application, applications.section_data(application), agency_today())
    # Two applicants and another adult: photo IDs (3), medical statements (2), income, residence, pet records.
    assert len(required) == 8
    assert 'id="slot"' not in body  # no shared "which document is this?" choice any more
    for slot in required:
        html = row(body, slot.anchor)
        assert html.count("<form") == 1 and f'name="slot" value="{slot.slot}"' in html
        file_input = re.search(r'<input[^>]*type="file"[^>]*>', html).group(0)
        # The picker offers exactly what the upload check accepts (no GIF or WebP to be refused afterwards).
        accepted = set(re.search(r'accept="([^"]*)"', file_input).group(1).split(","))
        assert accepted == set(EXTENSIONS) | {"image/heif"} | set().union(*EXTENSIONS.values())
        assert " multiple" in file_input
        assert "capture" not in file_input  # the phone offers its camera and its files
        assert f'id="{slot.anchor}-file"' in file_input and f'for="{slot.anchor}-file"' in html
        assert 'type="submit"' in html and "Missing" in html


def test_several_pages_are_one_document_seen_together_by_family_and_staff(
    app, client, db, make_user, applicant_with_application
):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    before = stored_files(app)
    response = send_pages(
        client, "proof_of_residence:0", [(JPEG, "lease-1.jpg"), (PNG, "lease-2.png"), (JPEG, "lease-3.jpeg")]
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/licensing/application#document-proof_of_residence-0")
    document = db.session.scalar(select(ApplicationDocument))
    pages = db.session.scalars(select(DocumentPage).order_by(DocumentPage.position)).all()
    assert document.original_name == "lease-1.jpg" and document.content_type == "image/jpeg"
    assert [(p.position, p.original_name, p.content_type, p.document_id) for p in pages] == [
        (2, "lease-2.png", "image/png", document.id),
        (3, "lease-3.jpeg", "image/jpeg", document.id),
    ]
    assert len(stored_files(app) - before) == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document_uploaded"))
    assert event.details["pages"] == 3

    page = client.get("/licensing/application")
    html = row(page.get_data(as_text=True), "document-proof_of_residence-0")
    assert "3 pages:" in text_of(page)
    for url in (
        f"/licensing/documents/{document.id}",
        f"/licensing/documents/{document.id}/pages/2",
        f"/licensing/documents/{document.id}/pages/3",
    ):
        assert f'href="{url}"' in html
    assert client.get(f"/licensing/documents/{document.id}/pages/3").data == JPEG

    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    staff_page = staff.get(f"/licensing/staff/applications/{application_id}").get_data(as_text=True)
    for url in (
        f"/licensing/documents/{document.id}?preview=1",
        f"/licensing/documents/{document.id}/pages/2?preview=1",
        f"/licensing/documents/{document.id}/pages/3?preview=1",
    ):
        assert f'href="{url}"' in staff_page
    assert staff.get(f"/licensing/documents/{document.id}/pages/2?preview=1").data == PNG


def test_one_refused_page_refuses_the_whole_upload_and_is_said_in_its_row(app, client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    before = stored_files(app)
    response = send_pages(
        client, "proof_of_income:0", [(PDF, "pay-1.pdf"), (b"MZ\x90\x00 a program", "pay-2.jpg"), (PNG, "pay-3.png")]
    )
    # Back to the overview (a reload doesn't send the refused files again; no #fragment, which would stop the
    # browser from focusing the row's input) ...
    assert response.status_code == 303 and response.headers["Location"] == "/licensing/application"
    # ... and nothing of the upload is kept: no document, no page, no file.
    assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentPage)) == 0
    assert stored_files(app) == before

    body = client.get("/licensing/application").get_data(as_text=True)
    html = row(body, "document-proof_of_income-0")
    message = re.search(r'<div id="document-proof_of_income-0-error"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert message, html
    assert "Page 2 (pay-2.jpg): This file is not a PDF, JPEG, PNG or HEIC." in message.group(1)
    assert "Nothing was sent" in message.group(1)
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', html).group(0)
    assert "autofocus" in file_input and 'aria-invalid="true"' in file_input
    assert 'aria-describedby="document-proof_of_income-0-error' in file_input
    # Only that row says it, and only once: the next visit of the page is clean.
    assert body.count('role="alert"') == 1 and body.count("autofocus") == 1
    again = client.get("/licensing/application").get_data(as_text=True)
    assert "This file is not a PDF" not in again and "autofocus" not in again


def test_too_many_pages_at_once_are_refused(app, client, db, applicant_with_application):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    send_pages(client, "proof_of_income:0", [(PNG, f"p{n}.png") for n in range(11)])
    assert db.session.scalar(select(func.count()).select_from(ApplicationDocument)) == 0
    assert "Send at most 10 pages at once." in text_of(client.get("/licensing/application"))


def test_pages_are_downloaded_by_the_household_and_staff_only_and_each_read_is_recorded(
    app, client, db, make_user, applicant_with_application
):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    send_pages(client, "proof_of_income:0", [(PNG, "stub-1.png"), (JPEG, "stub-2.jpg")])
    document = db.session.scalar(select(ApplicationDocument))
    url = f"/licensing/documents/{document.id}/pages/2"

    own = client.get(url)
    assert own.status_code == 200 and own.data == JPEG
    assert "no-store" in own.headers["Cache-Control"] and "attachment" in own.headers["Content-Disposition"]
    assert client.get(f"/licensing/documents/{document.id}/pages/3").status_code == 404  # no such page

    other_family, _other_application = applicant_with_application()
    stranger = app.test_client()
    sign_in(stranger, other_family)
    assert stranger.get(url).status_code == 404
    coordinator = app.test_client()
    sign_in(coordinator, make_user(Role.COORDINATOR))
    assert coordinator.get(url).status_code == 404
    staff = app.test_client()
    homefinder = make_user(Role.HOMEFINDER)
    sign_in(staff, homefinder)
    assert staff.get(f"{url}?preview=1").status_code == 200

    db.session.expire_all()
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document_downloaded").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.target_id, e.details.get("page")) for e in reads] == [
        (user.id, document.id, 2),
        (homefinder.id, document.id, 2),
    ]
    assert {e.household_id for e in reads} == {user.household_id}


def test_a_sent_application_shows_what_was_accepted_and_when(app, client, db, make_user, applicant_with_application):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    documents = db.session.scalars(select(ApplicationDocument).order_by(ApplicationDocument.id)).all()
    for document in documents:
        post_form(staff, f"/licensing/staff/documents/{document.id}/review", {"decision": "accept"})
    db.session.expire_all()
    assert {d.status for d in db.session.scalars(select(ApplicationDocument))} == {DocumentStatus.ACCEPTED}

    page = client.get("/licensing/application")
    body, text = page.get_data(as_text=True), text_of(page)
    assert "Missing" not in text and 'type="file"' not in body
    with app.test_request_context():
        today = app.jinja_env.filters["date"](documents[0].uploaded_at, "medium")
    assert text.count(f"Accepted on {today}") == len(documents)

    # Years later (the family is licensed, the child of the home is now an adult): the sent application still lists
    # what it was sent with, each accepted, and no photo ID the child never had to send.
    with app.app_context():
        years_later = agency_today() + timedelta(days=365 * 19)
    with time_machine.travel(years_later, tick=False):
        later = app.test_client()
        sign_in(later, user)
        text = text_of(later.get("/licensing/application"))
    assert "Missing" not in text and "Not sent with the application" not in text
    assert text.count("Accepted on") == len(documents)


def test_the_demo_licensed_family_sees_its_documents_accepted(app, client, db):
    from portal.demo import DEMO_PASSWORD
    from portal.models import User

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    family = db.session.scalar(select(User).where(User.email == "family@demo.test"))
    sign_in(client, family, DEMO_PASSWORD)
    text = text_of(client.get("/licensing/application"))
    assert "Missing" not in text and "Accepted on" in text
    # Photo ID, medical statement, proof of income, proof of residence, pet records: each accepted, with its day.
    assert text.count("Accepted on") == 5 and "Photo ID" in text


def test_approving_a_document_item_of_the_checklist_accepts_the_file_sent_with_the_application(
    app, client, db, make_user, applicant_with_application
):
    from licensing.tracker.models import ChecklistItem, ItemStatus, RequirementTemplate

    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    item = db.session.scalars(
        select(ChecklistItem)
        .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
        .where(ChecklistItem.application_id == application_id, RequirementTemplate.code == "medical_statement")
        .order_by(ChecklistItem.id)
    ).first()
    assert item.status is ItemStatus.SUBMITTED  # sent with the application: not asked twice
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    response = post_form(
        staff, f"/licensing/staff/items/{item.id}", {"version": str(item.version), "status": "approved"}
    )
    assert response.status_code == 303

    db.session.expire_all()
    statements = db.session.scalars(
        select(ApplicationDocument)
        .where(ApplicationDocument.kind == "medical_statement")
        .order_by(ApplicationDocument.id)
    ).all()
    accepted = {d.member_id: d.status for d in statements}
    assert accepted == {
        item.member_id: DocumentStatus.ACCEPTED,
        **{d.member_id: DocumentStatus.PENDING for d in statements if d.member_id != item.member_id},
    }
    html = row(
        client.get("/licensing/application").get_data(as_text=True), f"document-medical_statement-{item.member_id}"
    )
    assert "Accepted on" in html


def test_the_checklist_shows_every_page_of_the_file_an_item_stands_on(
    app, client, db, make_user, applicant_with_application
):
    from werkzeug.datastructures import FileStorage

    from licensing.uploads import store_upload

    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    statement = db.session.scalars(
        select(ApplicationDocument)
        .where(ApplicationDocument.kind == "medical_statement")
        .order_by(ApplicationDocument.id)
    ).first()
    with app.app_context():
        back = store_upload(FileStorage(io.BytesIO(PNG), filename="statement-2.png"))
    db.session.add(
        DocumentPage(
            document_id=statement.id,
            position=2,
            original_name=back.original_name,
            stored_name=back.stored_name,
            content_type=back.content_type,
            size_bytes=back.size_bytes,
            sha256=back.sha256,
        )
    )
    db.session.commit()

    family_page = client.get("/licensing/checklist").get_data(as_text=True)
    for url in (f"/licensing/documents/{statement.id}", f"/licensing/documents/{statement.id}/pages/2"):
        assert f'href="{url}"' in family_page
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    staff_page = staff.get(f"/licensing/staff/applications/{application_id}/checklist").get_data(as_text=True)
    for url in (
        f"/licensing/documents/{statement.id}?preview=1",
        f"/licensing/documents/{statement.id}/pages/2?preview=1",
    ):
        assert f'href="{url}"' in staff_page


def test_several_large_photos_fit_in_one_upload_and_other_routes_keep_the_smaller_limit(
    app, client, db, applicant_with_application
):
    user, _application_id = applicant_with_application()
    sign_in(client, user)
    fill_section(client, "applicants")
    photo = JPEG + b"\x00" * (5 * 1024 * 1024)  # three phone photos of 5 MB: more than MAX_CONTENT_LENGTH together
    assert 3 * len(photo) > app.config["MAX_CONTENT_LENGTH"]
    response = send_pages(client, "proof_of_residence:0", [(photo, f"lease-{n}.jpg") for n in (1, 2, 3)])
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(DocumentPage)) == 2
    too_large = post_form(client, "/licensing/application/section/residence", {"street": "x" * (13 * 1024 * 1024)})
    assert too_large.status_code == 413


def test_approving_a_renewal_item_leaves_the_applications_files_alone(
    app, client, db, make_user, applicant_with_application
):
    from licensing.tracker.models import ChecklistItem, ItemStatus, RequirementTemplate

    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    first = db.session.scalars(
        select(ChecklistItem)
        .join(RequirementTemplate, RequirementTemplate.id == ChecklistItem.template_id)
        .where(ChecklistItem.application_id == application_id, RequirementTemplate.code == "medical_statement")
        .order_by(ChecklistItem.id)
    ).first()
    # A license year's medical statement of the same person, sent and approved: the application's is not its file.
    renewal = ChecklistItem(
        application_id=application_id,
        template_id=first.template_id,
        member_id=first.member_id,
        cycle=1,
        status=ItemStatus.SUBMITTED,
    )
    db.session.add(renewal)
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    response = post_form(
        staff, f"/licensing/staff/items/{renewal.id}", {"version": str(renewal.version), "status": "approved"}
    )
    assert response.status_code == 303

    db.session.expire_all()
    assert db.session.get(ChecklistItem, renewal.id).status is ItemStatus.APPROVED
    statement = db.session.scalar(
        select(ApplicationDocument).where(
            ApplicationDocument.kind == "medical_statement", ApplicationDocument.member_id == first.member_id
        )
    )
    assert statement.status is DocumentStatus.PENDING


def test_a_returned_document_on_a_sent_application_takes_a_new_version_and_nothing_else_does(
    app, client, db, make_user, applicant_with_application
):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    submit_complete_application(client, db, application_id)
    staff = app.test_client()
    sign_in(staff, make_user(Role.HOMEFINDER))
    income = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.kind == "proof_of_income"))
    post_form(staff, f"/licensing/staff/documents/{income.id}/review", {"decision": "return", "reason": "Blurry"})

    # The dashboard says a document came back and links to its row.
    home = client.get("/dashboard").get_data(as_text=True)
    assert "Your homefinder returned a document" in home
    assert 'href="/licensing/application#document-proof_of_income-0"' in home
    # Its row (only its row) offers a file input; the others, accepted or waiting, don't.
    body = client.get("/licensing/application").get_data(as_text=True)
    assert 'type="file"' in row(body, "document-proof_of_income-0") and body.count('type="file"') == 1

    # Another document of the sent application is still refused.
    before = db.session.scalar(select(func.count(ApplicationDocument.id)))
    send_pages(client, "proof_of_residence:0", [(PNG, "other.png")])
    assert db.session.scalar(select(func.count(ApplicationDocument.id))) == before

    response = send_pages(client, "proof_of_income:0", [(JPEG, "pay-1.jpg"), (PNG, "pay-2.png")])
    assert response.status_code == 303
    newest = db.session.scalar(
        select(ApplicationDocument)
        .where(ApplicationDocument.kind == "proof_of_income")
        .order_by(ApplicationDocument.id.desc())
        .limit(1)
    )
    assert newest.id != income.id and newest.status is DocumentStatus.PENDING
    assert db.session.scalar(select(func.count(DocumentPage.id)).where(DocumentPage.document_id == newest.id)) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "returned_document_replaced"))
    assert event.details["kind"] == "proof_of_income" and event.household_id == user.household_id
    # Sent again once: the slot is waiting for review, so a second new version is refused, and the dashboard is calm.
    send_pages(client, "proof_of_income:0", [(PNG, "again.png")])
    assert db.session.scalar(select(func.count(ApplicationDocument.id))) == before + 1
    assert "returned a document" not in client.get("/dashboard").get_data(as_text=True)
