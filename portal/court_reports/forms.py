"""The family's caregiver report, and the coordinator's receipt button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from portal.forms import PortalForm, strip_text

MAX_ANSWER = 5000


def _answer(label, description):
    return TextAreaField(label, description=description, filters=[strip_text],
                         validators=[Length(max=MAX_ANSWER)], render_kw={"rows": 4})


class CaregiverReportForm(PortalForm):
    home = _answer(_l("At home"), _l("How the child is doing at home: sleep, meals, mood, routines, friends."))
    school = _answer(_l("School"), _l("Attendance, grades, teachers, any meetings."))
    health = _answer(_l("Health"), _l("Doctor, dentist and therapy visits, medicines, anything that worries you."))
    visits = _answer(_l("Family visits"), _l("Visits with parents, brothers and sisters: how they went."))
    other = _answer(_l("Anything else the judge should know"), "")
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Send to the coordinator"))

    def answers(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in ("home", "school", "health", "visits", "other")}
