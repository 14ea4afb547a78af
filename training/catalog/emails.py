"""Subjects of the catalog's emails (templates in templates/emails/training_*) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "training_seat_from_waitlist": _l("A seat opened up: you are enrolled in a training"),
    "training_session_cancelled": _l("A training session was cancelled"),
    "training_enrollment_cancelled": _l("Your training enrollment was cancelled"),
})

register_labels({
    "course_saved": _l("Course saved"),
    "course_session_saved": _l("Training session saved"),
    "enrollment_added": _l("Enrolled in a training"),
    "seat_from_waitlist": _l("Seated from the waitlist"),
})


register_record_labels({
    "Course": _l("Course"),
    "CourseSession": _l("Training session"),
    "SessionMeeting": _l("Training session meeting"),
    "Enrollment": _l("Enrollment"),
    "Attendance": _l("Attendance"),
})
