"""Routes of portal.court_reports (arrive with the placed-children issue)."""

from portal.court_reports import bp

__all__ = ["bp"]
