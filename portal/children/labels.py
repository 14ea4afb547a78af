"""Words for children's stored values, translated when shown (templates get them from the blueprint's context
processor in views.py)."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.children.models import (
    CASE_STATUS_LABELS,
    PLACEMENT_STATUS_LABELS,
    AppointmentKind,
    PermanencyGoal,
    PlacementEndReason,
    StayKind,
)

PERMANENCY_GOAL = {
    PermanencyGoal.REUNIFICATION: _l("Reunification"),
    PermanencyGoal.ADOPTION: _l("Adoption"),
    PermanencyGoal.GUARDIANSHIP: _l("Guardianship"),
    PermanencyGoal.OTHER_PLANNED: _l("Another planned permanent living arrangement"),
}
CASE_STATUS = CASE_STATUS_LABELS
PLACEMENT_STATUS = PLACEMENT_STATUS_LABELS
END_REASON = {
    PlacementEndReason.REUNIFIED: _l("Reunified with family"),
    PlacementEndReason.ADOPTED: _l("Adoption finalized"),
    PlacementEndReason.GUARDIANSHIP: _l("Guardianship"),
    PlacementEndReason.MOVED: _l("Moved to another placement"),
    PlacementEndReason.AGED_OUT: _l("Aged out"),
    PlacementEndReason.RAN_AWAY: _l("Ran away"),
    PlacementEndReason.OTHER: _l("Other"),
}
STAY_KIND = {
    StayKind.RESPITE_HOME: _l("Respite home"),
    StayKind.HOSPITAL: _l("Hospital"),
    StayKind.CAMP: _l("Camp"),
    StayKind.OTHER: _l("Other"),
}
APPOINTMENT_KIND = {
    AppointmentKind.MEDICAL: _l("Medical"),
    AppointmentKind.DENTAL: _l("Dental"),
    AppointmentKind.THERAPY: _l("Therapy"),
    AppointmentKind.COURT_HEARING: _l("Court hearing"),
    AppointmentKind.FAMILY_VISIT: _l("Family visit"),
    AppointmentKind.SCHOOL_MEETING: _l("School meeting (IEP)"),
    AppointmentKind.CASEWORKER_VISIT: _l("Caseworker home visit"),
    AppointmentKind.OTHER: _l("Other"),
}
# The same codes (and words) as a household's stated preferences in its application.
NEEDS = {
    "medical": _l("Medical needs"),
    "behavioral": _l("Behavioral needs"),
    "developmental": _l("Developmental disabilities"),
    "emotional": _l("Emotional or trauma-related needs"),
    "substance_exposed": _l("Babies exposed to substances"),
    "pregnant_parenting": _l("Pregnant or parenting teens"),
}
# The fields of a child's record, as named on the staff pages and the family's page.
FIELD = {
    "birth_date": _l("Date of birth"),
    "preferred_locale": _l("Language"),
    "school": _l("School"),
    "health_needs": _l("Health needs"),
    "education_needs": _l("Education needs"),
    "permanency_goal": _l("Permanency goal"),
    "visitation_plan": _l("Visitation plan"),
    "needs_summary": _l("Needs summary"),
}


class ChildAction:
    CHILD_VIEWED = "child_viewed"
    CHILD_CREATED = "child_created"
    CHILD_CHANGED = "child_changed"
    CHILD_ASSIGNED = "child_assigned"
    CASELOAD_HANDED_OVER = "caseload_handed_over"
    CHILD_PLACED = "child_placed"
    STAY_RECORDED = "respite_stay_recorded"
    STAY_CANCELLED = "respite_stay_cancelled"


register_labels({
    ChildAction.CHILD_VIEWED: _l("Child's record viewed"),
    ChildAction.CHILD_CREATED: _l("Child added"),
    ChildAction.CHILD_CHANGED: _l("Child's record changed"),
    ChildAction.CHILD_ASSIGNED: _l("Child assigned to a coordinator"),
    ChildAction.CASELOAD_HANDED_OVER: _l("Caseload handed over"),
    ChildAction.CHILD_PLACED: _l("Child placed"),
    ChildAction.STAY_RECORDED: _l("Respite or short stay recorded"),
    ChildAction.STAY_CANCELLED: _l("Respite or short stay cancelled"),
})
