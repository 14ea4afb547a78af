"""Subjects of the appointments' emails (templates in templates/emails/appointment_*) and words for their events."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.emails import register_subjects

register_subjects({
    "appointment_new": _l("New appointment for %(child)s"),
    "appointment_changed": _l("An appointment for %(child)s has changed"),
    "appointment_cancelled": _l("An appointment for %(child)s is cancelled"),
    "appointment_reminder": _l("Reminder: %(child)s has an appointment tomorrow"),
    "appointment_transport_answer": _l("The family answered about transport for %(child)s"),
})


class AppointmentAction:
    SCHEDULED = "appointment_scheduled"
    CHANGED = "appointment_changed"
    TRANSPORT_CONFIRMED = "transport_confirmed"
    TRANSPORT_CHANGE_REQUESTED = "transport_change_requested"
    CHILD_APPOINTMENTS_VIEWED = "child_appointments_viewed"


register_labels({
    AppointmentAction.SCHEDULED: _l("Appointment scheduled"),
    AppointmentAction.CHANGED: _l("Appointment changed"),
    AppointmentAction.TRANSPORT_CONFIRMED: _l("The family confirmed transport"),
    AppointmentAction.TRANSPORT_CHANGE_REQUESTED: _l("The family asked for a change of transport"),
    AppointmentAction.CHILD_APPOINTMENTS_VIEWED: _l("Viewed the child's appointments"),
})
