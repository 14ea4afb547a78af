"""Licensing records: recruitment and applications (recruitment.py), checklists, checks and licenses (tracker.py)."""

from licensing.models.recruitment import *  # noqa: F403
from licensing.models.recruitment import __all__ as _recruitment
from licensing.models.tracker import *  # noqa: F403
from licensing.models.tracker import __all__ as _tracker

__all__ = [*_recruitment, *_tracker]
