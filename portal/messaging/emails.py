"""Subject of messaging's one email (templates/emails/message_waiting.*) and words for its events."""

from flask_babel import lazy_gettext as _l

from portal.audit import register_labels
from portal.emails import register_subjects
from portal.messaging.services import MessageEvent

# Never the thread's subject or a message's words: an inbox is not a safe place for a child's case.
register_subjects({"message_waiting": _l("A new message is waiting for you in the portal")})

register_labels({
    MessageEvent.THREAD_STARTED: _l("Message thread started"),
    MessageEvent.MESSAGE_SENT: _l("Message sent"),
    MessageEvent.READ_REASON_GIVEN: _l("Reason given to read a message thread"),
    MessageEvent.READ_BY_STAFF: _l("Message thread read by staff not in it"),
    MessageEvent.ATTACHMENT_DOWNLOADED: _l("Message file downloaded"),
    MessageEvent.HANDED_OVER: _l("Message thread handed over"),
})
