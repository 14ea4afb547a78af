"""Becoming a licensed home: inquiries, information sessions, applications, checklists, home studies, licenses.

Depends on portal/, never the other way round. Its routes arrive with the application and licensing issues.
"""

from flask import Blueprint

# cli_group=None: its commands (send-reminders) sit at the top level, next to the core ones.
bp = Blueprint("licensing", __name__, url_prefix="/licensing", cli_group=None)
