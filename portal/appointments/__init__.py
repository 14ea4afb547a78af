"""A child's appointments: coordinators schedule them, the placed family sees them (list, month, calendar feed),
confirms transport or asks for a change; notices and day-before reminders go out in the family's language."""

from flask import Blueprint

# cli_group=None: `flask send-appointment-reminders` sits at the top level, next to the core's commands.
bp = Blueprint("appointments", __name__, url_prefix="/appointments", cli_group=None)
