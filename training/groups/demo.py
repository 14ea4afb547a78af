"""Demo support groups (`flask seed-demo`): one in English that counts as in-service hours, one in Spanish with
childcare, one online; meetings for the next three months; the González household (family2@demo.test, Spanish) a
member of the Spanish group with an answer to its next meeting. Idempotent: each piece only when missing."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.clock import agency_today
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.signals import demo_seeding
from training.groups import services
from training.groups.models import GroupMeeting, GroupRsvp, MeetingStatus, Recurrence, SupportGroup

DEMO_GROUPS = [
    {"name_en": "Foster Parent Circle", "name_es": "Círculo de padres de crianza",
     "description_en": "An evening to share what works, with an experienced foster parent. Counts as in-service hours.",
     "description_es": "Una tarde para compartir lo que funciona, con una madre de crianza con experiencia.",
     "language": "en", "facilitator": "Dana Whitfield", "place": "Agency office, 1200 Main St, Room B",
     "virtual_link": "", "recurrence": Recurrence.MONTHLY, "weekday": 1, "week_of_month": 2,
     "time_of_day": time(18, 30), "duration_minutes": 90, "childcare_capacity": 0, "counts_as_hours": True,
     "credit_tenths": 15, "active": True},
    {"name_en": "Foster Families Support Group (Spanish)", "name_es": "Grupo de apoyo para familias de crianza",
     "description_en": "In Spanish. Childcare for children of any age while you meet.",
     "description_es": "En español. Cuidamos a sus niños mientras usted participa.",
     "language": "es", "facilitator": "Lucía Herrera", "place": "Centro comunitario, 450 Olive Ave",
     "virtual_link": "", "recurrence": Recurrence.EVERY_TWO_WEEKS, "weekday": 3, "week_of_month": 1,
     "time_of_day": time(18, 0), "duration_minutes": 120, "childcare_capacity": 8, "counts_as_hours": False,
     "credit_tenths": 0, "active": True},
    {"name_en": "Kinship Caregivers Online", "name_es": "Familiares cuidadores en línea",
     "description_en": "For grandparents, aunts, uncles and other relatives raising a child in care.",
     "description_es": "Para abuelos, tíos y otros familiares que cuidan a un niño en crianza temporal.",
     "language": "en", "facilitator": "Marcus Lee", "place": "", "virtual_link": "https://meet.example.org/kinship",
     "recurrence": Recurrence.WEEKLY, "weekday": 2, "week_of_month": 1, "time_of_day": time(12, 0),
     "duration_minutes": 60, "childcare_capacity": 0, "counts_as_hours": False, "credit_tenths": 0, "active": True},
]


@demo_seeding.connect
def seed_support_groups(_app, **_kwargs) -> None:
    homefinder = db.session.scalar(select(User).where(User.email == "homefinder@demo.test"))
    if homefinder is None:
        return
    today = agency_today()
    existing = {group.name_en: group for group in db.session.scalars(select(SupportGroup))}
    for values in DEMO_GROUPS:
        if values["name_en"] not in existing:
            existing[values["name_en"]] = services.save_group(
                homefinder, None, {**values, "starts_on": today - timedelta(days=60)}, today)
    services.extend_all_groups(today)
    family = db.session.scalar(select(User).where(User.email == "family2@demo.test"))
    spanish = existing[DEMO_GROUPS[1]["name_en"]]
    if family is None or family.household_id is None:
        return
    services.join_group(family, spanish)
    answered = db.session.scalar(select(GroupRsvp.id).join(GroupMeeting, GroupMeeting.id == GroupRsvp.meeting_id)
                                 .where(GroupMeeting.group_id == spanish.id,
                                        GroupRsvp.household_id == family.household_id))
    meeting = db.session.scalar(select(GroupMeeting).where(
        GroupMeeting.group_id == spanish.id, GroupMeeting.status == MeetingStatus.SCHEDULED,
        GroupMeeting.starts_at > now_utc()).order_by(GroupMeeting.starts_at).limit(1))
    if answered is None and meeting is not None:
        services.rsvp(family, meeting, spanish, people=2, children=2, ages="4, 7")
    db.session.flush()
