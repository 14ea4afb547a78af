"""Routes of training.catalog (arrive with the trainings issue)."""

from training import bp

__all__ = ["bp"]
