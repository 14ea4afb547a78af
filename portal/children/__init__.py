"""Children in care, their placements with licensed households, respite stays and appointments' owners.

The core's most sensitive records: every family-facing read goes through `visibility.py` (the one rule), every staff
read of a child's record is recorded in the event log. `licensing` and `training` may import this package; it never
imports them (the license facts a placement needs arrive through `licenses.py`'s registered source).
"""

from flask import Blueprint

bp = Blueprint("children", __name__, url_prefix="/children")
