"""Who works licensing: the role groups every licensing route and loader names, in one place."""

from __future__ import annotations

from portal.models import Role, User

# Families before and after licensing: an applicant household becomes a family when the license is issued.
FAMILY = (Role.APPLICANT, Role.FAMILY)
# Homefinders and supervisors work recruitment, applications and checklists; coordinators work children's cases.
LICENSING_STAFF = (Role.HOMEFINDER, Role.ADMIN)


def can_work_applications(user: User) -> bool:
    """Homefinders and supervisors review applications; coordinators work children's cases, not licensing."""
    return user.is_authenticated and user.is_active and user.role in LICENSING_STAFF


def may_work_household(user: User, household_id: int) -> bool:
    """Whether this staff member may work this household's licensing. Today every homefinder covers for every other
    (agencies share the recruitment load); limiting homefinders to the households assigned to them is decided here,
    in one place, when an agency asks for it."""
    return can_work_applications(user)


def is_active_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role is Role.ADMIN
