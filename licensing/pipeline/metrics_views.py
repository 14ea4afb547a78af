"""The homefinders' numbers: the metrics page (charts and tables for a chosen period) and the monthly and quarterly
reports (printable, and as CSV). Read-only pages: the queries are in metrics.py and reports.py."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from licensing import bp
from licensing.pipeline import reports
from licensing.pipeline.charts import metrics_charts
from licensing.pipeline.metrics import STEP_LABELS, compute
from licensing.pipeline.metrics_forms import MetricsPeriodForm
from licensing.pipeline.reports import CLOSED_REASON_LABELS, neighbours, parse_period
from licensing.pipeline.stages import stage_label
from licensing.recruitment.labels import SOURCE_LABELS
from licensing.roles import LICENSING_STAFF as STAFF
from portal.access import roles_required
from portal.clock import agency_today
from portal.csv_export import csv_response
from portal.i18n import decimal_text, language_label, month_text, percent_text


@bp.get("/staff/metrics")
@roles_required(*STAFF)
def staff_metrics():
    form = MetricsPeriodForm(request.args)
    metrics = compute(form.period(agency_today()))
    return render_template("licensing/pipeline/metrics.html", form=form, metrics=metrics,
                           charts=metrics_charts(metrics), step_labels=STEP_LABELS, report_code=_last_month(),
                           **_words())


@bp.get("/staff/reports")
@roles_required(*STAFF)
def staff_reports():
    """The last whole month's report (the others are a link away on it)."""
    return redirect(url_for("licensing.staff_report", period=_last_month()))


def _last_month() -> str:
    return f"{agency_today().replace(day=1) - timedelta(days=1):%Y-%m}"


@bp.get("/staff/reports/<period>")
@roles_required(*STAFF)
def staff_report(period: str):
    report = reports.build(_report_period(period))
    previous, following = neighbours(report.period)
    return render_template("licensing/pipeline/report.html", report=report, previous=previous, following=following,
                           closed_reason_labels=CLOSED_REASON_LABELS, report_title=_report_title(report.period),
                           **_related_codes(report.period))


@bp.get("/staff/reports/<period>.csv")
@roles_required(*STAFF)
def staff_report_csv(period: str):
    report = reports.build(_report_period(period))
    return csv_response(f"report-{report.period.code}.csv", [_("Section"), _("Measure"), _("Value")],
                        report_rows(report))


def _report_period(code: str) -> reports.ReportPeriod:
    found = parse_period(code)
    if found is None:
        abort(404)
    return found


def one_decimal(value: float | None) -> str:
    """A median or percentile, to one decimal in the reader's language. Rounded first: a median a few seconds under
    zero (a contact logged a moment before the inquiry's time) reads "0.0", not "-0.0"."""
    if value is None:
        return ""
    return decimal_text(round(value, 1) + 0.0)  # + 0.0 turns -0.0 into 0.0


def _words() -> dict:
    """How the metrics page says its numbers and keys, in the reader's language."""
    return {
        "percent": lambda value: "" if value is None else percent_text(value),
        "one_decimal": one_decimal,
        "stage_name": stage_label,
        "source_name": lambda group: str(SOURCE_LABELS[group.key]),
        "language_name": lambda group: language_label(group.key),
        "group_name": lambda group: group.name or _("Not assigned"),
    }


def _report_title(report: reports.ReportPeriod) -> str:
    if report.kind == "month":
        return _("Monthly report: %(month)s", month=month_text(report.period.first))
    return _("Quarterly report: %(year)s, quarter %(quarter)s", year=report.year, quarter=report.number)


def _related_codes(report: reports.ReportPeriod) -> dict[str, str]:
    """The month's quarter, or the quarter's first month: the links between the two kinds of report."""
    first = report.period.first
    return {"month_code": f"{first:%Y-%m}", "quarter_code": f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"}


def report_rows(report: reports.Report) -> list[list[object]]:
    """The report's numbers as the CSV's rows (section, measure, value), in the reader's language."""
    period = report.period.period
    activity, standing = _("In the period"), _("Today")
    rows: list[list[object]] = [
        [_("Period"), _("From"), period.first.isoformat()],
        [_("Period"), _("To"), period.last.isoformat()],
        [activity, _("Inquiries received"), report.inquiries],
        [activity, _("New families"), report.new_families],
        [activity, _("Information sessions held"), report.sessions_held],
        [activity, _("Attendances at information sessions"), report.sessions_attended],
        [activity, _("Applications sent"), report.applications_submitted],
        [activity, _("Licenses issued"), report.licenses_issued],
        [activity, _("Trainings completed (training checklist items approved)"), report.trainings_completed],
        [standing, _("Active licensed homes"), report.active_homes],
        [standing, _("Capacity of active licensed homes"), report.active_capacity],
        [_("After the period"), _("Renewals due within 90 days after the period"), report.renewals_due],
    ]
    rows += [[_("Closures by reason"), str(CLOSED_REASON_LABELS[reason]), count] for reason, count in report.closures]
    rows += [[_("New families by recruitment event"), name, count] for name, count in report.by_event]
    return rows
