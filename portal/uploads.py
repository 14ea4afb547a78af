"""Uploaded files: what a file really is (by its bytes), checked and stored outside the web root. The core's, so
messaging attachments and licensing documents follow the same rules (licensing/uploads.py re-exports it)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from portal.transitions import Refused

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
    """Check and store an upload; raises FileRefused. Nothing is left on disk when it is refused."""
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
    One refused page refuses the whole upload: nothing of it is left on disk."""
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
    stored: list[StoredFile] = []
    try:
        for page in checked:
            stored_name = secrets.token_hex(24)
            (upload_folder() / stored_name).write_bytes(page.data)
            stored.append(StoredFile(stored_name=stored_name, content_type=page.content_type,
                                     size_bytes=len(page.data), sha256=hashlib.sha256(page.data).hexdigest(),
                                     original_name=page.original_name))
    except OSError:
        remove_stored(stored)
        raise
    return stored


def remove_stored(stored: list[StoredFile]) -> None:
    for page in stored:
        (upload_folder() / page.stored_name).unlink(missing_ok=True)


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{48}", stored_name):
        raise FileNotFoundError(stored_name)
    return upload_folder() / stored_name
