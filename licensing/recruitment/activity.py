"""Each lead's "last activity" and "in this stage since", kept from the one event log as events are recorded.

The board sorts and filters by them (stalled families, days in the current stage) for thousands of leads, so they
are columns kept current here rather than a maximum over the whole log on every page. Anything recorded about the
lead, or about its household (an application saved, a document returned, a visit...), is activity; a status change
of the lead, its application or its license moves it to another stage."""

from __future__ import annotations

from sqlalchemy import update

from licensing.recruitment.models import Lead
from portal.database import now_utc
from portal.extensions import db
from portal.models import AuditEvent
from portal.signals import event_recorded

STAGE_RECORDS = frozenset({"Lead", "Application", "License"})
# Staff handing a family to a homefinder is bookkeeping, not activity: the family has heard nothing yet, and a
# stalled family taken on stays flagged until someone actually does something (a call, a session, a document).
NOT_ACTIVITY = frozenset({"lead_assigned", "assigned",
                          # Reads, and a stranger's wrong answer at a signing link: nothing moved forward.
                          "document_downloaded", "application_read_by_link", "signing_link_birth_date_wrong"})

# The stage each record's status belongs to (licensing/pipeline/stages.py reads the same statuses): a status change
# within one stage (an application returned for a fix, then sent again) leaves "in this stage since" alone.
_STAGE_OF_STATUS = {
    "Lead": {"new": "inquiry", "contacted": "contacted", "rsvped": "orientation", "attended": "orientation",
             "invited": "invited", "applying": "applying", "closed": "closed"},
    "Application": {"in_progress": "applying", "submitted": "home_study", "returned": "home_study",
                    "approved": "home_study", "denied": "closed", "withdrawn": "closed"},
}


def _moves_stage(event: AuditEvent) -> bool:
    if event.to_status is None or event.target_type not in STAGE_RECORDS:
        return False
    stages = _STAGE_OF_STATUS.get(event.target_type)
    if stages is None:  # a license: issued, expired, closed are each a stage of their own
        return True
    return stages.get(event.from_status or "") != stages.get(event.to_status)


@event_recorded.connect
def _note_activity(event: AuditEvent, **_kwargs) -> None:
    if event.action in NOT_ACTIVITY:
        return
    if event.target_type == "Lead" and event.target_id is not None:
        about = Lead.id == event.target_id
    elif event.household_id is not None:
        about = Lead.household_id == event.household_id
    else:
        return
    now = now_utc()
    values = {"last_activity_at": now}
    if _moves_stage(event):
        values["status_changed_at"] = now
    # No autoflush: the event being recorded (and whatever the caller has pending) is written at the caller's
    # flush, in the caller's order, not forced out early by this UPDATE.
    with db.session.no_autoflush:
        db.session.execute(update(Lead).where(about).values(**values).execution_options(synchronize_session=False))
