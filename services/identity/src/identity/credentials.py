"""Passwords, client secrets, login hashes and signing keys: the cryptography identity relies on."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from identity.models import SigningKey
from mentornet_common.sealing import Seal
from mentornet_common.telemetry import SIGNING_KEY_CREATED


class Passwords:
    """Argon2id hashing with a constant-cost answer for unknown accounts."""

    def __init__(self, time_cost: int, memory_cost_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib)
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no usable hash (no account, one that signs in only through
        its org's provider, an erased one), spends the same time and answers False: timing never tells
        which addresses have accounts."""
        usable = password_hash if password_hash is not None and password_hash.startswith("$argon2") else None
        try:
            return self._hasher.verify(usable or self._decoy, password) and usable is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def email_hash(email: str) -> str:
    """The key of the consortium's login index: the email never leaves its org's store in clear."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def new_client_secret() -> tuple[str, str]:
    """A client secret (shown once) and the hash that is stored."""
    secret = secrets.token_urlsafe(32)
    return secret, client_secret_hash(secret)


def client_secret_hash(secret: str) -> str:
    # Client secrets carry 256 random bits: a fast hash is enough, unlike passwords.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, client_secret_hash(secret))


def new_id(prefix: str) -> str:
    """An opaque id that can also name a tenant's store (lowercase letters, digits, underscore)."""
    return f"{prefix}_{secrets.token_hex(8)}"


@dataclass(frozen=True)
class KeyRing:
    """Encrypts private keys at rest with a key derived from the configured secret."""

    secret: str

    def _fernet(self) -> Fernet:
        return Seal(self.secret, "mentornet-signing-keys")._fernet()

    def generate(self, now: datetime) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
        return SigningKey(
            kid=kid,
            private_key=self._fernet().encrypt(pem).decode(),
            public_jwk=json.dumps(jwk, sort_keys=True),
            created_at=now,
        )

    def encrypt(self, secret: str) -> str:
        """Another secret kept at rest the same way (an org's identity-provider client secret)."""
        return self._fernet().encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet().decrypt(token.encode()).decode()

    def sign(self, key: SigningKey, claims: dict[str, Any]) -> str:
        pem = self._fernet().decrypt(key.private_key.encode())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key.kid})


def observe_active_key(key: SigningKey) -> None:
    """Say in mentornet_signing_key_created_timestamp_seconds when the key tokens are signed with was made."""
    created = key.created_at if key.created_at.tzinfo else key.created_at.replace(tzinfo=UTC)
    SIGNING_KEY_CREATED.set(created.timestamp())


def published_keys(keys: list[SigningKey], token_ttl: timedelta, now: datetime) -> list[dict[str, Any]]:
    """The JWKS: the active key and every retired key a still-valid token may have been signed with."""
    published = []
    for key in keys:
        retired = (
            key.retired_at.replace(tzinfo=UTC)
            if key.retired_at and not key.retired_at.tzinfo
            else key.retired_at
        )
        if retired is None or retired + token_ttl > now:
            published.append(json.loads(key.public_jwk))
    return published
