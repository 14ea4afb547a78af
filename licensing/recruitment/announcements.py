"""Announcements: staff write to a filtered group of families (a stage, a language, their own families); each
recipient gets a copy through the outbox in their language.

Who hears it is one SQL query over families' accounts and leads: a household's active family accounts (each with
their own language), and, for people who asked about fostering but have no account yet, the lead's address and
language. The stage is licensing/pipeline/stages.py's, computed in the same query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, union
from sqlalchemy.exc import IntegrityError

from licensing.application.models import Application
from licensing.pipeline.stages import Stage, homefinder_column, pipeline_select, stage_column, stage_label
from licensing.recruitment.models import Announcement, Lead
from licensing.roles import FAMILY
from licensing.tracker.models import License
from portal import audit, emails
from portal.extensions import db
from portal.folding import fold
from portal.i18n import language_label
from portal.models import User

TEMPLATE = "announcement"
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[str]  # a few names, to see it is the right group


def _filters(audience: dict, locale_column) -> list[ColumnElement[bool]]:
    """The audience's conditions over the pipeline's columns (Lead, Application, License outer-joined)."""
    stage = stage_column()
    conditions = [stage == audience["stage"]] if audience.get("stage") else [stage != Stage.CLOSED.value]
    if audience.get("language"):
        conditions.append(locale_column == audience["language"])
    if audience.get("homefinder_id"):
        # The application's homefinder once there is one; before it, the lead's.
        conditions.append(homefinder_column() == audience["homefinder_id"])
    return conditions


def _accounts(audience: dict) -> Select:
    """Active family accounts of the households in the audience (a household without a lead, such as one that
    registered on its own, is placed by its application and license)."""
    return (select(User.email.label("email"), User.preferred_locale.label("locale"), User.full_name.label("name"))
            .select_from(User)
            .outerjoin(Lead, Lead.household_id == User.household_id)
            .outerjoin(Application, Application.household_id == User.household_id)
            .outerjoin(License, License.application_id == Application.id)
            .where(User.household_id.is_not(None), User.is_active.is_(True), User.role.in_(FAMILY),
                   *_filters(audience, User.preferred_locale)))


def _leads_without_account(audience: dict) -> Select:
    """Leads nobody made an account for (by household or by address): the lead's own email and language. A lead
    whose accounts were deactivated is not written to at the lead's address either."""
    has_account = or_(
        and_(Lead.household_id.is_not(None), exists().where(User.household_id == Lead.household_id)),
        exists().where(User.email == Lead.email))
    name = Lead.first_name + literal(" ") + Lead.last_name
    return (pipeline_select(Lead.email.label("email"), Lead.preferred_locale.label("locale"), name.label("name"))
            .where(~has_account, *_filters(audience, Lead.preferred_locale)))


def recipients_query(audience: dict) -> Select:
    """Everyone the audience reaches, once each (UNION: a person is not written to twice): email, locale, name."""
    return union(_accounts(audience), _leads_without_account(audience)).subquery("recipient")


def preview(audience: dict) -> Preview:
    """How many people it will reach (one COUNT) and a few of their names (one query). Nothing is written."""
    recipients = recipients_query(audience)
    count = db.session.scalar(select(func.count()).select_from(recipients))
    sample = list(db.session.scalars(select(recipients.c.name).order_by(fold(recipients.c.name), recipients.c.name)
                                     .limit(SAMPLE_SIZE)))
    return Preview(count=count, sample=sample)


def _version_for(locale: str, texts: dict) -> str:
    """The language of the copy a recipient gets: Spanish when they read it and the author wrote it."""
    return "es" if locale == "es" and texts.get("subject_es") and texts.get("body_es") else "en"


def _rendered(locale: str, texts: dict) -> tuple[str, str, str]:
    subject, body = texts[f"subject_{locale}"], texts[f"body_{locale}"]
    # Paragraphs and lines as the author typed them: the HTML copy escapes each line and keeps the breaks.
    paragraphs = [part.splitlines() for part in body.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return emails.render_email(locale, TEMPLATE, subject=subject, body=body, paragraphs=paragraphs)


class AlreadySent(Exception):
    """The preview's key was used already: a double click, or the same request sent again."""


def send_announcement(staff: User, audience: dict, texts: dict, send_key: str = "") -> Announcement:
    """Queue one outbox email per recipient, in their language (texts: subject_en, body_en, and optionally
    subject_es and body_es), and record the announcement and one `announcement_sent` event. The outbox rows are
    the per-recipient record. Statements: one query for the recipients, then inserts in batches; each language's
    copy is rendered once."""
    announcement = Announcement(author_id=staff.id, audience=audience, recipient_count=0,
                                subject_en=texts["subject_en"], body_en=texts["body_en"],
                                subject_es=texts.get("subject_es", ""), body_es=texts.get("body_es", ""),
                                send_key=hashlib.sha256(send_key.encode()).hexdigest() if send_key else None)
    try:  # the key first: a second request with the same key stops here, before any mail is queued
        with db.session.begin_nested():
            db.session.add(announcement)
            db.session.flush()
    except IntegrityError as taken:
        raise AlreadySent from taken
    rows = db.session.execute(select(recipients_query(audience))).all()
    recipients = [(row.email, _version_for(row.locale, texts)) for row in rows]
    rendered = {locale: _rendered(locale, texts) for locale in sorted({locale for _, locale in recipients})}
    emails.queue_rendered(TEMPLATE, recipients, rendered)
    announcement.recipient_count = len(recipients)
    audit.record("announcement_sent", actor=staff, target=announcement, recipients=len(recipients),
                 stage=audience.get("stage") or None, language=audience.get("language") or None)
    return announcement


def audience_in_words(audience: dict, author_id: int | None = None) -> str:
    """"Licensed · Spanish · families assigned to the author": who a past announcement went to."""
    parts = [stage_label(audience["stage"]) if audience.get("stage")
             else _("Every family in the pipeline or licensed (not closed)")]
    if audience.get("language"):
        parts.append(language_label(audience["language"]))
    if audience.get("homefinder_id"):
        parts.append(_("families assigned to the author") if audience["homefinder_id"] == author_id
                     else _("families assigned to one homefinder"))
    return " · ".join(parts)
