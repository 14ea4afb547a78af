"""The portal as gunicorn serves it, for the test that kills a worker mid-request (test_worker_killed.py). Test-only:
nothing here is in the production code.

A request sent with the header `X-Pause-After-Flush: <class>` stops after the flush that writes a row of that class
(what it wrote so far is in the database's transaction; had anything committed before, it would stay), writes
`{"pid": worker pid, "written": [the classes the request has written]}` to the file FAULTS_PAUSE_FILE names, and
sleeps until it is killed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from tests.conftest import config_for_tests

app = create_app(config_for_tests(os.environ["FAULTS_DATABASE_URL"], PROPAGATE_EXCEPTIONS=False))

# gunicorn --preload builds the app in the arbiter, then forks workers: a worker never uses the arbiter's connections.
os.register_at_fork(after_in_child=lambda: app.extensions["database"].engine.dispose(close=False))


@event.listens_for(Session, "after_flush")
def _pause_after_a_written_flush(session: Session, _flush_context) -> None:
    if not has_request_context() or "X-Pause-After-Flush" not in request.headers:
        return
    flushed = {type(thing).__name__ for thing in (*session.new, *session.dirty)}  # still the flush's own here
    written = g.setdefault("written", set())
    written |= flushed
    if request.headers["X-Pause-After-Flush"] not in flushed:
        return
    Path(os.environ["FAULTS_PAUSE_FILE"]).write_text(json.dumps({"pid": os.getpid(), "written": sorted(written)}))
    time.sleep(120)  # the test kills this worker long before
