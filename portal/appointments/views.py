"""Routes of portal.appointments (arrive with the placed-children issue)."""

from portal.appointments import bp

__all__ = ["bp"]
