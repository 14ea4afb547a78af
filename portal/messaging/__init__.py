"""Secure messaging between a family and the staff assigned to it: threads, unread counts, attachments."""

from flask import Blueprint

bp = Blueprint("messaging", __name__, url_prefix="/messages")
