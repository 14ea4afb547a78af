"""Becoming a licensed home, in three domains with the same rooms (models, forms, services, permissions, views,
emails): recruitment/ (inquiries, leads, information sessions), application/ (the household's application), and
tracker/ (checklists, background checks, home study, license, renewals and reminders). They share one blueprint, so
URLs and endpoint names stay `licensing.*`; licensing/views.py puts it together.

Depends on portal/, never the other way round. Inside: recruitment -> application <- tracker (the tracker hears of
submissions through a signal, so the application never imports it).
"""

from flask import Blueprint

# cli_group=None: its commands (send-reminders) sit at the top level, next to the core ones.
bp = Blueprint("licensing", __name__, url_prefix="/licensing", cli_group=None)
