"""Demo appointments: for each child placed with the demo families (family@demo.test, family2@demo.test), a month
of appointments ahead (a court hearing among them) and two past ones. Idempotent: a child that has appointments
already gets none; nothing happens until the children's demo has placed a child."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import exists, select

from portal.children.models import Appointment, AppointmentKind, Child, Placement, PlacementStatus, Transporter
from portal.clock import agency_today
from portal.database import call_after_commit
from portal.extensions import db
from portal.i18n import local_to_utc
from portal.models import User
from portal.signals import demo_seeding

DEMO_FAMILIES = ("family@demo.test", "family2@demo.test")

# (days from today, hour, minute, kind, title, minutes, place, link, transport, family notes, internal notes)
PLAN = [
    (-20, 9, 30, AppointmentKind.MEDICAL, "", 45, "Valley Children's Clinic, 500 N Fresno St", "",
     Transporter.FAMILY, "Bring the insurance card.", ""),
    (-6, 16, 0, AppointmentKind.THERAPY, "", 50, "", "https://meet.example.com/therapy-demo",
     Transporter.FAMILY, "Video call from home.", ""),
    (3, 15, 30, AppointmentKind.FAMILY_VISIT, "", 90, "Agency visit room, 1200 Main Street", "",
     Transporter.COORDINATOR, "The coordinator picks the child up after school.", "Supervised visit; mother only."),
    (8, 10, 0, AppointmentKind.COURT_HEARING, "Six-month review hearing", 60,
     "Fresno County Juvenile Court, Dept. 20", "", Transporter.FAMILY, "Caregivers may attend and speak.",
     "Report due to the court five days before."),
    (12, 8, 15, AppointmentKind.DENTAL, "", 45, "Smile Dental, 45 Shaw Ave", "", Transporter.FAMILY, "", ""),
    (19, 14, 0, AppointmentKind.SCHOOL_MEETING, "IEP meeting", 60, "Roosevelt Elementary, room 12", "",
     Transporter.OTHER, "No need to bring the child.", ""),
    (26, 17, 0, AppointmentKind.CASEWORKER_VISIT, "", 60, "At home", "", Transporter.OTHER,
     "Monthly home visit.", ""),
]

# family2@demo.test reads Spanish: what staff type for it (title, family notes) is written in Spanish, as a
# coordinator would (the family sees typed words as they are). Same order as PLAN: (title, family notes).
SPANISH_FAMILIES = ("family2@demo.test",)
SPANISH_TEXT = [
    ("", "Traiga la tarjeta del seguro."),
    ("", "Videollamada desde casa."),
    ("", "La coordinadora recoge al niño después de la escuela."),
    ("Audiencia de revisión de seis meses", "Los cuidadores pueden asistir y hablar."),
    ("", ""),
    ("Reunión del IEP", "No hace falta llevar al niño."),
    ("", "Visita mensual en casa."),
]


@demo_seeding.connect
def seed(_app, **_kwargs) -> None:
    add_demo_appointments()
    # Signal receivers run in no set order: the children's demo may place its children after this ran. Once the
    # whole demo is committed, look again (idempotent: a child with appointments gets none).
    call_after_commit(_after_the_demo)


def _after_the_demo() -> None:
    with db.unit_of_work():
        add_demo_appointments()


def add_demo_appointments() -> int:
    """Appointments for each demo family's placed child that has none yet. Returns how many children got them."""
    rows = db.session.execute(
        select(Child.id, Child.coordinator_id, User.email).join(Placement, Placement.child_id == Child.id)
        .join(User, User.household_id == Placement.household_id)
        .where(User.email.in_(DEMO_FAMILIES), Placement.status == PlacementStatus.ACTIVE,
               ~exists().where(Appointment.child_id == Child.id))).all()
    today = agency_today()
    children = {child_id: (coordinator_id, email) for child_id, coordinator_id, email in rows}
    for child_id, (coordinator_id, email) in children.items():
        for index, (days, hour, minute, kind, title, minutes, place, link, transport, notes, internal) in \
                enumerate(PLAN):
            if email in SPANISH_FAMILIES:
                title, notes = SPANISH_TEXT[index]
            starts = local_to_utc(datetime.combine(today + timedelta(days=days), time(hour, minute)))
            db.session.add(Appointment(child_id=child_id, kind=kind, title=title, starts_at=starts,
                                       duration_minutes=minutes, place=place, virtual_link=link,
                                       transport_by=transport, family_notes=notes, internal_notes=internal,
                                       created_by_id=coordinator_id, updated_by_id=coordinator_id))
    db.session.flush()
    return len(children)
