"""Application documents: which ones are required, what a file really is, and where it is kept."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from licensing.models import Application, HouseholdMember, MemberRole

MAX_BYTES = 10 * 1024 * 1024

DOCUMENT_LABELS = {
    "photo_id": _l("Photo ID"),
    "medical_statement": _l("Medical statement"),
    "proof_of_income": _l("Proof of income"),
    "proof_of_residence": _l("Proof of residence (lease or deed)"),
    "pet_vaccination": _l("Pet vaccination records"),
    "auto_insurance": _l("Proof of auto insurance"),
    "drivers_license": _l("Driver's license"),
}


def document_label(kind: str) -> str:
    label = DOCUMENT_LABELS.get(kind)
    return str(label) if label is not None else kind


@dataclass(frozen=True)
class RequiredDocument:
    kind: str
    member_id: int | None
    member_name: str

    @property
    def slot(self) -> str:
        return f"{self.kind}:{self.member_id or 0}"


def required_documents(application: Application, sections: dict[str, dict], today: date) -> list[RequiredDocument]:
    """The agency's default list; per adult, per applicant or per household, depending on the answers."""
    members: list[HouseholdMember] = application.members
    applicants = [m for m in members if m.role in (MemberRole.PRIMARY, MemberRole.CO_APPLICANT)]
    adults = [m for m in members if m.role is not MemberRole.OTHER or m.age_on(today) >= 18]
    required = [RequiredDocument("photo_id", m.id, m.full_name) for m in adults]
    required += [RequiredDocument("medical_statement", m.id, m.full_name) for m in applicants]
    required += [RequiredDocument("proof_of_income", None, ""), RequiredDocument("proof_of_residence", None, "")]
    if sections.get("residence", {}).get("has_pets") == "yes":
        required.append(RequiredDocument("pet_vaccination", None, ""))
    if sections.get("preferences", {}).get("will_transport") == "yes":
        required.append(RequiredDocument("auto_insurance", None, ""))
        required += [RequiredDocument("drivers_license", m.id, m.full_name) for m in applicants]
    return required


class FileRefused(Exception):
    """The message says why, in words for the family."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


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
    return name[:150] or "document"


@dataclass
class StoredFile:
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str
    original_name: str


def store_upload(stream, filename: str) -> StoredFile:
    """Check and store an upload; raises FileRefused. Nothing is left on disk when it is refused."""
    original = clean_filename(filename)
    data = stream.read(MAX_BYTES + 1)
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
    stored_name = secrets.token_hex(24)
    path = upload_folder() / stored_name
    path.write_bytes(data)
    return StoredFile(stored_name=stored_name, content_type=content_type, size_bytes=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), original_name=original)


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{48}", stored_name):
        raise FileNotFoundError(stored_name)
    return upload_folder() / stored_name
