"""Words for the stored values of appointments (kinds, who transports, the family's answer), translated when shown."""

from flask_babel import lazy_gettext as _l

from portal.children.models import APPOINTMENT_STATUS_LABELS, AppointmentKind, TransportAnswer, Transporter
from portal.i18n import label_of

KIND_LABELS = {
    AppointmentKind.MEDICAL: _l("Medical appointment"),
    AppointmentKind.DENTAL: _l("Dental appointment"),
    AppointmentKind.THERAPY: _l("Therapy"),
    AppointmentKind.COURT_HEARING: _l("Court hearing"),
    AppointmentKind.FAMILY_VISIT: _l("Family visit"),
    AppointmentKind.SCHOOL_MEETING: _l("School or IEP meeting"),
    AppointmentKind.CASEWORKER_VISIT: _l("Caseworker home visit"),
    AppointmentKind.OTHER: _l("Other appointment"),
}

TRANSPORTER_LABELS = {
    Transporter.FAMILY: _l("The family"),
    Transporter.COORDINATOR: _l("The coordinator"),
    Transporter.AGENCY: _l("The agency (another worker or a driver)"),
    Transporter.OTHER: _l("Someone else (see the note)"),
}

TRANSPORT_ANSWER_LABELS = {
    TransportAnswer.NONE: _l("No answer yet"),
    TransportAnswer.CONFIRMED: _l("Transport confirmed"),
    TransportAnswer.CHANGE_REQUESTED: _l("Change requested"),
}


def kind_label(value) -> str:
    return label_of(KIND_LABELS, value)


def transporter_label(value) -> str:
    return label_of(TRANSPORTER_LABELS, value)


def transport_answer_label(value) -> str:
    return label_of(TRANSPORT_ANSWER_LABELS, value)


def appointment_status_label(value) -> str:
    return label_of(APPOINTMENT_STATUS_LABELS, value)


TEMPLATE_LABELS = {
    "appointment_kind_label": kind_label,
    "transporter_label": transporter_label,
    "transport_answer_label": transport_answer_label,
    "appointment_status_label": appointment_status_label,
}
