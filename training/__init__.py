"""Trainings, support groups, enrollment, hours and payments. Depends on portal/, never the other way round.

Its routes arrive with the training issue.
"""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
