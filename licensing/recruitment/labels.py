"""Words for recruitment's stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.recruitment.models import (
    LEAD_STATUS_LABELS,
    ClosedReason,
    ContactKind,
    ContactOutcome,
    EventKind,
    Interest,
    LeadSource,
    LeadStatus,
    SessionFormat,
)

INTEREST_LABELS = {
    Interest.FOSTER: _l("Foster care"),
    Interest.FOSTER_ADOPT: _l("Foster care, open to adoption"),
    Interest.RESPITE: _l("Respite care (short stays to support other foster families)"),
    Interest.KINSHIP: _l("Caring for a relative or a child I already know (kinship)"),
}
SOURCE_LABELS = {
    LeadSource.EVENT: _l("At a community event"),
    LeadSource.FOSTER_PARENT_REFERRAL: _l("From a foster parent"),
    LeadSource.FAITH_COMMUNITY: _l("Through my faith community"),
    LeadSource.SOCIAL_MEDIA: _l("Social media"),
    LeadSource.SEARCH: _l("Searching online"),
    LeadSource.OTHER: _l("Other"),
}
FORMAT_LABELS = {SessionFormat.IN_PERSON: _l("In person"), SessionFormat.VIRTUAL: _l("Online")}
LEAD_STATUS = LEAD_STATUS_LABELS


def lead_status_label(status) -> str:
    return str(LEAD_STATUS[LeadStatus(status)])

# Why a family left the pipeline (the board's "close" and the closures-by-reason report).
CLOSED_REASON_LABELS = {
    ClosedReason.WITHDREW: _l("Withdrew"),
    ClosedReason.DENIED: _l("Denied"),
    ClosedReason.MOVED: _l("Moved away"),
    ClosedReason.NOT_ELIGIBLE: _l("Not eligible"),
    ClosedReason.NO_RESPONSE: _l("No response"),
    ClosedReason.OTHER: _l("Other reason"),
}


def closed_reason_label(value) -> str:
    return str(CLOSED_REASON_LABELS[ClosedReason(value)]) if value else ""
CONTACT_KIND_LABELS = {
    ContactKind.CALL: _l("Phone call"),
    ContactKind.TEXT: _l("Text message"),
    ContactKind.EMAIL: _l("Email"),
    ContactKind.VISIT: _l("Visit"),
}
CONTACT_OUTCOME_LABELS = {
    ContactOutcome.REACHED: _l("Talked with them"),
    ContactOutcome.LEFT_MESSAGE: _l("Left a message"),
    ContactOutcome.NO_ANSWER: _l("No answer"),
    ContactOutcome.WRONG_NUMBER: _l("Wrong number or address"),
    ContactOutcome.NOT_INTERESTED: _l("Not interested any more"),
}

EVENT_KIND_LABELS = {
    EventKind.FAIR: _l("Fair"),
    EventKind.FAITH_TALK: _l("Talk at a church or faith community"),
    EventKind.SCHOOL_TALK: _l("Talk at a school"),
    EventKind.COMMUNITY_TALK: _l("Community talk"),
    EventKind.ONLINE_CAMPAIGN: _l("Online campaign"),
    EventKind.PRINT_CAMPAIGN: _l("Print campaign (flyers, posters)"),
    EventKind.OTHER: _l("Other"),
}
