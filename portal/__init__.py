"""The portal's core: accounts, roles, households, mail, i18n, audit. Routes live in portal/views/."""

from flask import Blueprint

bp = Blueprint("portal", __name__)
