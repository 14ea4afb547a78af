"""Routes of placed children: the coordinator's caseload and a child's record, placements, matching and stays; the
administrator's assignments and hand-over; a family's page of the child in its home. Every record named by a URL is
loaded through `permissions.py` (404 when it isn't the user's); every write goes through `services.py`."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm.exc import StaleDataError

from portal.access import roles_required
from portal.children import bp, labels, matching, services
from portal.children import demo as _demo  # noqa: F401  (adds placed children to `flask seed-demo`)
from portal.children.forms import (
    AssignForm,
    CancelPlacementForm,
    CancelStayForm,
    CaseStatusForm,
    ChildForm,
    EndPlacementForm,
    HandoverForm,
    PlaceForm,
    StayForm,
)
from portal.children.licenses import licensed_homes
from portal.children.lists import caseload_page, next_appointments
from portal.children.models import (
    DEFAULT_FAMILY_VISIBLE,
    CaseStatus,
    Child,
    Placement,
    PlacementEndReason,
    PlacementStatus,
    RespiteStay,
    StayKind,
)
from portal.children.permissions import (
    get_active_placement_for_staff,
    get_child_for_family,
    get_child_for_staff,
    get_coordinator_for_admin,
    get_stay_for_staff,
)
from portal.children.visibility import (
    FamilyAccess,
    caseload_clause,
    family_children_query,
    family_fields,
    may_work_child,
)
from portal.clock import agency_today
from portal.extensions import db
from portal.folding import fold
from portal.forms import keeps_input, render_form
from portal.models import Household, Role, User
from portal.navigation import menu_counts, register_menu_count
from portal.paging import search_text
from portal.routing import parse_id
from portal.transitions import ChangedMeanwhile, TransitionRefused

STAFF = (Role.COORDINATOR, Role.ADMIN)


def _family_has_child(household_id, today=None):
    return exists().select_from(family_children_query(household_id, today).subquery())


# A family's menu names its group "Children in my home" and shows that entry only while a child is in the home.
register_menu_count("family_has_child", lambda person: _family_has_child(person.household_id, person.today)
                    if person.role is Role.FAMILY and person.household_id is not None else None)


@bp.app_context_processor
def children_words() -> dict:
    def family_has_child() -> bool:
        """Only when a family's menu is drawn: a family's is read with the menu's other counts (one statement)."""
        if not current_user.is_authenticated or current_user.household_id is None:
            return False
        counts = menu_counts()
        if "family_has_child" in counts:
            return bool(counts["family_has_child"])
        if "family_has_child" not in g:  # asked by the menu's group label and by its entry: one statement a page
            g.family_has_child = bool(db.session.scalar(select(_family_has_child(current_user.household_id))))
        return g.family_has_child

    def caseload_counts() -> dict:
        """Open cases and how many are placed, counted in the database (one statement)."""
        placed = exists().where(Placement.child_id == Child.id, Placement.status == PlacementStatus.ACTIVE)
        open_count, placed_count = db.session.execute(
            select(func.count(Child.id), func.coalesce(func.sum(case((placed, 1), else_=0)), 0))
            .where(caseload_clause(current_user), Child.case_status == CaseStatus.OPEN)).one()
        return {"open": open_count, "placed": placed_count}

    return {"children_labels": labels, "family_has_child": family_has_child, "caseload_counts": caseload_counts}


def _coordinators(*, with_inactive: bool = False) -> list[User]:
    """Active coordinators (who may take children); `with_inactive`: also those whose account was closed (whose
    caseload must still be handed over)."""
    query = (select(User).where(User.role == Role.COORDINATOR)
             .order_by(User.is_active.desc(), fold(User.full_name), User.id))
    if not with_inactive:
        query = query.where(User.is_active.is_(True))
    return list(db.session.scalars(query).all())


def _coordinator_choice(user: User) -> tuple[str, str]:
    return str(user.id), user.full_name if user.is_active else _("%(name)s (account closed)", name=user.full_name)


def _refuse(form, refused: services.RefusedAt) -> None:
    field = getattr(form, refused.field, None)
    if field is not None:
        field.errors = [*field.errors, str(refused.message)]
    else:
        form.form_errors.append(str(refused.message))


