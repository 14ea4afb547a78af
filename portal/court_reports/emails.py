"""Subjects of the caregiver report's emails (templates in templates/emails/court_report_*) and its event words."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.emails import register_subjects

register_subjects({
    "court_report_request": _l("Please write your caregiver report for the court"),
    "court_report_reminder": _l("Reminder: your caregiver report for the court is due soon"),
    "court_report_moved": _l("The court hearing moved: new due date for your report"),
    "court_report_withdrawn": _l("Your caregiver report is no longer needed"),
    "court_report_submitted": _l("A family sent its caregiver report"),
    "court_report_received": _l("Your caregiver report was received"),
})

register_labels({
    "court_report_requested": _l("Caregiver report requested"),
    "court_report_moved": _l("Hearing moved: new due date for the caregiver report"),
    "court_report_draft_saved": _l("Caregiver report draft saved"),
    "court_report_read": _l("Caregiver report read"),
})
