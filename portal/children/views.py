"""Routes of portal.children (arrive with the placed-children issue)."""

from portal.children import bp

__all__ = ["bp"]
