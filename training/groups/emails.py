"""Subjects of the support groups' and training reminders' emails (templates in templates/emails/), and words for
their audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "group_meeting_cancelled": _l("A support group meeting is cancelled"),
    "group_childcare_booked": _l("Childcare is booked for your support group meeting"),
    "group_meeting_reminder": _l("Reminder: support group meeting tomorrow"),
    "training_meeting_reminder": _l("Reminder: training tomorrow"),
})

register_labels({
    "support_group_saved": _l("Support group saved"),
    "support_group_joined": _l("Joined a support group"),
    "support_group_left": _l("Left a support group"),
    "group_rsvp_made": _l("Said they are coming to a support group meeting"),
    "group_rsvp_cancelled": _l("Cancelled their answer to a support group meeting"),
    "group_attendance_taken": _l("Support group attendance taken"),
})


register_record_labels({
    "SupportGroup": _l("Support group"),
    "GroupMeeting": _l("Support group meeting"),
    "GroupMembership": _l("Support group membership"),
    "GroupRsvp": _l("Support group reply"),
    "GroupAttendance": _l("Support group attendance"),
})
