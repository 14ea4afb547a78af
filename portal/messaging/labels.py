"""Words for messaging's stored values shown on pages."""

from flask_babel import lazy_gettext as _l

from portal.messaging.permissions import ThreadAccess

ACCESS_LABELS = {
    ThreadAccess.FAMILY: _l("Your family's messages"),
    ThreadAccess.STAFF: _l("A family you work with"),
    ThreadAccess.ADMIN_WITH_REASON: _l("Read by an administrator, with a reason"),
    ThreadAccess.ADMIN_NEEDS_REASON: _l("Read by an administrator, with a reason"),
}
