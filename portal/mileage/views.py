"""Routes of transport and mileage: the family's trips and claims, staff's claims (decide, CSV), a coordinator's
trip logged for a family."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import select

from portal.access import roles_required
from portal.children.models import Child
from portal.clock import agency_today
from portal.csv_export import csv_response
from portal.extensions import db
from portal.forms import ConfirmForm, keeps_input, render_form
from portal.i18n import decimal_text, label_of
from portal.mileage import bp, lists, services
from portal.mileage import demo as _demo  # noqa: F401  (adds its part to `flask seed-demo`)
from portal.mileage import emails as _emails  # noqa: F401  (email subjects, event words)
from portal.mileage.forms import ClaimForm, DecisionForm, TripForm
from portal.mileage.labels import CLAIM_STATUS
from portal.mileage.models import ClaimStatus, MileageClaim
from portal.mileage.permissions import get_claim_for_family, get_claim_for_staff, get_trip_for_family
from portal.models import Role
from portal.paging import paginate
from portal.settings import mileage_rate_cents
from portal.transitions import Refused

FAMILY = (Role.FAMILY,)
STAFF = (Role.COORDINATOR, Role.ADMIN)


@bp.context_processor
def _words():
    return {"claim_status_label": lambda value: label_of(CLAIM_STATUS, value), "miles": miles_label}


@bp.app_context_processor
def _family_home_words():
    # The family's home page names a claim the agency sent back (until it is sent again, it is never paid).
    return {"mileage_claims_returned": lists.family_claims_returned}


def miles_label(tenths: int) -> str:
    """Miles with one decimal, in the reader's number format ("12.5", "1,204.0")."""
    return decimal_text(tenths / 10)


@bp.get("/")
@roles_required(*FAMILY)
def family_mileage():
    children = lists.family_children(current_user)
    placed = {child_id for child_id, _name, _since in children}
    trips = lists.family_unclaimed_trips(current_user)
    months = sorted({trip.trip_on.replace(day=1) for trip in trips}, reverse=True)
    return render_template("mileage/family_mileage.html", children=children, placed=placed, trips=trips,
                           months=months, claims=lists.family_claims(current_user), form=ConfirmForm())


def _trip_form(children, today, **kwargs) -> TripForm:
    appointments = lists.appointment_choices([child_id for child_id, *_rest in children], today)
    return TripForm(children=[(c[0], c[1], c[2]) for c in children], appointments=appointments, today=today,
                    **kwargs)


@bp.route("/trips/new", methods=["GET", "POST"])
@roles_required(*FAMILY)
@keeps_input
def family_new_trip():
    today = agency_today()
    children = lists.family_children(current_user)
    form = _trip_form(children, today, data={"trip_on": today})
    if form.validate_on_submit():
        try:
            services.log_trip(current_user, current_user.household_id, form.child_id.data, form.values(), today)
        except Refused as refused:
            form.trip_on.errors.append(str(refused.message))
        else:
            flash(_("The trip is saved."), "success")
            return redirect(url_for("mileage.family_mileage"), code=303)
    return render_form("mileage/trip_form.html", form, children=children, trip=None)


@bp.route("/trips/<int:trip_id>", methods=["GET", "POST"])
@roles_required(*FAMILY, hidden=True)
@keeps_input
def family_trip(trip_id: int):
    trip = get_trip_for_family(current_user, trip_id)
    if not services.trip_editable(trip, trip.claim.status if trip.claim else None):
        abort(404)  # in a claim waiting for a decision or approved: not the family's to change
    today = agency_today()
    children = lists.family_children(current_user)
    form = _trip_form(children, today, data={
        "child_id": trip.child_id, "trip_on": trip.trip_on, "from_place": trip.from_place, "to_place": trip.to_place,
        "purpose": trip.purpose, "miles": f"{trip.tenths // 10}.{trip.tenths % 10}",
        "appointment_id": trip.appointment_id or 0})
    form.child_id.choices = [choice for choice in form.child_id.choices if choice.value == trip.child_id]
    if form.validate_on_submit():
        try:
            services.change_trip(current_user, trip, form.values(), today)
        except Refused as refused:
            form.trip_on.errors.append(str(refused.message))
        else:
            flash(_("The trip is saved."), "success")
            return redirect(_after_trip(trip), code=303)
    return render_form("mileage/trip_form.html", form, children=children, trip=trip, delete_form=ConfirmForm())


def _after_trip(trip) -> str:
    if trip.claim_id:
        return url_for("mileage.family_claim", claim_id=trip.claim_id)
    return url_for("mileage.family_mileage")


@bp.post("/trips/<int:trip_id>/delete")
@roles_required(*FAMILY, hidden=True)
def family_delete_trip(trip_id: int):
    trip = get_trip_for_family(current_user, trip_id)
    if not services.trip_editable(trip, trip.claim.status if trip.claim else None):
        abort(404)
    after = _after_trip(trip)
    if ConfirmForm().validate_on_submit():
        services.remove_trip(current_user, trip)
        flash(_("The trip is removed."), "success")
    return redirect(after, code=303)


