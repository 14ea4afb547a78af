"""The pipeline board's routes: the board, its CSV with the same filters, and the bulk actions (assign, close)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from licensing import bp
from licensing.pipeline import board
from licensing.pipeline.stages import STAGES, stage_label
from licensing.recruitment import services
from licensing.recruitment.labels import CLOSED_REASON_LABELS, SOURCE_LABELS, closed_reason_label
from licensing.recruitment.models import ClosedReason, Lead
from licensing.roles import LICENSING_STAFF as STAFF
from portal.access import roles_required
from portal.clock import agency_zone
from portal.csv_export import csv_response
from portal.extensions import db
from portal.forms import PortalForm
from portal.i18n import LANGUAGE_LABELS, language_label
from portal.models import User
from portal.paging import PAGE_SIZE
from portal.routing import parse_id


class BulkActionForm(PortalForm):
    """Assign the ticked families, or close them with a reason. The ticked lead ids come as `lead` (several)."""

    homefinder = SelectField(_l("Assign to"), choices=[], validators=[Optional()], validate_choice=False)
    reason = SelectField(_l("Reason for closing"), choices=[SelectChoice("", _l("Choose a reason")),
                                                               *(SelectChoice(r.value, label)
                                                                 for r, label in CLOSED_REASON_LABELS.items())],
                         validators=[Optional()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
    back = HiddenField()  # the board's query string: back to the same filters


def _language() -> str:
    return str(get_locale() or "en")


@bp.get("/staff/pipeline")
@roles_required(*STAFF)
def pipeline_board():
    homefinders = board.homefinder_choices()
    form, board_filter = board.read_filter(request.args, current_user, homefinders)
    bulk_form = BulkActionForm(back=urlencode(board_filter.query_args(who=board_filter.who)))
    bulk_form.homefinder.choices = [SelectChoice("", _("Choose a homefinder")),
                                   *(SelectChoice(str(i), name) for i, name in homefinders)]
    # The words of stages, languages and sources translated once for the page, and looked up for each of its rows.
    return render_template("licensing/pipeline/board.html", form=form, board_filter=board_filter,
                           page=board.board_page(board_filter, current_user, _language()), bulk_form=bulk_form,
                           stages=STAGES, stage_labels={stage.value: stage_label(stage) for stage in STAGES},
                           language_labels={code: str(label) for code, label in LANGUAGE_LABELS.items()},
                           source_labels={source.value: str(label) for source, label in SOURCE_LABELS.items()},
                           closed_reason_label=closed_reason_label)


@bp.get("/staff/pipeline.csv")
@roles_required(*STAFF)
def pipeline_csv():
    _form, board_filter = board.read_filter(request.args, current_user, board.homefinder_choices())
    rows = board.board_rows(board_filter, current_user, _language())
    header = [_("Name"), _("Email"), _("Phone"), _("Language"), _("Source"), _("County"), _("ZIP code"), _("Stage"),
              _("Days in stage"), _("Homefinder"), _("Last activity"), _("Stalled"), _("Next due"), _("Due on"),
              _("Reason for closing")]
    return csv_response("pipeline.csv", header, (
        [row.name, row.email, row.phone, language_label(row.language),
         str(SOURCE_LABELS.get(row.source, row.source)), row.county, row.zip_code, stage_label(row.stage),
         row.days_in_stage, row.homefinder, row.last_activity_at.astimezone(agency_zone()).date().isoformat(),
         _("Yes") if row.stalled else "",
         row.next_due, row.next_due_on.isoformat() if row.next_due_on else "", closed_reason_label(row.closed_reason)]
        for row in rows))


@bp.post("/staff/pipeline/bulk")
@roles_required(*STAFF)
def pipeline_bulk():
    """Assign or close the ticked families; unknown ids are ignored, an empty selection is refused with a word."""
    form = BulkActionForm()
    back = url_for("licensing.pipeline_board") + "?" + urlencode(parse_qsl(form.back.data or ""))
    if not form.validate_on_submit():
        flash(" ".join(form.form_errors_for_display or [_("Check the action and try again.")]), "danger")
        return redirect(back, code=303)
    ticked = request.form.getlist("lead")
    if len(ticked) > PAGE_SIZE:
        # The board shows a page at a time, so no more can be ticked: a longer list is a crafted request, refused
        # before it becomes one IN (...) of any length and an event per family.
        flash(ngettext("Tick at most %(num)s family at a time.", "Tick at most %(num)s families at a time.",
                       PAGE_SIZE), "warning")
        return redirect(back, code=303)
    ids = {number for number in map(parse_id, ticked) if number is not None}
    leads = list(db.session.scalars(select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id))) if ids else []
    if not leads:
        flash(_("Tick at least one family first."), "warning")
    elif request.form.get("action") == "assign":
        _assign(leads, parse_id(form.homefinder.data))
    elif request.form.get("action") == "close":
        _close(leads, form.reason.data, form.note.data or "")
    else:
        flash(_("Choose what to do with the ticked families."), "warning")
    return redirect(back, code=303)


def _assign(leads: list[Lead], homefinder_id: int | None) -> None:
    homefinder = db.session.scalar(select(User).where(User.id == homefinder_id, User.role.in_(STAFF),
                                                      User.is_active.is_(True))) if homefinder_id else None
    if homefinder is None:
        flash(_("Choose the homefinder to assign the families to."), "warning")
        return
    services.assign_homefinder(current_user, leads, homefinder)
    flash(ngettext("%(num)s family assigned to %(name)s.", "%(num)s families assigned to %(name)s.", len(leads),
                   name=homefinder.full_name), "success")


def _close(leads: list[Lead], reason: str, note: str) -> None:
    if reason not in {r.value for r in ClosedReason}:
        flash(_("Choose why the families are closed: closures are reported by reason."), "warning")
        return
    outcome = services.close_leads(current_user, leads, ClosedReason(reason), note)
    if outcome.closed:
        flash(ngettext("%(num)s family closed.", "%(num)s families closed.", len(outcome.closed)), "success")
    if outcome.licensed:
        # close_leads leaves alone a family holding a license and one whose application is approved (its license
        # not issued yet): both are said as what they are.
        flash(_("Left open, application approved or license issued: %(names)s. A license is closed on its own "
                "page.",
                names=", ".join(lead.full_name for lead in outcome.licensed)), "warning")
    if outcome.already_closed:
        flash(_("Closed already: %(names)s.", names=", ".join(lead.full_name for lead in outcome.already_closed)),
              "info")
