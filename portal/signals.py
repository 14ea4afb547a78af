"""Signals the core sends, so feature packages can react without the core depending on them."""

from blinker import Namespace

_signals = Namespace()

#: An account's email address was just confirmed (sender: the User). Licensing links it to the person's lead.
email_confirmed = _signals.signal("email-confirmed")

#: `flask seed-demo` created the core demo accounts (sender: the app); feature packages add their demo data. At
#: agency scale (kwargs households > 0) a receiver may return a list of portal.messaging.scale_demo.Conversation:
#: threads the core writes with its own, so every seeded message is numbered in date order.
demo_seeding = _signals.signal("demo-seeding")

#: `flask seed-demo --households N` added its families (licensing, on `demo_seeding`) and the core added their
#: children, placements, appointments and messages (portal/demo.py calls it directly, after `demo_seeding`): feature
#: packages add what hangs on them (sender: the app; kwargs: households, since_household_id — the run's households
#: have larger ids —, progress(count): report `households` units in all). Sent after the core, so receivers can rely
#: on both: the order licensing → core → these is fixed, whatever order modules were imported in.
demo_scaled = _signals.signal("demo-scaled")

#: An event was added to the one log (sender: the AuditEvent, not flushed yet). Licensing keeps each lead's "last
#: activity" and "in this stage since" from it (licensing/recruitment/activity.py).
event_recorded = _signals.signal("event-recorded")

#: A staff member is leaving (or handing over): their caseload and open work go to a successor (sender: the leaving
#: User; kwargs: successor (User), actor (User)). Children move their caseload; messaging moves the threads.
staff_handover = _signals.signal("staff-handover")

#: Who at the agency works with a household (sender: the household id). Each receiver returns a list of User ids
#: (licensing: the application's homefinder; children: the coordinators of the children placed with it). Messaging
#: lets a family write only to these people.
household_staff = _signals.signal("household-staff")

#: One child was put on another coordinator's caseload (sender: the child id; kwargs: previous (User id or None),
#: successor (User id), actor (User or None)). Messaging moves the previous coordinator's threads about the child.
child_reassigned = _signals.signal("child-reassigned")
