"""The caregiver's report to the court before each hearing: asked of the placed family, confirmed by the coordinator."""

from flask import Blueprint

# cli_group=None: `flask send-court-report-requests` sits at the top level, next to `send-reminders`.
bp = Blueprint("court_reports", __name__, url_prefix="/court-reports", cli_group=None)
