"""Subjects of the application's emails (templates in templates/emails/) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "reference_request": _l("A family asked you to be a reference for fostering"),
    "adult_part_request": _l("Please complete your part of a foster care application"),
    "signature_request": _l("Please read and sign your foster care application"),
    "document_returned": _l("A document of your application needs your attention"),
    "application_submitted": _l("We received your application"),
    "application_received": _l("A new foster care application was submitted"),
    "section_reopened": _l("Please update a section of your application"),
})

# The application's history (portal.audit): words for each action.
register_labels({
    "document_downloaded": _l("Document downloaded"),
    "opened": _l("Application opened"),
    "section_saved": _l("Section saved"),
    "document_uploaded": _l("Document uploaded"),
    "document_accepted": _l("Document accepted"),
    "document_returned": _l("Document returned"),
    "returned_document_replaced": _l("Returned document sent again"),
    "signed": _l("Signed"),
    "signature_requested": _l("Co-applicant asked by email to sign"),
    "submitted": _l("Submitted"),
    "resubmitted": _l("Sent again after changes"),
    "section_reopened": _l("Section reopened for changes"),
    "assigned": _l("Homefinder assigned"),
    "note_added": _l("Staff note added"),
    "reference_requested": _l("Reference asked by email"),
    "adult_part_requested": _l("Adult in the home asked by email to complete their part"),
    "reference_answered": _l("Reference answered"),
    "adult_part_completed": _l("Adult in the home completed their part"),
    "section_edited": _l("Section changed after it was finished"),
    "return_reason_saved": _l("Saved return reason changed"),
})


register_record_labels({
    "Application": _l("Application"),
    "ApplicationSection": _l("Application section"),
    "ApplicationDocument": _l("Application document"),
    "DocumentPage": _l("Document page"),
    "HouseholdMember": _l("Household member"),
    "Reference": _l("Reference"),
    "Signature": _l("Signature"),
    "StaffNote": _l("Staff note"),
    "ReturnReason": _l("Return reason"),
})
