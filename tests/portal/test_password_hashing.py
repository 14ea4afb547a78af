"""The portal's real Argon2id parameters (tests/conftest.py runs every other test with the cheapest ones)."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters, profiles

from portal import passwords
from portal.models import Role, User
from tests.conftest import PRODUCTION_HASHER, TEST_HASHER, TEST_PASSWORD, post_form


@pytest.fixture
def production_hashing(monkeypatch):
    """The hasher portal.passwords builds on import, as in production, for this test only."""
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", PRODUCTION_HASHER.hash("not-a-real-password-used-only-for-timing"))


def stored_hash(db, user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_the_portal_hashes_with_rfc_9106_low_memory_argon2id(production_hashing):
    password_hash = passwords.hash_password(TEST_PASSWORD)
    assert extract_parameters(password_hash) == profiles.RFC_9106_LOW_MEMORY  # Argon2id, t=3, m=64 MiB, p=4
    assert passwords.verify_password(password_hash, TEST_PASSWORD)
    assert not passwords.verify_password(password_hash, "not the password")
    assert not passwords.needs_rehash(password_hash)
    assert passwords.needs_rehash(TEST_HASHER.hash(TEST_PASSWORD))
    assert extract_parameters(passwords._DUMMY_HASH) == profiles.RFC_9106_LOW_MEMORY


def test_sign_in_with_production_hashing_keeps_a_current_hash_and_upgrades_a_weaker_one(
        app, client, db, make_user, production_hashing):
    current = make_user(Role.FAMILY, password=None)
    current.password_hash = passwords.hash_password(TEST_PASSWORD)
    weaker = make_user(Role.FAMILY, password=None)
    weaker.password_hash = TEST_HASHER.hash(TEST_PASSWORD)
    db.session.commit()
    current_hash = current.password_hash

    assert post_form(client, "/login", {"email": current.email, "password": "not the password"}).status_code == 422
    assert post_form(client, "/login", {"email": current.email, "password": TEST_PASSWORD}).status_code == 302
    assert stored_hash(db, current) == current_hash

    assert post_form(app.test_client(), "/login", {"email": weaker.email, "password": TEST_PASSWORD}).status_code == 302
    upgraded = stored_hash(db, weaker)
    assert extract_parameters(upgraded) == profiles.RFC_9106_LOW_MEMORY
    assert passwords.verify_password(upgraded, TEST_PASSWORD)
