"""Courses, their sessions and meetings, and enrollment with waitlists, childcare and make-ups."""
