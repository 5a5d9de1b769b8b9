"""FastAPI dependency aliases for identity's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jwt import PyJWK

from identity.service import Identity, jwks


async def get_identity(request: Request) -> Identity:  # a coroutine: no thread pool hop per request
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


class StoreKeySource:
    """Identity verifies its own tokens from its store rather than over HTTP."""

    def __init__(self, identity: Identity) -> None:
        self._identity = identity

    async def key(self, kid: str) -> PyJWK | None:
        for jwk in (await jwks(self._identity))["keys"]:
            if jwk["kid"] == kid:
                return PyJWK(jwk)
        return None
