"""Words for recruitment's stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from licensing.recruitment.models import (
    LEAD_STATUS_LABELS,
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


EVENT_KIND_LABELS = {
    EventKind.FAIR: _l("Fair"),
    EventKind.FAITH_TALK: _l("Talk at a church or faith community"),
    EventKind.SCHOOL_TALK: _l("Talk at a school"),
    EventKind.COMMUNITY_TALK: _l("Community talk"),
    EventKind.ONLINE_CAMPAIGN: _l("Online campaign"),
    EventKind.PRINT_CAMPAIGN: _l("Print campaign (flyers, posters)"),
    EventKind.OTHER: _l("Other"),
}
