"""Subjects of recruitment's emails (templates in templates/emails/) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "inquiry_received": _l("Thank you for your interest in fostering"),
    "rsvp_confirmed": _l("Your place at the information session is reserved"),
    "invited_to_apply": _l("You are invited to apply to become a foster family"),
})

register_labels({
    "attendance_recorded": _l("Information session attendance recorded"),
    "inquiry_received": _l("Asked about fostering"),
    "rsvp_made": _l("Signed up for an information session"),
    "attended_session": _l("Came to an information session"),
    "session_published": _l("Information session published"),
    "lead_contacted": _l("Contacted by a homefinder"),
    "lead_contact_logged": _l("Contact logged by a homefinder"),
    "invited_to_apply": _l("Invited to apply"),
    "invitation_sent_again": _l("Invitation to apply sent again"),
    "lead_applying": _l("Application opened"),
    "lead_linked": _l("Account linked to the inquiry"),
})

register_labels({
    "recruitment_event_created": _l("Recruitment event added"),
    "recruitment_event_updated": _l("Recruitment event changed"),
    "announcement_sent": _l("Announcement sent"),
})


register_record_labels({
    "Lead": _l("Inquiry"),
    "LeadInquiry": _l("Inquiry form"),
    "LeadContact": _l("Contact with the family"),
    "InfoSession": _l("Information session"),
    "SessionRsvp": _l("Information session reply"),
    "RecruitmentEvent": _l("Recruitment event"),
    "Announcement": _l("Announcement"),
})
