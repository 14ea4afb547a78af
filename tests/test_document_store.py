"""Uploaded files behind the document store (portal/storage.py): the real boto3 client against a loopback
S3-compatible server (moto's ThreadedMotoServer, started once for this module), and the local disk's own promises
(atomic writes, keys that name nothing else, a rolled-back transaction leaves no file, orphans removed by command)."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app import create_app
from licensing.application.models import ApplicationDocument
from portal.extensions import db as portal_db
from portal.messaging.models import MessageAttachment
from portal.models import AuditEvent, Household, User
from portal.storage import LocalDiskStore, S3Store, StorageUnavailable, store_from_config
from portal.uploads import remove_orphans, store_upload
from tests.conftest import config_for_tests, sign_in, text_of
from tests.licensing import conftest as licensing_fixtures
from tests.licensing.conftest import PDF, PNG, upload
from tests.messaging import conftest as messaging_fixtures
from tests.messaging.conftest import client_for, start, thread_id_from

# The families and threads of the licensing and messaging tests.
applicant_with_application = licensing_fixtures.applicant_with_application
world = messaging_fixtures.world

BUCKET = "portal-documents"
KEY = "ab" * 24


@pytest.fixture(scope="module")
def s3_endpoint():
    """A loopback S3 (moto) on a port the system picks, credentials for boto3's own chain, and the bucket."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        try:
            boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
            yield endpoint
        finally:
            server.stop()


@pytest.fixture(scope="module")
def app(engine, database_url, s3_endpoint, tmp_path_factory):
    """This module's app keeps its documents in the bucket; its local folder must stay empty."""
    folder = tmp_path_factory.mktemp("storage") / "uploads-never-written"
    return create_app(config_for_tests(database_url, STORAGE_BACKEND="s3", S3_BUCKET=BUCKET,
                                       S3_ENDPOINT_URL=s3_endpoint, S3_REGION="us-east-1", UPLOAD_FOLDER=str(folder),
                                       PROPAGATE_EXCEPTIONS=False))


@pytest.fixture
def bucket(s3_endpoint):
    return boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1").Bucket(BUCKET)


def in_bucket(bucket, key: str) -> bytes | None:
    try:
        return bucket.Object(key).get()["Body"].read()
    except bucket.meta.client.exceptions.NoSuchKey:
        return None


def nothing_on_disk(app) -> bool:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return not folder.exists() or not any(folder.iterdir())


# -- S3: through the real routes ----------------------------------------------------------------------------------

def test_an_application_document_goes_to_the_bucket_and_comes_back_identical(app, db, client, bucket,
                                                                           applicant_with_application):
    assert isinstance(app.extensions["document_store"], S3Store)
    user, application_id = applicant_with_application()
    sign_in(client, user)
    scan = PDF + os.urandom(2048)  # bytes no other test sends
    response = upload(client, "proof_of_income:0", scan, "paystub.pdf")
    assert response.status_code == 303
    document = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.application_id
                                                                   == application_id))
    assert in_bucket(bucket, document.stored_name) == scan
    assert bucket.Object(document.stored_name).content_type == "application/pdf"

    download = client.get(f"/licensing/documents/{document.id}")
    assert download.status_code == 200 and download.data == scan
    assert download.headers["Cache-Control"] == "no-store, private"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=paystub.pdf"
    assert int(download.headers["Content-Length"]) == len(scan)
    assert client.get(f"/licensing/documents/{document.id}?preview=1").headers["Content-Disposition"] == (
        "inline; filename=paystub.pdf")
    read = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "document_downloaded",
                                                                    AuditEvent.actor_id == user.id))
    assert read == 2
    assert nothing_on_disk(app)


def test_a_message_attachment_goes_to_the_bucket_and_only_the_thread_reads_it(app, db, bucket, world):
    family = client_for(app, world.family)
    report = PNG + os.urandom(1024)
    thread_id_from(start(family, world.coordinator.id, attachment=(report, "school report.png")))
    attachment = db.session.scalar(select(MessageAttachment))
    assert in_bucket(bucket, attachment.stored_name) == report

    coordinator = client_for(app, world.coordinator)
    download = coordinator.get(f"/messages/files/{attachment.id}")
    assert download.status_code == 200 and download.data == report
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Cache-Control"] == "no-store, private"
    assert client_for(app, world.family_b).get(f"/messages/files/{attachment.id}").status_code == 404
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "message_attachment_downloaded")) == 1
    assert nothing_on_disk(app)


