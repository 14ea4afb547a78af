"""Words for the caregiver report's stored values and parts, translated when shown."""

from flask_babel import lazy_gettext as _l

from portal.court_reports.models import REPORT_STATUS_LABELS

REPORT_STATUS = REPORT_STATUS_LABELS
FIELD_TITLES = {
    "home": _l("At home"),
    "school": _l("School"),
    "health": _l("Health"),
    "visits": _l("Family visits"),
    "other": _l("Anything else the judge should know"),
}
WITHDRAWN_REASONS = {
    "hearing_cancelled": _l("The court hearing was cancelled."),
    "child_left": _l("The child is no longer placed with this family."),
}
