"""Application documents: which ones the agency requires of a household, and their names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from licensing.application.models import Application, HouseholdMember, MemberRole

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

    @property
    def anchor(self) -> str:
        """The id of the document's row on the overview (a refused file's message is said there)."""
        return f"document-{self.kind}-{self.member_id or 0}"


def required_documents(application: Application, sections: dict[str, dict], today: date) -> list[RequiredDocument]:
    """The agency's default list; per adult, per applicant or per household, depending on the answers."""
    members: list[HouseholdMember] = application.members
    applicants = [m for m in members if m.role in (MemberRole.PRIMARY, MemberRole.CO_APPLICANT)]
    adults = [m for m in members if m.is_adult_on(today)]
    required = [RequiredDocument("photo_id", m.id, m.full_name) for m in adults]
    required += [RequiredDocument("medical_statement", m.id, m.full_name) for m in applicants]
    required += [RequiredDocument("proof_of_income", None, ""), RequiredDocument("proof_of_residence", None, "")]
    if sections.get("residence", {}).get("has_pets") == "yes":
        required.append(RequiredDocument("pet_vaccination", None, ""))
    if sections.get("preferences", {}).get("will_transport") == "yes":
        required.append(RequiredDocument("auto_insurance", None, ""))
        required += [RequiredDocument("drivers_license", m.id, m.full_name) for m in applicants]
    return required
