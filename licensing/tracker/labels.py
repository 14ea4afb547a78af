"""Words for the tracker's stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.tracker.models import (
    CHECK_STATUS_LABELS,
    ITEM_STATUS_LABELS,
    VISIT_STATUS_LABELS,
    CheckType,
    LicenseType,
    RequirementScope,
    RequirementStage,
    RequirementType,
    SafetyResult,
    VisitKind,
)
from portal.i18n import current_language

ITEM_STATUS = ITEM_STATUS_LABELS
CHECK_STATUS = CHECK_STATUS_LABELS
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
VISIT_STATUS = VISIT_STATUS_LABELS
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


def item_title(item) -> str:
    """A checklist item's title in the reader's language (corrections carry their own words)."""
    title = item.template.title(current_language())
    return f"{title}: {item.custom_title}" if item.custom_title else title
