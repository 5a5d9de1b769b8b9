"""Tokens for service tests: an RSA key standing in for identity's, and a key source that serves it."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWK
from jwt.algorithms import RSAAlgorithm

from mentornet_common.settings import CommonSettings


class TokenFactory:
    """Mints the tokens identity would mint, for users and clients of any org."""

    def __init__(self, settings: CommonSettings) -> None:
        self._settings = settings
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"test-{secrets.token_hex(4)}"
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        self._jwk = PyJWK({**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"})

    async def key(self, kid: str) -> PyJWK | None:
        return self._jwk if kid == self.kid else None

    def jwks(self) -> dict[str, Any]:
        """The JWKS document identity would serve, for services running as processes of their own."""
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token(self, subject: str, org_id: str | None, roles: list[str], **claims: Any) -> str:
        now = int(time.time())
        body = {
            "sub": subject,
            "kind": "user",
            "roles": roles,
            "iss": self._settings.token_issuer,
            "aud": self._settings.token_audience,
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        if org_id:
            body["org"] = org_id
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, subject: str, org_id: str | None, roles: list[str], **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, org_id, roles, **claims)}"}
