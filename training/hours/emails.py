"""Subjects of training.hours' emails (templates in templates/emails/) and words for its audit actions."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels, register_record_labels
from portal.emails import register_subjects

register_subjects({
    "outside_hours_approved": _l("Your training hours are approved"),
    "outside_hours_rejected": _l("Your training hours were not accepted"),
})

register_labels({
    "training_rule_saved": _l("Training requirements saved"),
    "attendance_recorded": _l("Attendance taken"),
    "course_completed": _l("Course completed: hours credited"),
    "outside_hours_recorded": _l("Outside training hours recorded"),
    "outside_hours_submitted": _l("Outside training hours sent for approval"),
    "training_proof_downloaded": _l("Proof of training hours downloaded"),
})


register_record_labels({
    "TrainingCredit": _l("Training credit"),
    "TrainingRule": _l("Training rule"),
})
