"""The licensing blueprint put together: importing this module registers the routes, commands, email subjects and
template words of recruitment, the application and the tracker on `bp` (app.py imports it)."""

from flask import render_template
from flask_login import current_user

from licensing import bp
from licensing import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from licensing import messaging_staff as _messaging_staff  # noqa: F401  (who a family may write to)
from licensing import scale_demo as _scale_demo  # noqa: F401  (`flask seed-demo --households N`)
from licensing.application import emails as _application_emails  # noqa: F401  (email subjects, event words)
from licensing.application.documents import document_label
from licensing.application.labels import application_status_label, section_status_label
from licensing.application.permissions import application_for_stage
from licensing.application.sections import SECTION_TITLES
from licensing.application.services import stage_of
from licensing.application.views import admin as application_admin
from licensing.application.views import family, outside, staff
from licensing.pipeline import finished as _finished  # noqa: F401  (each lead's licensed-or-closed flag)
from licensing.pipeline import metrics_views as _metrics_views  # noqa: F401  (metrics and reports pages)
from licensing.pipeline import views as _pipeline  # noqa: F401  (the pipeline board's routes)
from licensing.pipeline.work_queue import work_queue
from licensing.recruitment import activity as _activity  # noqa: F401  (keeps leads' last activity from the log)
from licensing.recruitment import emails as _recruitment_emails  # noqa: F401
from licensing.recruitment import outreach_views as _outreach_views  # noqa: F401  (recruitment events, announcements)
from licensing.recruitment import views as recruitment
from licensing.recruitment.labels import (
    CONTACT_KIND_LABELS,
    CONTACT_OUTCOME_LABELS,
    FORMAT_LABELS,
    INTEREST_LABELS,
    SOURCE_LABELS,
    lead_status_label,
)
from licensing.tracker import emails as _tracker_emails  # noqa: F401
from licensing.tracker import license_source as _license_source  # noqa: F401  (license facts for placements)
from licensing.tracker import reminders as _reminders  # noqa: F401  (registers `flask send-reminders`)
from licensing.tracker.labels import (
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
    item_title,
)
from licensing.tracker.services.checklists import household_renewal
from licensing.tracker.views import admin
from licensing.tracker.views import family as tracker_family
from licensing.tracker.views import staff as tracker_staff
from portal.i18n import label_of
from portal.tokens import TokenInvalid

__all__ = ["admin", "application_admin", "bp", "family", "outside", "recruitment", "staff", "tracker_family",
           "tracker_staff"]


@bp.errorhandler(TokenInvalid)
def _link_invalid(_error):
    """Every emailed link of licensing (RSVP, account, reference, adult's part) that is tampered, expired or used."""
    return render_template("licensing/link_invalid.html"), 400


@bp.app_context_processor
def _own_application():
    """The applicant's dashboard (a core page) asks where the household's application stands; only pages that call
    it run the query."""
    return {"own_application_stage": lambda: stage_of(application_for_stage(current_user))}


@bp.app_context_processor
def _work_queue():
    """The homefinder's home page (a core page) shows the work queue; only pages that call it run its queries."""
    return {"homefinder_work_queue": work_queue}


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
        "contact_kind_label": lambda v: label_of(CONTACT_KIND_LABELS, v),
        "contact_outcome_label": lambda v: label_of(CONTACT_OUTCOME_LABELS, v),
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
        # The family's home page (templates/dashboard/family.html) shows the license year's renewal progress.
        "household_renewal": household_renewal,
    }

