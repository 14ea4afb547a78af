"""Words for training.hours' stored values, in the reader's language (registered as template globals)."""

from flask_babel import lazy_gettext as _l

from training.catalog.models import CourseCategory
from training.hours.models import CREDIT_STATUS_LABELS, CreditFormat, CreditSource

CATEGORY = {
    CourseCategory.PRE_SERVICE: _l("Pre-service"),
    CourseCategory.IN_SERVICE: _l("In-service"),
    CourseCategory.CPR_FIRST_AID: _l("CPR and First Aid"),
    CourseCategory.SPECIALTY: _l("Specialty"),
}
SOURCE = {
    CreditSource.COURSE: _l("Course"),
    CreditSource.SUPPORT_GROUP: _l("Support group"),
    CreditSource.OUTSIDE: _l("Outside training"),
}
FORMAT = {
    CreditFormat.IN_PERSON: _l("Class in person"),
    CreditFormat.ONLINE: _l("Online course"),
    CreditFormat.BOOK: _l("Book"),
    CreditFormat.VIDEO: _l("Video"),
}
CREDIT_STATUS = CREDIT_STATUS_LABELS