def test_a_failed_write_keeps_no_row_and_says_so(app, db, client, bucket, applicant_with_application, monkeypatch):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    monkeypatch.setattr(app.extensions["document_store"], "bucket", "no-such-bucket")
    response = upload(client, "proof_of_income:0", PDF, "paystub.pdf")
    assert response.status_code == 303
    assert "We could not save your file just now" in text_of(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(ApplicationDocument.id)).where(
        ApplicationDocument.application_id == application_id)) == 0


def test_a_request_that_fails_after_storing_leaves_no_object(app, db, client, bucket, applicant_with_application,
                                                             monkeypatch):
    from licensing.application import services

    user, application_id = applicant_with_application()
    sign_in(client, user)
    before = {item.key for item in bucket.objects.all()}

    def database_went_away(*args, **kwargs):
        raise RuntimeError("the database went away after the file was stored")

    monkeypatch.setattr(services, "record_event", database_went_away)
    assert upload(client, "proof_of_income:0", PDF, "paystub.pdf").status_code == 500
    assert {item.key for item in bucket.objects.all()} == before
    assert nothing_on_disk(app)
    assert db.session.scalar(select(func.count(ApplicationDocument.id)).where(
        ApplicationDocument.application_id == application_id)) == 0


def test_the_s3_store_refuses_keys_that_are_not_its_own(app, s3_endpoint):
    store = app.extensions["document_store"]
    for key in ("../secret", f"{KEY}/../x", "", KEY.upper()):
        with pytest.raises(FileNotFoundError):
            store.open(key)
        assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(KEY)  # a well-formed key with nothing under it


# -- the local disk -----------------------------------------------------------------------------------------------

