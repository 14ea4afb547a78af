"""First impressions: the agency's icon (no 404 for /favicon.ico), a translated description, and static files
cached for a year under versioned URLs and sent gzipped."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import config_for_tests

ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)" type="([^"]+)">')
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')
STYLESHEETS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
SCRIPTS = re.compile(r'<script src="([^"]+)">')


def test_the_browsers_own_favicon_request_is_answered(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data().startswith(b"<svg")


def test_every_page_links_the_icon_by_a_versioned_url_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    href, icon_type = ICON_LINK.search(page).groups()
    assert href.startswith("/favicon.ico?v=") and icon_type == "image/svg+xml"
    response = client.get(href)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable


def test_the_configured_icon_is_used(engine, database_url, tmp_path):
    icon = tmp_path / "agency.png"
    icon.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    app = create_app(config_for_tests(database_url, AGENCY_ICON=str(icon)))
    client = app.test_client()
    href, icon_type = ICON_LINK.search(client.get("/login").get_data(as_text=True)).groups()
    assert icon_type == "image/png"
    for url in (href, "/favicon.ico"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data() == icon.read_bytes()
        response.close()


def test_a_missing_icon_is_said_at_start(engine, database_url, tmp_path):
    with pytest.raises(RuntimeError, match="AGENCY_ICON"):
        create_app(config_for_tests(database_url, AGENCY_ICON=str(tmp_path / "missing.svg")))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/register",
        "/password/forgot",
        "/licensing/inquiry",
        "/licensing/sessions",
        "/page-that-does-not-exist",
    ],
)
def test_every_page_has_a_description_in_its_language(client, path):
    english = DESCRIPTION.search(client.get(path).get_data(as_text=True)).group(1)
    spanish = DESCRIPTION.search(client.get(path, headers={"Accept-Language": "es"}).get_data(as_text=True)).group(1)
    assert "Foster Care Agency" in english and "Foster Care Agency" in spanish
    assert len(english) > 50 and spanish != english
    assert re.search(r"\b(de|la|el|su|una)\b", spanish), spanish


def test_public_pages_describe_themselves(client):
    descriptions = {
        DESCRIPTION.search(client.get(path).get_data(as_text=True)).group(1)
        for path in ("/", "/login", "/licensing/inquiry", "/licensing/sessions", "/password/forgot")
    }
    assert len(descriptions) == 5  # the four pages' own, and the default (forgot password)


def static_urls(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return STYLESHEETS.findall(page) + SCRIPTS.findall(page)


def test_static_urls_carry_the_files_version_and_are_cached_for_a_year(client):
    urls = static_urls(client)
    assert any("/bootstrap/static/css/bootstrap.min.css?v=" in url for url in urls)
    assert any("/static/app.css?v=" in url for url in urls)
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.public and response.cache_control.immutable, url
        assert response.cache_control.max_age == 365 * 24 * 3600, url
        response.close()


def test_an_old_or_missing_version_is_revalidated_not_kept(client):
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache and not response.cache_control.max_age
        response.close()


def test_a_changed_file_gets_a_new_url(app, client, tmp_path, monkeypatch):
    first = next(url for url in static_urls(client) if "/static/app.css" in url)
    copy = tmp_path / "static"
    copy.mkdir()
    (copy / "app.css").write_text(Path(app.static_folder, "app.css").read_text() + "\n/* changed */\n")
    monkeypatch.setattr(app, "static_folder", str(copy))
    second = next(url for url in static_urls(client) if "/static/app.css" in url)
    assert first != second


@pytest.mark.parametrize(
    "url",
    [
        "/static/app.css",
        "/bootstrap/static/css/bootstrap.min.css",
        "/bootstrap/static/js/bootstrap.min.js",
        "/static/agency-icon.svg",
    ],
)
def test_text_files_are_sent_gzipped_to_browsers_that_take_it(app, client, url):
    plain = client.get(url)
    plain_body = plain.get_data()
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    assert gzip.decompress(zipped.get_data()) == plain_body
    if len(plain_body) > 10_000:
        assert len(zipped.get_data()) < len(plain_body) / 3
    # The weak ETag matches either encoding: a revalidation is a 304, not the whole file again.
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_pages_are_not_compressed(client):
    """They carry CSRF tokens next to what people typed (BREACH), are never cached and are small."""
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
