"""Words for the catalog's stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from portal.i18n import LANGUAGE_LABELS
from training.catalog.models import ENROLLMENT_STATUS_LABELS, Audience, ChildcareStatus, CourseCategory

CATEGORY = {
    CourseCategory.PRE_SERVICE.value: _l("Pre-service"),
    CourseCategory.IN_SERVICE.value: _l("In-service"),
    CourseCategory.CPR_FIRST_AID.value: _l("CPR and First Aid"),
    CourseCategory.SPECIALTY.value: _l("Specialty"),
}
AUDIENCE = {
    Audience.EVERYONE.value: _l("Everyone"),
    Audience.APPLICANTS.value: _l("Applicants (before the license)"),
    Audience.LICENSED.value: _l("Licensed families"),
}
LANGUAGES = {"en": LANGUAGE_LABELS["en"], "es": LANGUAGE_LABELS["es"]}
ENROLLMENT_STATUS = ENROLLMENT_STATUS_LABELS
CHILDCARE_STATUS = {
    ChildcareStatus.NONE.value: _l("No childcare"),
    ChildcareStatus.BOOKED.value: _l("Childcare booked"),
    ChildcareStatus.WAITLISTED.value: _l("Childcare waitlist"),
}