def test_local_writes_are_atomic_and_leave_nothing_when_they_fail(tmp_path, monkeypatch):
    store = LocalDiskStore(tmp_path)
    store.put(KEY, b"%PDF-1.4 first", "application/pdf")
    assert store.get(KEY) == b"%PDF-1.4 first" and store.exists(KEY)

    def interrupted(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(StorageUnavailable):
        store.put(KEY, b"%PDF-1.4 second", "application/pdf")
    monkeypatch.undo()
    assert store.get(KEY) == b"%PDF-1.4 first"  # the earlier file whole, no partial file beside it
    assert [p.name for p in tmp_path.iterdir()] == [KEY]
    for key in ("../secret", "x" * 48, ""):
        with pytest.raises(FileNotFoundError):
            store.put(key, b"x", "application/pdf")
    store.delete(KEY)
    store.delete(KEY)  # already gone: nothing happens
    assert not store.exists(KEY)


def test_the_backend_is_chosen_by_configuration(tmp_path):
    assert isinstance(store_from_config({}), LocalDiskStore)
    store = store_from_config({"STORAGE_BACKEND": "S3", "S3_BUCKET": "b", "S3_PREFIX": "documents/",
                               "S3_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert isinstance(store, S3Store) and store.object_key(KEY) == f"documents/{KEY}"
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        store_from_config({"STORAGE_BACKEND": "s3"})
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        store_from_config({"STORAGE_BACKEND": "ftp"})


@pytest.fixture
def local_app(app, tmp_path, monkeypatch):
    """This module's app (bound to the test's transaction) with the local store, in a folder of the test's own."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.extensions, "document_store", LocalDiskStore())
    return app


def test_a_rolled_back_transaction_removes_what_it_stored_a_committed_one_keeps_it(local_app, db):
    folder = Path(local_app.config["UPLOAD_FOLDER"])
    with local_app.test_request_context(method="POST"):
        dropped = store_upload(FileStorage(io.BytesIO(PDF), filename="a.pdf"))
        assert (folder / dropped.stored_name).is_file()
        portal_db.rollback()
        assert not (folder / dropped.stored_name).exists()
        kept = store_upload(FileStorage(io.BytesIO(PDF), filename="b.pdf"))
        portal_db.commit()
        portal_db.rollback()  # a later transaction's rollback doesn't touch what an earlier one committed
    assert [p.name for p in folder.iterdir()] == [kept.stored_name]


def test_remove_orphan_files_deletes_only_old_files_no_record_names(local_app, db, make_user):
    folder = Path(local_app.config["UPLOAD_FOLDER"])
    user = make_user()
    with local_app.test_request_context(method="POST"):
        from licensing.application import services as applications

        application = applications.open_application(portal_db.session.get(Household, user.household_id), None,
                                                    opened_by=None)
        named = store_upload(FileStorage(io.BytesIO(PDF), filename="named.pdf"))
        portal_db.session.add(applications.new_document(application.id, "proof_of_income", None, named,
                                                        portal_db.session.get(User, user.id)))
        orphan = store_upload(FileStorage(io.BytesIO(PDF), filename="orphan.pdf"))
        fresh = store_upload(FileStorage(io.BytesIO(PDF), filename="fresh.pdf"))
        portal_db.commit()
    day_and_a_bit_ago = time.time() - 25 * 3600
    for stored in (named, orphan):
        os.utime(folder / stored.stored_name, (day_and_a_bit_ago, day_and_a_bit_ago))
    (folder / f".{KEY}.x1.partial").write_bytes(b"half")
    os.utime(folder / f".{KEY}.x1.partial", (day_and_a_bit_ago, day_and_a_bit_ago))

    dry = local_app.test_cli_runner().invoke(args=["remove-orphan-files", "--dry-run"])
    assert dry.exit_code == 0 and orphan.stored_name in dry.output and "found: 1" in dry.output
    assert (folder / orphan.stored_name).exists()
    result = local_app.test_cli_runner().invoke(args=["remove-orphan-files"])
    assert result.exit_code == 0, result.output
    assert "deleted: 1" in result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([named.stored_name, fresh.stored_name])
    with local_app.app_context():
        assert remove_orphans(timedelta(0)) == [fresh.stored_name]  # no grace: the fresh one too


# -- the store unavailable when reading, a failing commit ------------------------------------------------------------

def test_a_download_while_the_bucket_is_unavailable_is_a_503_with_retry_after(app, db, client, bucket,
                                                                            applicant_with_application, monkeypatch):
    user, application_id = applicant_with_application()
    sign_in(client, user)
    assert upload(client, "proof_of_income:0", PDF, "paystub.pdf").status_code == 303
    document = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.application_id
                                                                   == application_id))
    monkeypatch.setattr(app.extensions["document_store"], "bucket", "no-such-bucket")  # S3 answers an error

    response = client.get(f"/licensing/documents/{document.id}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    text = text_of(response)
    assert "The portal is unavailable for a moment" in text and "We can't open stored files right now" in text
    for leak in ("Traceback", "StorageUnavailable", "no-such-bucket", document.stored_name):
        assert leak not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "document_downloaded")) == 0


def test_a_message_attachment_while_the_store_is_unavailable_is_a_503(app, db, bucket, world, monkeypatch):
    family = client_for(app, world.family)
    thread_id_from(start(family, world.coordinator.id, attachment=(PNG + os.urandom(64), "report.png")))
    attachment = db.session.scalar(select(MessageAttachment))

    def unavailable(key):
        raise StorageUnavailable(f"could not read {key}")

    monkeypatch.setattr(app.extensions["document_store"], "open", unavailable)
    response = client_for(app, world.coordinator).get(f"/messages/files/{attachment.id}")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_an_opened_file_is_closed_when_the_download_fails_before_sending_it(local_app, db, client,
                                                                           applicant_with_application, monkeypatch):
    from portal import audit

    user, application_id = applicant_with_application()
    sign_in(client, user)
    assert upload(client, "proof_of_income:0", PDF, "paystub.pdf").status_code == 303
    document = db.session.scalar(select(ApplicationDocument).where(ApplicationDocument.application_id
                                                                   == application_id))
    store = local_app.extensions["document_store"]
    opened = []

    def open_and_keep(key):
        opened.append(LocalDiskStore.open(store, key))
        return opened[-1]

    def audit_fails(*args, **kwargs):
        raise RuntimeError("the audit record could not be written")

    monkeypatch.setattr(store, "open", open_and_keep)
    monkeypatch.setattr(audit, "record", audit_fails)
    assert client.get(f"/licensing/documents/{document.id}").status_code == 500
    assert len(opened) == 1 and opened[0].stream.closed


def test_a_commit_that_fails_keeps_the_files_its_rows_may_name(local_app, db):
    """The connection dropped during COMMIT: the server may have committed the rows that name the files, so the
    rollback that follows must not delete them (an unnamed one is left to `flask remove-orphan-files`)."""
    from sqlalchemy.exc import OperationalError

    folder = Path(local_app.config["UPLOAD_FOLDER"])
    with local_app.test_request_context(method="POST"):
        stored = store_upload(FileStorage(io.BytesIO(PDF), filename="a.pdf"))

        def cut_during_commit():
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

        with pytest.MonkeyPatch.context() as cut:
            cut.setattr(portal_db.session, "commit", cut_during_commit)
            with pytest.raises(OperationalError):
                portal_db.commit()
        portal_db.rollback()
        assert (folder / stored.stored_name).is_file()