@bp.route("/claims/new", methods=["GET", "POST"])
@roles_required(*FAMILY)
@keeps_input
def family_new_claim():
    form = ClaimForm()
    month = lists.parse_month(form.month.data if request.method == "POST" else request.args.get("month"))
    if month is None:
        abort(404)
    if form.validate_on_submit():
        try:
            claim = services.submit_claim(current_user, current_user.household_id, month, agency_today())
        except Refused as refused:
            flash(str(refused.message), "danger")
            return redirect(url_for("mileage.family_mileage"), code=303)
        flash(_("Your claim is submitted. We will tell you when it is approved."), "success")
        return redirect(url_for("mileage.family_claim", claim_id=claim.id), code=303)
    trips = services.unclaimed_trips(current_user.household_id, month)
    rate = mileage_rate_cents()
    total = sum(trip.tenths for trip in trips)
    form.month.data = month.strftime("%Y-%m")
    return render_form("mileage/new_claim.html", form, month=month, trips=trips, rate=rate, total_tenths=total,
                       amount=services.amount_for(total, rate), children=_names_of(trips))


def _names_of(trips) -> dict[int, str]:
    """The first names of the trips' children (one statement; those of a child who left too)."""
    ids = {trip.child_id for trip in trips}
    return dict(db.session.execute(select(Child.id, Child.first_name).where(Child.id.in_(ids | {0}))).all())


@bp.get("/claims/<int:claim_id>")
@roles_required(*FAMILY, hidden=True)
def family_claim(claim_id: int):
    claim = get_claim_for_family(current_user, claim_id)
    placed = {child_id for child_id, _name, _since in lists.family_children(current_user)} \
        if claim.status is ClaimStatus.RETURNED else set()
    return render_template("mileage/family_claim.html", claim=claim, placed=placed, form=ConfirmForm())


@bp.post("/claims/<int:claim_id>/resubmit")
@roles_required(*FAMILY, hidden=True)
def family_resubmit_claim(claim_id: int):
    claim = get_claim_for_family(current_user, claim_id)
    if ConfirmForm().validate_on_submit():
        services.resubmit_claim(current_user, claim)
        flash(_("Your claim is submitted again."), "success")
    return redirect(url_for("mileage.family_claim", claim_id=claim.id), code=303)


@bp.get("/staff/claims")
@roles_required(*STAFF)
def staff_claims():
    status, month_text = request.args.get("status", ""), request.args.get("month", "")
    month = lists.parse_month(month_text)
    query = lists.staff_claims_query(current_user).order_by(MileageClaim.month.desc(), MileageClaim.id.desc())
    if status in {s.value for s in ClaimStatus}:
        query = query.where(MileageClaim.status == ClaimStatus(status))
    if month is not None:
        query = query.where(MileageClaim.month == month)
    page = paginate(query)
    return render_template("mileage/staff_claims.html", page=page, claims=page.items, status=status,
                           month=month.strftime("%Y-%m") if month else "", statuses=list(ClaimStatus),
                           csv_month=month or agency_today().replace(day=1))


@bp.route("/staff/claims/<int:claim_id>", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def staff_claim(claim_id: int):
    claim = get_claim_for_staff(current_user, claim_id, record_read=request.method == "GET")
    form = DecisionForm()
    if claim.status is ClaimStatus.SUBMITTED and form.validate_on_submit():
        services.decide_claim(current_user, claim, form.decision.data == "approve", form.reason.data or "")
        flash(_("The claim is approved.") if claim.status is ClaimStatus.APPROVED
              else _("The claim is returned to the family."), "success")
        return redirect(url_for("mileage.staff_claim", claim_id=claim.id), code=303)
    return render_form("mileage/staff_claim.html", form, claim=claim)


@bp.get("/staff/claims.csv")
@roles_required(*STAFF)
def staff_claims_csv():
    month = lists.parse_month(request.args.get("month")) or agency_today().replace(day=1)
    header = [_("Claim"), _("Family"), _("Month"), _("Status"), _("Rate (cents per mile)"), _("Claim miles"),
              _("Claim amount"), _("Trip date"), _("Child"), pgettext("trip place", "From"),
              pgettext("trip place", "To"), _("Purpose"), _("Miles")]
    rows = [[claim.id, household_name, claim.month.strftime("%Y-%m"), label_of(CLAIM_STATUS, claim.status),
             claim.rate_cents, _miles(claim.total_tenths), f"{claim.amount_cents / 100:.2f}", trip.trip_on.isoformat(),
             f"{first_name} {last_name}", trip.from_place, trip.to_place, trip.purpose, _miles(trip.tenths)]
            for claim, household_name, trip, first_name, last_name in lists.claims_csv_rows(current_user, month)]
    return csv_response(f"mileage-claims-{month:%Y-%m}.csv", header, rows)


def _miles(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"


@bp.route("/staff/trips/new", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def staff_new_trip():
    """A coordinator logs a trip for the family the child is placed with (a trip phoned in)."""
    today = agency_today()
    children = lists.caseload_children(current_user, today)
    households = {child_id: household_id for child_id, _name, _since, household_id in children}
    form = _trip_form(children, today, data={"trip_on": today})
    if form.validate_on_submit():
        try:
            services.log_trip(current_user, households[form.child_id.data], form.child_id.data, form.values(), today)
        except Refused as refused:
            form.trip_on.errors.append(str(refused.message))
        else:
            flash(_("The trip is saved for the family."), "success")
            return redirect(url_for("mileage.staff_claims"), code=303)
    return render_form("mileage/trip_form.html", form, children=children, trip=None, staff=True)
