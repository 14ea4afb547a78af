"""Routes of portal.messaging (arrive with the placed-children issue)."""

from portal.messaging import bp

__all__ = ["bp"]
