"""A live server on loopback (its own database: SQLite file or PostgreSQL schema) and Debian's Chromium.

Skipped with a reason where /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI), where that fails.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from portal import demo
from portal.extensions import db
from tests.conftest import build_schema, config_for_tests
from tests.support import drop_isolated_schema, isolated_database_url

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def chromium_missing() -> bool:
    return not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM))


def pytest_collection_modifyitems(config, items):
    if not chromium_missing():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}: apt-get install chromium")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); set REQUIRE_BROWSER=1 "
                                   "to make this a failure")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class LiveServer:
    app: Flask
    url: str


# The running live server's app, for the sign-in helper's second step (tests/browser/test_journeys.py::sign_in).
RUNNING: dict[str, Flask] = {}


def second_step_code(email: str) -> str:
    """The code the person's authenticator app shows now (the demo's staff share portal.two_step.DEMO_SECRET).
    Tests sign the same person in many times a minute and a code works once: the last step used is forgotten."""
    import pyotp
    from sqlalchemy import select, update

    from portal import two_step
    from portal.models import User

    app = RUNNING["app"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        return pyotp.TOTP(two_step.decrypt_secret(user.totp_secret_encrypted)).now()


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory) -> Iterator[LiveServer]:
    url = isolated_database_url(database_url, "browser_e2e", tmp_path_factory.mktemp("browser"))
    build_schema(url).dispose()
    app = create_app(config_for_tests(url, MAIL_DELIVER_INLINE=False, LOGIN_RATE_LIMIT="1000 per minute",
                                      UPLOAD_FOLDER=str(tmp_path_factory.mktemp("browser-uploads"))))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PORTAL_URL"] = f"http://127.0.0.1:{server.server_port}"  # emailed links open this server
    with app.app_context():
        demo.seed_all(app)
        db.commit()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RUNNING["app"] = app
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["database"].engine.dispose()
        drop_isolated_schema(database_url, "browser_e2e")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
