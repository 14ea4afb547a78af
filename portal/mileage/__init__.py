"""Transport and mileage: trips logged for a placed child, monthly reimbursement claims at the agency's rate."""

from flask import Blueprint

bp = Blueprint("mileage", __name__, url_prefix="/mileage")
