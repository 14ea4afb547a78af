"""Words for the application's stored values and history, translated when shown."""


from licensing.application.models import (
    APPLICATION_STATUS_LABELS,
    SECTION_STATUS_LABELS,
    ApplicationStatus,
    SectionStatus,
)

APPLICATION_STATUS = APPLICATION_STATUS_LABELS
SECTION_STATUS = SECTION_STATUS_LABELS


def application_status_label(status) -> str:
    return str(APPLICATION_STATUS[ApplicationStatus(status)])


def section_status_label(status) -> str:
    return str(SECTION_STATUS[SectionStatus(status)])
