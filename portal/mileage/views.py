"""Routes of portal.mileage (arrive with the placed-children issue)."""

from portal.mileage import bp

__all__ = ["bp"]
