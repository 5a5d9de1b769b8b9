from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from identity.credentials import KeyRing, Passwords, email_hash, new_id, published_keys


def test_passwords_verify_only_themselves() -> None:
    passwords = Passwords(time_cost=1, memory_cost_kib=64)
    stored = passwords.hash("correct horse battery")
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "Correct horse battery")
    assert not passwords.verify(None, "correct horse battery")
    assert stored.startswith("$argon2id$")


def test_the_login_index_ignores_case_and_never_holds_the_email() -> None:
    assert email_hash(" Mia@Acme.example ") == email_hash("mia@acme.example")
    assert "mia" not in email_hash("mia@acme.example")


def test_ids_can_name_a_tenant_store() -> None:
    assert new_id("org").startswith("org_")
    assert new_id("org") != new_id("org")


def test_private_keys_are_encrypted_at_rest_and_sign_verifiable_tokens() -> None:
    ring = KeyRing("secret")
    key = ring.generate(datetime.now(UTC))
    assert "PRIVATE KEY" not in key.private_key
    token = ring.sign(key, {"sub": "usr_1"})
    jwk = published_keys([key], timedelta(hours=1), datetime.now(UTC))[0]
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"])["sub"] == "usr_1"


def test_a_retired_key_is_published_until_its_last_token_expires() -> None:
    ring = KeyRing("secret")
    now = datetime.now(UTC)
    key = ring.generate(now)
    key.retired_at = now - timedelta(minutes=30)
    assert published_keys([key], timedelta(hours=1), now) != []
    assert published_keys([key], timedelta(minutes=20), now) == []
