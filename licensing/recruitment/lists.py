"""The homefinders' lists of leads and information sessions as queries: filtered and searched in SQL, paged by
portal/paging.py, loading only the columns the pages show. Reads only; writes stay in services.py."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import load_only

from licensing.pipeline.stages import uncontacted
from licensing.recruitment.models import InfoSession, Lead, LeadStatus, SessionRsvp
from portal.database import now_utc
from portal.paging import matches

# The leads list's `?queue=` filters: the rows behind a count of the homefinder's work queue, by the same condition.
LEAD_QUEUES = {"uncontacted": uncontacted}


def leads_query(status: str = "", q: str = "", queue: str = "") -> Select:
    """Newest first; `status` one of LeadStatus (anything else: all); `q` searches name, email and phone; `queue` one
    of LEAD_QUEUES (anything else: none)."""
    query = (select(Lead)
             .options(load_only(Lead.id, Lead.first_name, Lead.last_name, Lead.interest, Lead.created_at,
                                Lead.status, Lead.first_contact_at, Lead.first_contact_due_at))
             .order_by(Lead.created_at.desc(), Lead.id.desc()))
    if status in {s.value for s in LeadStatus}:
        query = query.where(Lead.status == LeadStatus(status))
    if queue in LEAD_QUEUES:
        query = query.where(LEAD_QUEUES[queue]())
    if q:
        # The name (first, last, or across both) and the email, folded on write (Lead.search_folded).
        query = query.where(matches(q, folded=Lead.search_folded, phone=Lead.phone))
    return query


def sessions_query(when: str = "", q: str = "") -> Select:
    """Rows of (session, places taken), newest first; `when` "upcoming" or "past" (anything else: all); `q` searches
    the address and the meeting link. The places are counted by a correlated subquery: only for the page's rows."""
    taken = (select(func.count(SessionRsvp.id)).where(SessionRsvp.session_id == InfoSession.id)
             .correlate(InfoSession).scalar_subquery())
    query = (select(InfoSession, taken.label("taken"))
             .options(load_only(InfoSession.id, InfoSession.starts_at, InfoSession.format, InfoSession.address,
                                InfoSession.language, InfoSession.capacity))
             .order_by(InfoSession.starts_at.desc(), InfoSession.id.desc()))
    if when == "upcoming":
        query = query.where(InfoSession.starts_at > now_utc())
    elif when == "past":
        query = query.where(InfoSession.starts_at <= now_utc())
    if q:
        query = query.where(matches(q, InfoSession.address, InfoSession.meeting_link))
    return query
