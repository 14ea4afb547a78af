"""Uploaded files: what a file really is (by its bytes), checked, and stored under random keys in the document store
(portal/storage.py: a folder outside the web root, or an S3-compatible bucket). The core's, so messaging attachments,
licensing documents and training proofs follow the same rules (licensing/uploads.py re-exports it)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.database import call_after_rollback, now_utc
from portal.extensions import db
from portal.storage import StorageUnavailable, StoredObject, check_key, document_store, stored_name_columns
from portal.transitions import Refused

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024


class FileRefused(Refused):
    """The message says why, in words for the family."""


# What a file is, by its first bytes (not its name): PDF, JPEG, PNG, HEIC/HEIF.
def sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"hevc", b"heim", b"heis",
                                                                    b"mif1", b"msf1"}:
        return "image/heic"
    return None


EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/heic": {".heic", ".heif"},
}


def clean_filename(name: str) -> str:
    """A display name only (files are stored under a random name): no path, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    stem, extension = os.path.splitext(name)
    if len(extension) > 10:  # not an extension anyone would recognise: part of the name
        stem, extension = name, ""
    return (stem[:150 - len(extension)] + extension) if stem else "document"


@dataclass
class StoredFile:
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str
    original_name: str


def store_upload(upload: FileStorage | None) -> StoredFile:
    """Check and store an upload; raises FileRefused. Nothing is stored when it is refused."""
    return store_pages([upload] if upload is not None else [])[0]


MAX_PAGES = 10


@dataclass
class _CheckedFile:
    data: bytes
    content_type: str
    original_name: str


def _check(upload: FileStorage | None) -> _CheckedFile:
    """What the file is, by its bytes; raises FileRefused with the reason in words for the family."""
    if upload is None or not upload.filename:
        raise FileRefused(_l("Choose the file to upload."))
    original = clean_filename(upload.filename)
    data = upload.stream.read(MAX_BYTES + 1)
    if not data:
        raise FileRefused(_l("The file is empty. Choose the file again."))
    if len(data) > MAX_BYTES:
        raise FileRefused(_l("The file is larger than 10 MB. Take a smaller photo or scan, and try again."))
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise FileRefused(_l("This file is not a PDF, JPEG, PNG or HEIC. Save it in one of those formats."))
    extension = os.path.splitext(original)[1].lower()
    if extension not in EXTENSIONS[content_type]:
        raise FileRefused(_l("The file's name does not match what it contains. Rename it, or save it again as "
                             "PDF, JPEG, PNG or HEIC."))
    return _CheckedFile(data=data, content_type=content_type, original_name=original)


def store_pages(uploads: list[FileStorage]) -> list[StoredFile]:
    """Check every file of one upload (the pages of one document), then store them all; raises FileRefused.
    One refused page refuses the whole upload: nothing of it is stored."""
    uploads = [u for u in uploads if u is not None and u.filename]
    if len(uploads) > MAX_PAGES:
        raise FileRefused(_l("Send at most %(count)s pages at once. For a longer document, scan it as one PDF.",
                             count=MAX_PAGES))
    if not uploads:
        raise FileRefused(_l("Choose the file to upload."))
    checked: list[_CheckedFile] = []
    for number, upload in enumerate(uploads, start=1):
        try:
            checked.append(_check(upload))
        except FileRefused as refused:
            if len(uploads) == 1:
                raise
            raise FileRefused(_l("Page %(number)s (%(name)s): %(reason)s Nothing was sent: choose the pages again.",
                                 number=number, name=clean_filename(upload.filename), reason=refused.message)) from None
    store = document_store()
    stored: list[StoredFile] = []
    try:
        for page in checked:
            stored_name = secrets.token_hex(24)  # the key: random, never from the file's name
            store.put(stored_name, page.data, page.content_type)
            stored.append(StoredFile(stored_name=stored_name, content_type=page.content_type,
                                     size_bytes=len(page.data), sha256=hashlib.sha256(page.data).hexdigest(),
                                     original_name=page.original_name))
    except StorageUnavailable:
        log.exception("an upload could not be stored")
        remove_stored(stored)
        raise FileRefused(_l("We could not save your file just now, and nothing was sent. Please try again in a few "
                             "minutes.")) from None
    # Stored before the rows that name them are written: if the request's transaction rolls back (a refusal after
    # this, an error), nothing names them any more, so they go too. A process killed in between leaves files that
    # `flask remove-orphan-files` deletes.
    call_after_rollback(lambda: remove_stored(stored))
    return stored


def remove_stored(stored: list[StoredFile]) -> None:
    """Best effort: a file that can't be removed now is an orphan `flask remove-orphan-files` deletes later."""
    store = document_store()
    for page in stored:
        try:
            store.delete(page.stored_name)
        except StorageUnavailable:
            log.warning("could not remove stored file %s", page.stored_name, exc_info=True)


def open_stored(stored_name: str) -> StoredObject:
    """The stored file to send (FileNotFoundError when there is none; StorageUnavailable when the store can't be
    read now, answered 503 by portal/errors.py); the caller checked who may read it."""
    return document_store().open(stored_name)


@contextmanager
def closed_on_error(stored: StoredObject) -> Iterator[StoredObject]:
    """Until its response takes the stream over (send_stored), an opened file is closed if anything raises (an
    audit record that fails, say): a local file handle, or an S3 connection, is not left open."""
    try:
        yield stored
    except BaseException:
        stored.stream.close()
        raise


def send_stored(stored: StoredObject, *, mimetype: str | None, download_name: str, as_attachment: bool = True,
                ) -> Response:
    """A download of a stored file that no browser or proxy keeps: IDs and medical statements must not stay in a
    shared computer's cache."""
    response = send_file(stored.stream, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                         max_age=0)
    response.content_length = stored.size
    response.headers["Cache-Control"] = "no-store, private"
    return response


def upload_folder() -> Path:
    """The local store's folder (STORAGE_BACKEND=local)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(stored_name: str) -> Path:
    """Where the local store keeps a file (STORAGE_BACKEND=local; tests and tools look there)."""
    return upload_folder() / check_key(stored_name)


# -- files no record names -----------------------------------------------------------------------------------------

def remove_orphans(older_than: timedelta, dry_run: bool = False, batch: int = 500) -> list[str]:
    """Delete stored files that no registered column names and that were stored before `older_than` ago (files of
    a request in progress are not named yet). One query per registered column per batch of keys."""
    columns = stored_name_columns()
    if not columns:  # nothing registered (no package loaded): every file would look like an orphan
        raise RuntimeError("No package registered the columns that name stored files; refusing to delete anything.")
    store = document_store()
    cutoff = now_utc() - older_than
    orphans: list[str] = []

    def sweep(keys: list[str]) -> None:
        named: set[str] = set()
        for column in columns:
            named.update(db.session.scalars(select(column).where(column.in_(keys))))
        for key in keys:
            if key not in named:
                orphans.append(key)
                if not dry_run:
                    store.delete(key)

    keys: list[str] = []
    for key in store.keys_older_than(cutoff):
        keys.append(key)
        if len(keys) >= batch:
            sweep(keys)
            keys = []
    if keys:
        sweep(keys)
    return orphans
