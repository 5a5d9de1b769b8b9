"""Identity's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from mentornet_common.settings import CommonSettings


class IdentitySettings(CommonSettings):
    service_name: str = "identity"
    port: int = 8001

    key_encryption_secret: SecretStr = Field(
        default=SecretStr("dev-only-change-me"),
        description="Encrypts the private signing keys at rest.",
    )
    access_token_ttl_s: int = Field(default=3600, ge=60, le=86_400)
    operator_email: str | None = None
    operator_password: SecretStr | None = None

    # Argon2id cost; OWASP's baseline is 19 MiB, 2 passes. Tests lower it.
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_cost_kib: int = Field(default=19_456, ge=8)

    # Login throttling: failed attempts per account, any attempts per client address.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failure_window_s: float = Field(default=900.0, gt=0)
    login_attempts_per_address: int = Field(default=30, ge=1)
    login_address_window_s: float = Field(default=60.0, gt=0)

    # A person's data export gathers each service's part from its API (GET /v1/me/data).
    service_urls: dict[str, str] = Field(
        default={
            "profiles": "http://127.0.0.1:8002",
            "matching": "http://127.0.0.1:8003",
            "sessions": "http://127.0.0.1:8004",
            "feedback": "http://127.0.0.1:8005",
        },
        description="JSON: where each other service's API answers, for the data export.",
    )
