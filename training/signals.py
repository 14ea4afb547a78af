"""Signals between training's parts, so each part can react without importing the other."""

from blinker import Namespace

_signals = Namespace()

#: An enrollment was cancelled and its seat freed (sender: the Enrollment; kwargs: actor). Payments refunds a paid seat.
enrollment_cancelled = _signals.signal("enrollment-cancelled")

#: An enrollment got its seat, at once or from the waitlist (sender: the Enrollment; kwargs: from_waitlist (bool)).
enrollment_seated = _signals.signal("enrollment-seated")

#: A household's credited hours changed (sender: the household id; kwargs: actor). Hours brings the licensing
#: checklist's training items up to date.
credits_changed = _signals.signal("credits-changed")
