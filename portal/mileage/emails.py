"""Subjects of the mileage emails (templates in templates/emails/mileage_*) and its event words."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.emails import register_subjects

register_subjects({
    "mileage_claim_approved": _l("Your mileage claim is approved"),
    "mileage_claim_returned": _l("Your mileage claim needs changes"),
})

register_labels({
    "trip_logged": _l("Trip logged"),
    "trip_changed": _l("Trip changed"),
    "trip_removed": _l("Trip removed"),
    "mileage_claim_submitted": _l("Mileage claim submitted"),
})
