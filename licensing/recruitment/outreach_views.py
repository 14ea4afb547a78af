"""Staff pages for outreach: recruitment events (fairs, talks, campaigns, each with a source code, and the inquiries
and licensed families each brought) and announcements to a filtered group of families."""

from __future__ import annotations

import hashlib
import json
import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from licensing import bp
from licensing.recruitment import announcements, services
from licensing.recruitment.forms import AnnouncementForm, RecruitmentEventForm, source_code_taken
from licensing.recruitment.labels import EVENT_KIND_LABELS
from licensing.recruitment.models import Announcement, Lead, RecruitmentEvent
from licensing.recruitment.permissions import get_event_for_staff
from licensing.roles import LICENSING_STAFF as STAFF
from licensing.tracker.models import License, LicenseStatus
from portal import emails
from portal.access import roles_required
from portal.extensions import db
from portal.forms import keeps_input, render_form
from portal.i18n import label_of
from portal.models import User
from portal.paging import matches, paginate, search_text

# The preview hands out a one-time key that the send button carries: a second click (or a reload of the send)
# finds it used and sends nothing twice.
SEND_KEY = "announcement_send_key"


def kind_label(kind) -> str:
    return label_of(EVENT_KIND_LABELS, kind)


def event_counts():
    """Per event: inquiries it brought, and how many of those households hold an active license (one grouped
    subquery, joined to the events of the page)."""
    return (select(Lead.event_id.label("event_id"), func.count(func.distinct(Lead.id)).label("inquiries"),
                   func.count(func.distinct(License.household_id)).label("licensed"))
            .outerjoin(License, (License.household_id == Lead.household_id) & (License.status == LicenseStatus.ACTIVE))
            .where(Lead.event_id.is_not(None)).group_by(Lead.event_id).subquery("event_counts"))


def _with_counts(query):
    counts = event_counts()
    return (query.add_columns(func.coalesce(counts.c.inquiries, 0), func.coalesce(counts.c.licensed, 0))
            .outerjoin(counts, counts.c.event_id == RecruitmentEvent.id))


def _events_with_counts(query):
    return db.session.execute(_with_counts(query)).all()


@bp.route("/staff/events", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def staff_events():
    form = RecruitmentEventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, **form.values())
        except services.SourceCodeTaken:
            form.source_code.errors.append(source_code_taken(form.source_code.data))
        else:
            flash(_("The event %(name)s is added.", name=event.name), "success")
            return redirect(url_for("licensing.staff_event", event_id=event.id), code=303)
    q = search_text()
    # The shared pager and search (portal/paging.py): the COUNT runs over the events only (the counts are a join).
    events = (select(RecruitmentEvent)
              .where(matches(q, RecruitmentEvent.name, RecruitmentEvent.source_code, RecruitmentEvent.county))
              .order_by(RecruitmentEvent.starts_on.desc(), RecruitmentEvent.id.desc()))
    page = paginate(_with_counts(events), scalars=False)
    return render_form("licensing/outreach/events.html", form, rows=page.items, total=page.total, page=page, q=q,
                       kind_label=kind_label)


@bp.route("/staff/events/<int:event_id>", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def staff_event(event_id: int):
    event = get_event_for_staff(current_user, event_id)
    form = RecruitmentEventForm(event=event)
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, **form.values())
        except services.SourceCodeTaken:
            form.source_code.errors.append(source_code_taken(form.source_code.data))
        else:
            flash(_("The event is saved."), "success")
            return redirect(url_for("licensing.staff_event", event_id=event.id), code=303)
    _event, inquiries, licensed = _events_with_counts(select(RecruitmentEvent)
                                                      .where(RecruitmentEvent.id == event.id))[0]
    # Printed on flyers and posted online: the portal's public address (PORTAL_URL), whatever address this homefinder
    # reached the staff pages by (and tests/portal/test_email_links.py keeps Flask's external links out of the code).
    link = emails.portal_url("licensing.inquiry", source=event.source_code)
    return render_form("licensing/outreach/event.html", form, event=event, inquiries=inquiries, licensed=licensed,
                       link=link)


@bp.route("/staff/announcements", methods=["GET"])
@roles_required(*STAFF)
def staff_announcements():
    q = search_text()
    page = paginate(
        select(Announcement.id, Announcement.sent_at, Announcement.subject_en, Announcement.audience,
               Announcement.author_id, Announcement.recipient_count, User.full_name)
        .join(User, User.id == Announcement.author_id)
        .where(matches(q, Announcement.subject_en, Announcement.subject_es, User.full_name))
        .order_by(Announcement.sent_at.desc(), Announcement.id.desc()), scalars=False)
    return render_template("licensing/outreach/announcements.html", rows=page.items, total=page.total, page=page,
                           q=q, audience_in_words=announcements.audience_in_words)


@bp.route("/staff/announcements/new", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def staff_new_announcement():
    """Write, preview (who and how many: nothing is sent), then send what was previewed."""
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return render_form("licensing/outreach/new_announcement.html", form)
    audience, texts = form.audience(current_user), form.texts()
    if request.form.get("action") == "send":
        kept = session.pop(SEND_KEY, None) or {}
        if not kept or not secrets.compare_digest(kept.get("key", ""), request.form.get("send_key", "")):
            flash(_("This announcement was sent already, or its preview is out of date: nothing more was sent."),
                  "warning")
            return redirect(url_for("licensing.staff_announcements"), code=303)
        if kept.get("digest") == _digest(audience, texts):
            try:
                announcement = announcements.send_announcement(current_user, audience, texts, kept["key"])
            except announcements.AlreadySent:
                flash(_("This announcement was sent already, or its preview is out of date: nothing more was "
                        "sent."), "warning")
                return redirect(url_for("licensing.staff_announcements"), code=303)
            flash(ngettext("The announcement is on its way to %(num)s person.",
                           "The announcement is on its way to %(num)s people.", announcement.recipient_count),
                  "success")
            return redirect(url_for("licensing.staff_announcements"), code=303)
        flash(_("You changed the announcement after its preview: check the new preview, then send it."), "warning")
    key = secrets.token_urlsafe(16)
    session[SEND_KEY] = {"key": key, "digest": _digest(audience, texts)}
    return render_form("licensing/outreach/new_announcement.html", form, send_key=key,
                       preview=announcements.preview(audience))


def _digest(audience: dict, texts: dict) -> str:
    """What the preview showed (who and what): the send goes out only when this is still what is sent."""
    return hashlib.sha256(json.dumps([audience, texts], sort_keys=True).encode()).hexdigest()
