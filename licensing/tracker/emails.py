"""Subjects of the tracker's emails (templates in templates/emails/) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "visit_proposed": _l("Choose a time for your home study visit"),
    "visit_scheduled": _l("Your home study visit is scheduled"),
    "visit_reminder": _l("Reminder: home study visit tomorrow"),
    "license_issued": _l("Your foster family license is issued"),
    "item_reminder": _l("A licensing item is coming due"),
    "license_reminder": _l("Your foster family license is coming up for renewal"),
})

register_labels({
    "license_issued": _l("License issued"),
    "checklist_generated": _l("Checklist made from the requirements"),
    "background_checks_requested": _l("Background checks requested"),
    "correction_added": _l("Correction added from the home safety inspection"),
    "safety_inspection_recorded": _l("Home safety inspection recorded"),
    "safety_self_check_recorded": _l("Family's safety self-check saved"),
    "visit_proposed": _l("Visit times offered"),
    "home_study_saved": _l("Home study write-up saved"),
    "home_study_changed_after_approval": _l("Write-up changed after approval: it needs approving again"),
    "requirement_saved": _l("Requirement saved"),
    "item_details_recorded": _l("Hours or payment recorded"),
})


register_record_labels({
    "ChecklistItem": _l("Checklist item"),
    "RequirementTemplate": _l("Requirement"),
    "BackgroundCheck": _l("Background check"),
    "SafetyCheck": _l("Home safety check"),
    "HomeStudyVisit": _l("Home study visit"),
    "HomeStudyReport": _l("Home study report"),
    "VisitSlot": _l("Visit time offered"),
    "License": _l("License"),
})