# -- the caseload ---------------------------------------------------------------------------------------------------

@bp.get("/")
@roles_required(*STAFF)
def caseload():
    q = search_text()
    status = request.args.get("status", "")
    case_status = CaseStatus(status) if status in {s.value for s in CaseStatus} else None
    page = caseload_page(current_user, q, case_status)
    upcoming = next_appointments([row[0].id for row in page.items])
    return render_template("children/caseload.html", page=page, q=q, upcoming=upcoming, today=agency_today(),
                           status=case_status.value if case_status else "")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
@keeps_input
def new_child():
    form = ChildForm()
    if request.method == "GET":
        form.family_visible.data = list(DEFAULT_FAMILY_VISIBLE)
    if form.validate_on_submit():
        child = services.create_child(current_user, form.values())
        flash(_("Child added."), "success")
        return redirect(url_for("children.child", child_id=child.id), code=303)
    return render_form("children/child_form.html", form, child=None)


def render_child_page(child: Child, status: int = 200, **forms):
    placements = db.session.execute(select(Placement, Household.name).join(Household)
                                    .where(Placement.child_id == child.id)
                                    .order_by(Placement.starts_on.desc(), Placement.id.desc())).all()
    stays = db.session.execute(select(RespiteStay, Household.name)
                               .join(Placement, Placement.id == RespiteStay.placement_id)
                               .outerjoin(Household, Household.id == RespiteStay.household_id)
                               .where(Placement.child_id == child.id)
                               .order_by(RespiteStay.starts_on.desc(), RespiteStay.id.desc())).all()
    coordinator = db.session.get(User, child.coordinator_id) if child.coordinator_id else None
    current = next((p for p, _name in placements if p.status is PlacementStatus.ACTIVE), None)
    status_form = forms.get("status_form") or CaseStatusForm(
        formdata=None, version=child.version,
        status=CaseStatus.CLOSED.value if child.case_status is CaseStatus.OPEN else CaseStatus.OPEN.value)
    assign_form = None
    if current_user.role is Role.ADMIN:
        assign_form = forms.get("assign_form") or AssignForm(formdata=None, coordinator=str(child.coordinator_id))
        assign_form.coordinator.choices = [(str(u.id), u.full_name) for u in _coordinators()]
    return render_template("children/child.html", child=child, placements=placements, stays=stays,
                           coordinator=coordinator, current=current, status_form=status_form,
                           assign_form=assign_form, today=agency_today(),
                           upcoming=next_appointments([child.id], per_child=5).get(child.id, [])), status


