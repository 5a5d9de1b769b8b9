"""The console's settings (environment variables with the ``MENTORNET_`` prefix)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from mentornet_common.settings import CommonSettings

API_SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")


class ConsoleSettings(CommonSettings):
    service_name: str = "console"
    port: int = 8000
    console_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The console's address as browsers reach it (scheme, host and port, no path). Its "
        "sign-in redirect URI is {console_url}/auth/callback, which identity must list for the console in "
        "MENTORNET_SIGNIN_CLIENTS; forms are accepted only from this origin; https makes its cookies Secure.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8001",
        description="identity's address as browsers reach it: the console sends people to "
        "{public_url}/v1/authorize to sign in (behind the gateway or the Ingress, the console's own origin).",
    )
    api_urls: dict[str, str] = Field(
        default={name: f"http://127.0.0.1:{8001 + i}" for i, name in enumerate(API_SERVICES)},
        description="JSON: where the console reaches each service's public API (identity, profiles, "
        "matching, sessions, feedback, streams), from inside the deployment.",
    )
    signin_client_id: str = Field(
        default="mentornet-console",
        description="The console's client id at identity (a public client of MENTORNET_SIGNIN_CLIENTS).",
    )
    session_secret: SecretStr = Field(
        default=SecretStr("dev-only-change-me"),
        description="Seals the console's cookies (the person's tokens, the sign-in in progress) and keys "
        "its CSRF tokens; every replica needs the same. Changing it signs everyone out.",
    )
    session_max_age_s: int = Field(
        default=28_800,
        ge=300,
        le=7 * 86_400,
        description="How long a console sign-in lasts at most, however active: then the person signs in "
        "again. Sooner when identity ends the sign-in (sign-out, deactivation, a refresh token reused).",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Whether the console's cookies are Secure (sent over https only, with the __Host- "
        "prefix). Empty: when console_url is https. The loopback default is http, where browsers would drop "
        "a Secure cookie's sign-in.",
    )
    api_timeout_s: float = Field(
        default=15.0, gt=0, le=120, description="How long the console waits for an API's answer."
    )

    @field_validator("console_url", "public_url")
    @classmethod
    def _an_origin(cls, value: str) -> str:
        value = value.rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL is expected")
        return value

    @field_validator("api_urls")
    @classmethod
    def _every_service(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [name for name in API_SERVICES if name not in value]
        if missing:
            raise ValueError(f"MENTORNET_API_URLS names no URL for {', '.join(missing)}")
        return {name: url.rstrip("/") for name, url in value.items()}

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.console_url.startswith("https:")
