"""FastAPI dependency aliases for identity's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from jwt import PyJWK

from identity.service import Identity, jwks


def get_identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class StoreKeySource:
    """Identity verifies its own tokens from its store rather than over HTTP."""

    def __init__(self, identity: Identity) -> None:
        self._identity = identity

    async def key(self, kid: str) -> PyJWK | None:
        for jwk in (await jwks(self._identity))["keys"]:
            if jwk["kid"] == kid:
                return PyJWK(jwk)
        return None
