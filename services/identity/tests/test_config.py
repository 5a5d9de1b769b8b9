from __future__ import annotations

import pytest
from pydantic import ValidationError

from identity.config import IdentitySettings


def test_production_refuses_the_development_key_encryption_secret() -> None:
    with pytest.raises(ValidationError, match="MENTORNET_KEY_ENCRYPTION_SECRET"):
        IdentitySettings(environment="production")


def test_production_starts_with_its_own_secret() -> None:
    settings = IdentitySettings(environment="production", key_encryption_secret="from-the-secret-store")
    assert settings.key_encryption_secret.get_secret_value() == "from-the-secret-store"
