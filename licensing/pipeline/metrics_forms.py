"""The metrics page's period: a GET form (the period is in the URL, so a chosen view can be bookmarked and shared).

A bad or missing date never fails the page: the form says what is wrong and the page shows the default period."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField
from wtforms.validators import Optional, ValidationError

from licensing.pipeline.metrics import Period, last_twelve_months
from portal.forms import TranslatedMessages

MIN_YEAR, MAX_YEAR = 2000, 2999  # dates a period can name (beyond them the clock arithmetic would overflow)
MAX_DAYS = 366 * 10


class MetricsPeriodForm(Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both optional."""

    Meta = TranslatedMessages

    start = DateField(_l("From"), name="from", validators=[Optional()])
    end = DateField(_l("To"), name="to", validators=[Optional()])

    def validate_start(self, field):
        _check_year(field)

    def validate_end(self, field):
        _check_year(field)
        start = self.start.data
        if field.data and start and MIN_YEAR <= start.year <= MAX_YEAR:
            if field.data < start:
                raise ValidationError(_("The end of the period can't be before its start."))
            if (field.data - start).days > MAX_DAYS:
                raise ValidationError(_("Choose a period of at most ten years."))

    def period(self, today: date) -> Period:
        """The period asked for when the form is valid, else the last twelve months. Either end alone: from that
        day to today, or the twelve months up to that day."""
        default = last_twelve_months(today)
        if not self.validate():
            return default
        start, end = self.start.data, self.end.data
        if start and end:
            return Period(start, end)
        if start:
            return Period(start, max(start, today))
        if end:
            return last_twelve_months(end)
        return default


def _check_year(field) -> None:
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(_("Choose a date between the years %(first)s and %(last)s.", first=MIN_YEAR,
                                last=MAX_YEAR))
