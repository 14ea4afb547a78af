"""Trainings, support groups, enrollment, hours and payments. Depends on portal/, never the other way round.

Sub-packages with the same rooms: catalog (courses, sessions, enrollment), hours (attendance, credits, rules,
certificates), groups (support groups), payments (Stripe). `training/views.py` puts the blueprint together.
"""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training", cli_group=None)
