"""The agency's licensing requirements (templates every new checklist is made from), edited by administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from licensing.tracker.models import RequirementTemplate
from portal import audit
from portal.extensions import db
from portal.models import User
from portal.transitions import Refused

EDITABLE = ("code", "type", "scope", "stage", "title_en", "title_es", "explanation_en", "explanation_es",
            "hours_required", "due_days", "renews_every_months", "for_renewal", "active")


def save_requirement(admin: User, template: RequirementTemplate | None, form) -> RequirementTemplate:
    """Create or change a requirement from its validated form; the code must stay unique. Recorded with what
    changed, since it decides what every new household is asked for."""
    clash = db.session.scalar(select(RequirementTemplate).where(RequirementTemplate.code == form.code.data))
    if clash is not None and clash is not template:
        raise Refused(_l("Another requirement already uses this code."))
    if template is None:
        template = RequirementTemplate(position=1000)
        db.session.add(template)
    before = {name: getattr(template, name, None) for name in EDITABLE}
    for name in EDITABLE:
        value = form[name].data
        setattr(template, name, value if value is not None or not name.startswith("explanation") else "")
    changed = {name: str(getattr(template, name)) for name in EDITABLE if getattr(template, name) != before[name]}
    audit.record("requirement_saved", actor=admin, target=template, changed=changed)
    return template
