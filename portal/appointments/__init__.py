"""A child's appointments: coordinators schedule them, the placed family sees them (list, month, calendar feed),
confirms transport or asks for a change; notices and day-before reminders go out in the family's language."""

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/appointments")
