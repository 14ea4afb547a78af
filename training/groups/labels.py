"""Words for the support groups' stored values (recurrence, weekdays, childcare), in the reader's language."""

from babel import Locale
from babel.dates import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import FORMAT_LOCALES, current_language, label_of
from training.catalog.models import ChildcareStatus
from training.groups.models import MEETING_STATUS_LABELS, Recurrence, SupportGroup

RECURRENCE_LABELS = {
    Recurrence.WEEKLY: _l("Every week"),
    Recurrence.EVERY_TWO_WEEKS: _l("Every two weeks"),
    Recurrence.MONTHLY: _l("Once a month"),
}
WEEKDAY_LABELS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday")]
WEEK_OF_MONTH_LABELS = [_l("First"), _l("Second"), _l("Third"), _l("Fourth"), _l("Last")]
CHILDCARE_LABELS = {
    ChildcareStatus.NONE: _l("No childcare"),
    ChildcareStatus.BOOKED: _l("Childcare booked"),
    ChildcareStatus.WAITLISTED: _l("Childcare: on the waitlist"),
}


def schedule_text(group: SupportGroup) -> str:
    """"Every second Tuesday of the month at 6:30 PM", as one translated sentence per rule."""
    at = format_time(group.time_of_day, format="short",
                     locale=Locale.parse(FORMAT_LOCALES.get(current_language(), "en_US")))
    weekday = str(WEEKDAY_LABELS[group.weekday])
    if group.recurrence is Recurrence.WEEKLY:
        return _("Every %(weekday)s at %(time)s", weekday=weekday, time=at)
    if group.recurrence is Recurrence.EVERY_TWO_WEEKS:
        return _("Every other %(weekday)s at %(time)s", weekday=weekday, time=at)
    return _("%(which)s %(weekday)s of the month at %(time)s", which=str(WEEK_OF_MONTH_LABELS[group.week_of_month - 1]),
             weekday=weekday, time=at)


def group_words() -> dict:
    return {
        "recurrence_label": lambda value: label_of(RECURRENCE_LABELS, value),
        "childcare_label": lambda value: label_of(CHILDCARE_LABELS, value),
        "meeting_status_label": lambda value: label_of(MEETING_STATUS_LABELS, value),
        "schedule_text": schedule_text,
    }
