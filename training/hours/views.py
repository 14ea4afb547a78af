"""Routes of training.hours (arrive with the trainings issue)."""

from training import bp

__all__ = ["bp"]
