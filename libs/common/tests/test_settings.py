from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from mentornet_common.settings import CommonSettings


class WithSecret(CommonSettings):
    api_secret: SecretStr = SecretStr("dev-only-change-me")


def test_development_accepts_the_shipped_secret() -> None:
    assert WithSecret(environment="development").api_secret.get_secret_value() == "dev-only-change-me"


def test_production_refuses_the_shipped_secret() -> None:
    with pytest.raises(ValidationError, match="MENTORNET_API_SECRET"):
        WithSecret(environment="production")


def test_production_refuses_an_empty_secret() -> None:
    with pytest.raises(ValidationError):
        WithSecret(environment="production", api_secret="")


def test_production_starts_with_a_real_secret() -> None:
    assert WithSecret(environment="production", api_secret="s3cr3t-from-vault").environment == "production"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORNET_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("MENTORNET_TENANT_DATABASE_URLS", '{"org_a": "postgresql+psycopg://a/db"}')
    settings = CommonSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.tenant_database_urls == {"org_a": "postgresql+psycopg://a/db"}


def test_topic_prefix_is_prepended() -> None:
    assert CommonSettings(topic_prefix="staging.").topic("mentornet.asks") == "staging.mentornet.asks"


def test_a_sqlite_database_url_is_refused_rather_than_putting_every_tenant_in_one_file() -> None:
    import pydantic
    import pytest

    from mentornet_common.settings import CommonSettings

    with pytest.raises(pydantic.ValidationError, match="every tenant in one file"):
        CommonSettings(database_url="sqlite+aiosqlite:///data/all.db")
    assert CommonSettings(database_url="").database_url == ""


def test_a_service_reaches_its_own_settings_one_way_and_never_gets_defaults_instead() -> None:
    class OwnSettings(CommonSettings):
        knob: int = 7

    own = OwnSettings(knob=3)
    assert own.as_(OwnSettings).knob == 3 and own.as_(CommonSettings) is own
    with pytest.raises(TypeError, match="OwnSettings expected"):
        CommonSettings().as_(OwnSettings)  # before: a fresh OwnSettings() with its defaults, silently
