"""Subjects of the licensing emails (templates in templates/emails/) and words for its audit actions,
registered with the core."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.emails import register_subjects

register_subjects({
    "inquiry_received": _l("Thank you for your interest in fostering"),
    "rsvp_confirmed": _l("Your place at the information session is reserved"),
    "invited_to_apply": _l("You are invited to apply to become a foster family"),
    "reference_request": _l("A family asked you to be a reference for fostering"),
    "adult_part_request": _l("Please complete your part of a foster care application"),
    "document_returned": _l("A document of your application needs your attention"),
    "application_submitted": _l("We received your application"),
    "application_received": _l("A new foster care application was submitted"),
    "section_reopened": _l("Please update a section of your application"),
    "visit_proposed": _l("Choose a time for your home study visit"),
    "visit_scheduled": _l("Your home study visit is scheduled"),
    "visit_reminder": _l("Reminder: home study visit tomorrow"),
    "license_issued": _l("Your foster family license is issued"),
    "item_reminder": _l("A licensing item is coming due"),
    "license_reminder": _l("Your foster family license is coming up for renewal"),
})

register_labels({
    "document_downloaded": _l("Document downloaded"),
    "attendance_recorded": _l("Information session attendance recorded"),
    "license_issued": _l("License issued"),
})
