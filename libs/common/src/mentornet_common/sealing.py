"""Secrets a service must use again later (to sign with them, to present them) kept sealed at rest.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from ``MENTORNET_KEY_ENCRYPTION_SECRET`` and a
purpose, so one secret seals different kinds of thing under different keys. identity seals its signing
keys and orgs' identity-provider client secrets; streams seals webhook secrets.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken


@dataclass(frozen=True)
class Seal:
    secret: str
    purpose: str

    def _fernet(self) -> Fernet:
        digest = hashlib.sha256(f"{self.purpose}:".encode() + self.secret.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def open(self, token: str) -> str:
        return self._fernet().decrypt(token.encode()).decode()


__all__ = ["InvalidToken", "Seal"]
