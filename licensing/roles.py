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
