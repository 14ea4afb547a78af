"""Route modules of the licensing blueprint; importing this package registers them all on `bp`."""

from licensing import bp
from licensing import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from licensing import emails as _emails  # noqa: F401  (registers the email subjects)
from licensing.documents import document_label
from licensing.forms import FORMAT_LABELS, INTEREST_LABELS, SOURCE_LABELS
from licensing.labels import application_status_label, event_label, lead_status_label, section_status_label
from licensing.sections import SECTION_TITLES
from licensing.views import family, outside, public, staff

__all__ = ["bp", "family", "outside", "public", "staff"]


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
    }
