"""Words for stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.models import ApplicationStatus, LeadStatus, SectionStatus

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
