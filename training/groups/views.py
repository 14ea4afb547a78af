"""Routes of training.groups (arrive with the trainings issue)."""

from training import bp

__all__ = ["bp"]
