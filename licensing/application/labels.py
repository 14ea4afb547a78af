"""Words for the application's stored values and history, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.application.models import APPLICATION_STATUS_LABELS, ApplicationStatus, SectionStatus

APPLICATION_STATUS = APPLICATION_STATUS_LABELS
SECTION_STATUS = {
    SectionStatus.IN_PROGRESS: _l("Not finished"),
    SectionStatus.COMPLETE: _l("Complete"),
    SectionStatus.REOPENED: _l("Changes requested"),
}


def application_status_label(status) -> str:
    return str(APPLICATION_STATUS[ApplicationStatus(status)])


def section_status_label(status) -> str:
    return str(SECTION_STATUS[SectionStatus(status)])
