"""Identity's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from mentornet_common.settings import CommonSettings


class IdentitySettings(CommonSettings):
    service_name: str = "identity"
    port: int = 8001

    key_encryption_secret: SecretStr = Field(
        default=SecretStr("dev-only-change-me"),
        description="Encrypts the private signing keys at rest.",
    )
    access_token_ttl_s: int = Field(
        default=600, ge=60, le=3600, description="Access tokens live minutes; refresh tokens renew them."
    )
    refresh_token_ttl_s: int = Field(
        default=14 * 86_400, ge=300, le=90 * 86_400, description="A refresh token unused this long expires."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8001",
        description="identity's address as browsers and portals reach it: single sign-on's redirect URIs "
        "({public_url}/v1/orgs/{slug}/sso/callback) and the audience of client assertions "
        "({public_url}/v1/token).",
    )
    sso_providers: Literal["public", "loopback"] = Field(
        default="public",
        description="Where identity may reach an org's identity provider (discovery, keys, token endpoint). "
        "public: https, and only hosts whose every address is public (never a private, loopback or "
        "link-local one: an org admin cannot point identity at internal services). loopback: only this "
        "machine, http allowed (the embedded default and the tests, whose providers listen on 127.0.0.1).",
    )
    sso_login_ttl_s: int = Field(default=600, ge=60, le=3600, description="How long a sign-in may take.")
    signin_clients: dict[str, list[str]] = Field(
        default={"mentornet-console": ["http://127.0.0.1:8000/auth/callback"]},
        description="JSON: the first-party browser apps that sign people in through GET /v1/authorize "
        "(authorization code with PKCE, public clients without a secret), each client id with the exact "
        "redirect URIs it may receive codes at. A redirect URI must be one of these character for "
        "character: no prefix or wildcard matching.",
    )
    assertion_max_lifetime_s: int = Field(
        default=300, ge=30, le=3600, description="The longest lifetime a client's person assertion may have."
    )
    operator_email: str | None = Field(
        default=None,
        description="With operator_password: a consortium operator, whose account identity's API creates "
        "at start unless an account has this email already (an existing account is never changed: neither "
        "an operator's password, nor a member's roles). Naming another email on a later start adds another "
        "operator. Unset: none is created.",
    )
    operator_password: SecretStr | None = Field(
        default=None,
        description="The password of the operator operator_email names, when it is created. `make run` "
        "generates one when both are unset and keeps it in operator-login.txt in the data folder.",
    )

    # Argon2id cost; OWASP's baseline is 19 MiB, 2 passes. Tests lower it.
    argon2_time_cost: int = Field(
        default=2, ge=1, description="Argon2id passes per password hash (OWASP's baseline: 2)."
    )
    argon2_memory_cost_kib: int = Field(
        default=19_456,
        ge=8,
        description="Argon2id memory per password hash (19456 KiB = 19 MiB, OWASP's baseline); more costs "
        "an attacker more, and every password check too.",
    )

    # Login throttling counts failures only: per account from one client address, and per client address.
    # The address is the real client's (X-Forwarded-For from a trusted proxy), so one attacker cannot lock
    # anyone else out of their account, nor every caller behind the gateway out of /v1/token.
    login_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failed password or client-secret checks of one account from one client address within "
        "login_failure_window_s, after which further attempts from there get 429 (a success clears them).",
    )
    login_failure_window_s: float = Field(
        default=900.0,
        gt=0,
        description="The window of login_failures_per_account (rounded up to whole seconds).",
    )
    login_failures_per_address: int = Field(
        default=30,
        ge=1,
        description="Failed credential checks from one client address, whatever the account, within "
        "login_address_window_s, after which every attempt from there gets 429.",
    )
    login_address_window_s: float = Field(
        default=60.0,
        gt=0,
        description="The window of login_failures_per_address (rounded up to whole seconds).",
    )

    # A person's data export gathers each service's part from its API (GET /v1/me/data); the operators'
    # health asks each API's /readyz (GET /v1/operations/health).
    service_urls: dict[str, str] = Field(
        default={
            "profiles": "http://127.0.0.1:8002",
            "matching": "http://127.0.0.1:8003",
            "sessions": "http://127.0.0.1:8004",
            "feedback": "http://127.0.0.1:8005",
            "streams": "http://127.0.0.1:8006",
        },
        description="JSON: where each other service's API answers: the data export asks those holding a "
        "person's data (profiles, matching, sessions, feedback), the operators' health (GET "
        "/v1/operations/health) asks every one.",
    )
