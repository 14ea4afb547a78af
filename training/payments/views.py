"""Routes of training.payments (arrive with the trainings issue)."""

from training import bp

__all__ = ["bp"]
