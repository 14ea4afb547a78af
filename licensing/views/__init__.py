"""Route modules of the licensing blueprint; importing this package registers them all on `bp`."""

from flask import render_template

from licensing import bp
from licensing import cli as _cli  # noqa: F401  (registers `flask send-reminders`)
from licensing import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from licensing import emails as _emails  # noqa: F401  (registers the email subjects)
from licensing.documents import document_label
from licensing.forms import FORMAT_LABELS, INTEREST_LABELS, SOURCE_LABELS
from licensing.labels import (
    CHECK_STATUS,
    CHECK_TYPE,
    FAMILY_CHECK_STATUS,
    ITEM_STATUS,
    LICENSE_TYPE,
    REPORT_SECTION_TITLES,
    REQUIREMENT_SCOPE,
    REQUIREMENT_STAGE,
    REQUIREMENT_TYPE,
    SAFETY_ITEM_LABELS,
    SAFETY_RESULT,
    VISIT_KIND,
    VISIT_STATUS,
    application_status_label,
    event_label,
    label_of,
    lead_status_label,
    section_status_label,
)
from licensing.sections import SECTION_TITLES
from licensing.views import family, outside, public, staff, tracker
from portal.i18n import current_language
from portal.tokens import TokenInvalid

__all__ = ["bp", "family", "outside", "public", "staff", "tracker"]


@bp.errorhandler(TokenInvalid)
def _link_invalid(_error):
    """Every emailed link of licensing (RSVP, account, reference, adult's part) that is tampered, expired or used."""
    return render_template("licensing/link_invalid.html"), 400


@bp.app_context_processor
def _labels():
    return {
        "section_title": lambda key: str(SECTION_TITLES.get(key, key)),
        "document_label": document_label,
        "interest_label": lambda value: str(INTEREST_LABELS[value]),
        "source_label": lambda value: str(SOURCE_LABELS[value]),
        "format_label": lambda value: str(FORMAT_LABELS[value]),
        "application_status_label": application_status_label,
        "section_status_label": section_status_label,
        "lead_status_label": lead_status_label,
        "event_label": event_label,
        "item_status_label": lambda v: label_of(ITEM_STATUS, v),
        "check_status_label": lambda v: label_of(CHECK_STATUS, v),
        "family_check_label": lambda v: label_of(FAMILY_CHECK_STATUS, v),
        "check_type_label": lambda v: label_of(CHECK_TYPE, v),
        "visit_kind_label": lambda v: label_of(VISIT_KIND, v),
        "visit_status_label": lambda v: label_of(VISIT_STATUS, v),
        "license_type_label": lambda v: label_of(LICENSE_TYPE, v),
        "stage_label": lambda v: label_of(REQUIREMENT_STAGE, v),
        "requirement_type_label": lambda v: label_of(REQUIREMENT_TYPE, v),
        "requirement_scope_label": lambda v: label_of(REQUIREMENT_SCOPE, v),
        "safety_item_label": lambda v: label_of(SAFETY_ITEM_LABELS, v),
        "safety_result_label": lambda v: label_of(SAFETY_RESULT, v),
        "report_section_title": lambda v: label_of(REPORT_SECTION_TITLES, v),
        "item_title": item_title,
    }


def item_title(item) -> str:
    """A checklist item's title in the reader's language (corrections carry their own words)."""
    title = item.template.title(current_language())
    return f"{title}: {item.custom_title}" if item.custom_title else title
