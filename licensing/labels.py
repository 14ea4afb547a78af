"""Words for stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.models import (
    ApplicationStatus,
    CheckStatus,
    CheckType,
    ItemStatus,
    LeadStatus,
    LicenseType,
    RequirementScope,
    RequirementStage,
    RequirementType,
    SafetyResult,
    SectionStatus,
    VisitKind,
    VisitStatus,
)

APPLICATION_STATUS = {
    ApplicationStatus.IN_PROGRESS: _l("In progress"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.RETURNED: _l("Returned for changes"),
    ApplicationStatus.APPROVED: _l("Approved"),
    ApplicationStatus.DENIED: _l("Denied"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}
SECTION_STATUS = {
    SectionStatus.IN_PROGRESS: _l("Not finished"),
    SectionStatus.COMPLETE: _l("Complete"),
    SectionStatus.REOPENED: _l("Changes requested"),
}
LEAD_STATUS = {
    LeadStatus.NEW: _l("New"),
    LeadStatus.CONTACTED: _l("Contacted"),
    LeadStatus.RSVPED: _l("Signed up for a session"),
    LeadStatus.ATTENDED: _l("Attended a session"),
    LeadStatus.INVITED: _l("Invited to apply"),
    LeadStatus.APPLYING: _l("Applying"),
    LeadStatus.CLOSED: _l("Closed"),
}
EVENTS = {
    "opened": _l("Application opened"),
    "section_saved": _l("Section saved"),
    "document_uploaded": _l("Document uploaded"),
    "document_accepted": _l("Document accepted"),
    "document_returned": _l("Document returned"),
    "signed": _l("Signed"),
    "submitted": _l("Submitted"),
    "resubmitted": _l("Sent again after changes"),
    "section_reopened": _l("Section reopened for changes"),
    "assigned": _l("Homefinder assigned"),
    "note_added": _l("Staff note added"),
    "reference_answered": _l("Reference answered"),
    "adult_part_completed": _l("Adult in the home completed their part"),
    "license_issued": _l("License issued"),
}


def application_status_label(status) -> str:
    return str(APPLICATION_STATUS[ApplicationStatus(status)])


def section_status_label(status) -> str:
    return str(SECTION_STATUS[SectionStatus(status)])


def lead_status_label(status) -> str:
    return str(LEAD_STATUS[LeadStatus(status)])


def event_label(action: str) -> str:
    label = EVENTS.get(action)
    return str(label) if label is not None else action


ITEM_STATUS = {
    ItemStatus.NOT_STARTED: _l("Not started"),
    ItemStatus.IN_PROGRESS: _l("In progress"),
    ItemStatus.SUBMITTED: _l("Submitted"),
    ItemStatus.APPROVED: _l("Approved"),
    ItemStatus.RETURNED: _l("Returned"),
    ItemStatus.WAIVED: _l("Waived"),
    ItemStatus.EXPIRED: _l("Expired"),
}
CHECK_STATUS = {
    CheckStatus.REQUESTED: _l("Requested"),
    CheckStatus.PENDING: _l("Pending"),
    CheckStatus.NEEDS_REVIEW: _l("Needs review"),
    CheckStatus.CLEARED: _l("Cleared"),
    CheckStatus.EXEMPTION_REQUIRED: _l("Exemption required"),
    CheckStatus.EXEMPTION_GRANTED: _l("Exemption granted"),
    CheckStatus.EXEMPTION_DENIED: _l("Exemption denied"),
    CheckStatus.NON_EXEMPTIBLE: _l("Non-exemptible offence"),
    CheckStatus.NOT_APPLICABLE: _l("Not applicable"),
}
FAMILY_CHECK_STATUS = {"requested": _l("Requested"), "pending": _l("Pending"), "cleared": _l("Cleared"),
                       "in_review": _l("In review")}
CHECK_TYPE = {
    CheckType.STATE_CRIMINAL: _l("State criminal history (fingerprints)"),
    CheckType.FBI: _l("FBI fingerprints"),
    CheckType.STATE_REGISTRY: _l("State child abuse and neglect registry"),
    CheckType.OUT_OF_STATE_REGISTRY: _l("Child abuse registry of another state"),
    CheckType.SEX_OFFENDER: _l("Sex offender registry"),
}
VISIT_KIND = {
    VisitKind.INDIVIDUAL_INTERVIEW: _l("Individual interview"),
    VisitKind.JOINT_INTERVIEW: _l("Joint interview at home"),
    VisitKind.HOME_SAFETY_INSPECTION: _l("Home safety inspection"),
}
VISIT_STATUS = {
    VisitStatus.PROPOSED: _l("Choose a time"),
    VisitStatus.SCHEDULED: _l("Scheduled"),
    VisitStatus.COMPLETED: _l("Completed"),
    VisitStatus.CANCELLED: _l("Cancelled"),
}
SAFETY_RESULT = {SafetyResult.PASS: _l("Pass"), SafetyResult.NEEDS_CORRECTION: _l("Needs correction"),
                 SafetyResult.NOT_APPLICABLE: _l("Not applicable")}
SAFETY_ITEM_LABELS = {
    "smoke_detectors": _l("Working smoke detectors on every floor and near bedrooms"),
    "co_detectors": _l("Carbon monoxide detectors"),
    "fire_extinguisher": _l("A fire extinguisher in the kitchen"),
    "medications_locked": _l("Medications locked away"),
    "chemicals_locked": _l("Cleaning products, chemicals and alcohol locked away"),
    "firearms_locked": _l("Firearms unloaded and locked, ammunition stored apart"),
    "water_safety": _l("Pools and hot tubs fenced or covered"),
    "sleeping_space": _l("A safe bed and sleeping space for each child"),
    "emergency_plan": _l("An emergency evacuation plan"),
}
REPORT_SECTION_TITLES = {
    "family_background": _l("Family background"),
    "motivation": _l("Motivation to foster"),
    "parenting": _l("Parenting and discipline"),
    "home_and_community": _l("Home and community"),
    "recommendation": _l("Recommendation"),
}
LICENSE_TYPE = {
    LicenseType.FOSTER: _l("Foster"),
    LicenseType.FOSTER_ADOPT: _l("Foster-adopt"),
    LicenseType.KINSHIP: _l("Kinship"),
    LicenseType.RESPITE: _l("Respite"),
}
REQUIREMENT_TYPE = {
    RequirementType.DOCUMENT: _l("Document"), RequirementType.TRAINING_HOURS: _l("Training hours"),
    RequirementType.BACKGROUND_CHECK: _l("Background check per adult"), RequirementType.INSPECTION: _l("Inspection"),
    RequirementType.VISIT: _l("Interview or visit"), RequirementType.SIGNATURE: _l("Signature or approval"),
    RequirementType.FEE: _l("Fee"),
}
REQUIREMENT_SCOPE = {
    RequirementScope.HOUSEHOLD: _l("The household"), RequirementScope.EACH_APPLICANT: _l("Each applicant"),
    RequirementScope.EACH_ADULT: _l("Each adult in the home"),
}
REQUIREMENT_STAGE = {
    RequirementStage.APPLICATION: _l("Application"), RequirementStage.TRAINING: _l("Training"),
    RequirementStage.BACKGROUND: _l("Background checks"), RequirementStage.DOCUMENTS: _l("Documents"),
    RequirementStage.HOME_SAFETY: _l("Home safety"), RequirementStage.HOME_STUDY: _l("Home study"),
    RequirementStage.FEES: _l("Fees"), RequirementStage.RENEWAL: _l("Renewal"),
}


def label_of(table: dict, value) -> str:
    for key, label in table.items():
        if getattr(key, "value", key) == getattr(value, "value", value):
            return str(label)
    return str(value)
