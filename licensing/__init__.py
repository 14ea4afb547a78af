"""Becoming a licensed home: inquiries, information sessions, applications, checklists, home studies, licenses.

Depends on portal/, never the other way round. Its routes arrive with the application and licensing issues.
"""

from flask import Blueprint

bp = Blueprint("licensing", __name__, url_prefix="/licensing")
