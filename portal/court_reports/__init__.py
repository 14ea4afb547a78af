"""The caregiver's report to the court before each hearing: asked of the placed family, confirmed by the coordinator."""

from flask import Blueprint

bp = Blueprint("court_reports", __name__, url_prefix="/court-reports")