@bp.get("/<int:child_id>")
@roles_required(*STAFF, hidden=True)
def child(child_id: int):
    return render_child_page(get_child_for_staff(current_user, child_id))


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def edit_child(child_id: int):
    record = get_child_for_staff(current_user, child_id)
    form = ChildForm(obj=record if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_child(current_user, record, form.values(), form.version.data or 0)
        except (ChangedMeanwhile, StaleDataError):
            db.rollback()
            form.form_errors.append(_("Someone else changed this record meanwhile. Open it again to see their "
                                      "change, then make yours."))
            return render_template("children/child_form.html", form=form, child=record), 409
        flash(_("Saved."), "success")
        return redirect(url_for("children.child", child_id=record.id), code=303)
    return render_form("children/child_form.html", form, child=record)


@bp.post("/<int:child_id>/status")
@roles_required(*STAFF, hidden=True)
def change_status(child_id: int):
    record = get_child_for_staff(current_user, child_id, record_read=False)
    form = CaseStatusForm()
    try:
        if not form.validate_on_submit():
            raise TransitionRefused(_("Check the values and try again."))
        services.change_case_status(current_user, record, CaseStatus(form.status.data), form.reason.data or "",
                                    form.version.data)
    except (ChangedMeanwhile, StaleDataError):
        db.rollback()
        form.status.errors = [_("Someone else changed this record meanwhile. Look again, then try again.")]
        return render_child_page(get_child_for_staff(current_user, child_id, record_read=False), 409,
                                 status_form=form)
    except TransitionRefused as refused:
        db.rollback()
        form.reason.errors = [*form.reason.errors, str(refused.message)]
        return render_child_page(get_child_for_staff(current_user, child_id, record_read=False), 422,
                                 status_form=form)
    except services.RefusedAt as refused:
        db.rollback()
        form.status.errors = [str(refused.message)]
        return render_child_page(get_child_for_staff(current_user, child_id, record_read=False), 422,
                                 status_form=form)
    flash(_("Saved."), "success")
    return redirect(url_for("children.child", child_id=child_id), code=303)


@bp.post("/<int:child_id>/assign")
@roles_required(Role.ADMIN, hidden=True)
def assign_child(child_id: int):
    record = get_child_for_staff(current_user, child_id, record_read=False)
    form = AssignForm()
    form.coordinator.choices = [(str(u.id), u.full_name) for u in _coordinators()]
    if not form.validate_on_submit():
        return render_child_page(record, 422, assign_form=form)
    services.assign_coordinator(current_user, record, get_coordinator_for_admin(current_user,
                                                                                parse_id(form.coordinator.data)))
    flash(_("Saved."), "success")
    return redirect(url_for("children.child", child_id=child_id), code=303)


@bp.route("/handover", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@keeps_input
def handover():
    form = HandoverForm()
    # A coordinator who left (account closed) still hands over; only an active coordinator takes over.
    form.leaving.choices = [_coordinator_choice(u) for u in _coordinators(with_inactive=True)]
    form.successor.choices = [_coordinator_choice(u) for u in _coordinators()]
    if form.validate_on_submit():
        leaving = get_coordinator_for_admin(current_user, parse_id(form.leaving.data))
        successor = get_coordinator_for_admin(current_user, parse_id(form.successor.data))
        try:
            services.hand_over(current_user, leaving, successor)
        except services.RefusedAt as refused:
            _refuse(form, refused)
            return render_form("children/handover.html", form)
        flash(_("The caseload of %(leaving)s now belongs to %(successor)s.", leaving=leaving.full_name,
                successor=successor.full_name), "success")
        return redirect(url_for("children.caseload"), code=303)
    return render_form("children/handover.html", form)


# -- placements -----------------------------------------------------------------------------------------------------

def _household_choices(day) -> list[tuple[str, str]]:
    """Each licensed home with what a coordinator weighs first: the ages it is licensed for, the places free (its
    capacity less its current placements; two statements whatever the number of homes)."""
    homes = licensed_homes(day)
    placed = services.active_counts([home.household_id for home in homes])
    return [(str(home.household_id), _(
        "%(name)s (%(license)s): ages %(low)d to %(high)d, %(free)d of %(capacity)d places free",
        name=home.household_name, license=home.license_number, low=home.age_min, high=home.age_max,
        free=max(home.capacity - placed.get(home.household_id, 0), 0), capacity=home.capacity)) for home in homes]


@bp.route("/<int:child_id>/place", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def place_child(child_id: int):
    # The page shows the child's record (name, age): reading it is recorded; the POST is recorded by the placement.
    record = get_child_for_staff(current_user, child_id, record_read=request.method == "GET")
    form = PlaceForm(household=request.args.get("household", ""))
    form.household.choices = [("", _("Choose a household")), *_household_choices(agency_today())]
    if request.method == "GET" and form.starts_on.data is None:
        form.starts_on.data = agency_today()
    if form.validate_on_submit():
        household_id = parse_id(form.household.data)
        try:
            if household_id is None:
                raise services.RefusedAt("household", _("Choose a household."))
            services.place_child(current_user, record, household_id, form.starts_on.data, form.reason.data or "")
        except services.RefusedAt as refused:
            db.rollback()
            _refuse(form, refused)
            return render_form("children/place.html", form, child=record)
        flash(_("Placement recorded."), "success")
        return redirect(url_for("children.child", child_id=record.id), code=303)
    return render_form("children/place.html", form, child=record)


@bp.get("/<int:child_id>/matches")
@roles_required(*STAFF, hidden=True)
def match_child(child_id: int):
    record = get_child_for_staff(current_user, child_id)  # the needs and the siblings: a read of the record
    found, siblings = matching.matches_for(record, agency_today())
    own = {s.id for s in siblings if may_work_child(current_user, s)}  # the others: counted, not named
    return render_template("children/matches.html", child=record, matches=found, siblings=siblings,
                           own_sibling_ids=own)


@bp.route("/placements/<int:placement_id>/end", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def end_placement(placement_id: int):
    placement = get_active_placement_for_staff(current_user, placement_id)
    if placement.starts_on > agency_today():
        return _cancel_placement(placement)
    form = EndPlacementForm()
    if request.method == "GET" and form.ends_on.data is None:
        form.ends_on.data = agency_today()
    if form.validate_on_submit():
        try:
            services.end_placement(current_user, placement, form.ends_on.data,
                                   PlacementEndReason(form.end_reason.data), form.note.data or "")
        except services.RefusedAt as refused:
            db.rollback()
            _refuse(form, refused)
            return render_form("children/end_placement.html", form, placement=placement)
        flash(_("The placement has ended."), "success")
        return redirect(url_for("children.child", child_id=placement.child_id), code=303)
    return render_form("children/end_placement.html", form, placement=placement)


def _cancel_placement(placement: Placement):
    """The same page for a placement that hasn't started: it is cancelled (with why), not ended."""
    form = CancelPlacementForm()
    if form.validate_on_submit():
        try:
            services.cancel_placement(current_user, placement, form.note.data or "")
        except services.RefusedAt as refused:
            db.rollback()
            _refuse(form, refused)
            return render_form("children/end_placement.html", form, placement=placement, not_started=True)
        flash(_("The placement is cancelled; the household's place is free again."), "success")
        return redirect(url_for("children.child", child_id=placement.child_id), code=303)
    return render_form("children/end_placement.html", form, placement=placement, not_started=True)


# -- respite and short stays ----------------------------------------------------------------------------------------

@bp.route("/placements/<int:placement_id>/stays/new", methods=["GET", "POST"])
@roles_required(*STAFF, hidden=True)
@keeps_input
def new_stay(placement_id: int):
    placement = get_active_placement_for_staff(current_user, placement_id)
    form = StayForm()
    form.household.choices = [("", _("Not a respite home")),
                              *[c for c in _household_choices(agency_today()) if c[0] != str(placement.household_id)]]
    if form.validate_on_submit():
        try:
            services.record_stay(current_user, placement, StayKind(form.kind.data), form.starts_on.data,
                                 form.ends_on.data, form.reason.data or "", parse_id(form.household.data),
                                 form.place_name.data or "")
        except services.RefusedAt as refused:
            db.rollback()
            _refuse(form, refused)
            return render_form("children/stay.html", form, placement=placement)
        flash(_("Stay recorded."), "success")
        return redirect(url_for("children.child", child_id=placement.child_id), code=303)
    return render_form("children/stay.html", form, placement=placement)


@bp.post("/stays/<int:stay_id>/cancel")
@roles_required(*STAFF, hidden=True)
def cancel_stay(stay_id: int):
    stay, placement = get_stay_for_staff(current_user, stay_id)
    form = CancelStayForm()
    if form.validate_on_submit():
        services.cancel_stay(current_user, stay, placement, form.reason.data or "")
        flash(_("Stay cancelled."), "success")
    else:
        flash(_("Check the values and try again."), "danger")
    return redirect(url_for("children.child", child_id=placement.child_id), code=303)


# -- the family's view ----------------------------------------------------------------------------------------------

@bp.get("/in-my-home")
@roles_required(Role.FAMILY, Role.APPLICANT)
def family_children():
    if current_user.household_id is None:
        return render_template("children/family_children.html", children=[])
    rows = family_children_query(current_user.household_id).subquery()
    found = db.session.execute(select(Child, rows.c.access).join(rows, rows.c.child_id == Child.id)
                               .order_by(fold(Child.first_name), Child.id)).all()
    if len(found) == 1:
        return redirect(url_for("children.family_child", child_id=found[0][0].id))
    return render_template("children/family_children.html", children=found)


@bp.get("/in-my-home/<int:child_id>")
@roles_required(Role.FAMILY, Role.APPLICANT, hidden=True)
def family_child(child_id: int):
    record, view = get_child_for_family(current_user, child_id)
    return render_template("children/family_child.html", child=record, view=view, fields=family_fields(record, view),
                           respite=view.access is FamilyAccess.RESPITE)
