"""pytest fixtures: the real Tansu broker, PostgreSQL and Redis when reachable, per-test isolated settings.

Each test gets its own topic prefix and its own stores (a temporary folder, or fresh PostgreSQL schemas
dropped afterwards), so tests never see each other's events or rows on the one broker of the session; a test
that counts in Redis gets a key prefix of its own, whose keys (and only those) are deleted afterwards.

A test that needs a program from outside Python (kubectl, docker-compose, Node.js, PostgreSQL's server
binaries...) asks :func:`require_tool` for it: missing, the test is skipped with what to install, or fails
when ``MENTORNET_REQUIRE_TOOLS`` is set (CI), as PostgreSQL and Redis do with ``MENTORNET_REQUIRE_POSTGRES``
and ``MENTORNET_REQUIRE_REDIS``. A test that uses the broker, PostgreSQL, Redis or the OpenID providers (a
fixture below, directly or through another) is marked ``integration`` here, whatever its module says, so
that ``make test-fast`` (``-m "not integration and not e2e and not chaos"``) leaves it out.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
import redis
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import configure_tracing
from mentornet_devkit import postgres
from mentornet_devkit.broker import Broker, free_port, start_broker
from mentornet_devkit.idp import RunningProviders, default_issuers, install_prefix, start_providers

S = TypeVar("S", bound=CommonSettings)

POSTGRES_URL = os.environ.get(
    "MENTORNET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


REDIS_URL = os.environ.get("MENTORNET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# Where the programs the tests need beyond Python come from (each test that needs one calls require_tool).
def _apt_or(package: str, elsewhere: str) -> str:
    return (
        f"`make tools` installs Debian's {package} package where it may use apt-get (as root, or with sudo); "
        f"elsewhere {elsewhere}"
    )


_NPM = "needs npm: " + _apt_or("npm", "install Node.js with npm (e.g. `brew install node`)")
HOW_TO_GET: dict[str, str] = {
    "docker-compose": _apt_or(
        "docker-compose", "install Docker Compose (e.g. `brew install docker-compose`)"
    ),
    "kubectl": _apt_or("kubernetes-client", "install kubectl (e.g. `brew install kubectl`)"),
    "promtool": _apt_or(
        "prometheus", "install Prometheus, which brings promtool (e.g. `brew install prometheus`)"
    ),
    "prometheus": _apt_or("prometheus", "install Prometheus (e.g. `brew install prometheus`)"),
    "PostgreSQL's server binaries": postgres.HOW_TO_GET,
    "node": _apt_or("npm", "install Node.js with npm (e.g. `brew install node`)")
    + ", then run `make tools` for the node modules",
    "oidc-provider": "`make tools` installs the OpenID providers' node modules into .venv/idp (`npm ci` from "
    "the committed lock), which " + _NPM,
    "chromium": _apt_or(
        "chromium", "install Chromium (e.g. `brew install --cask chromium`), on PATH as chromium"
    ),
    "axe-core": "`make tools` fetches it from npm (axe-core, the version the Makefile pins) into "
    ".venv/axe-core, which " + _NPM,
    "the official AsyncAPI JSON Schemas": "`make tools` fetches them from npm (@asyncapi/specs) into "
    ".venv/asyncapi-specs, which " + _NPM,
}
REQUIRE_TOOLS = "MENTORNET_REQUIRE_TOOLS"


def require_tool(
    name: str, how_to_get: str | None = None, find: Callable[[], str | Path | None] | None = None
) -> Path:
    """Where the tool ``name`` is (``find()``, by default the command ``name`` on PATH); when it is missing,
    skip the calling test or fixture with ``how_to_get`` (by default ``HOW_TO_GET[name]``), or fail instead
    when MENTORNET_REQUIRE_TOOLS is set (CI, where every tool is installed and no test may skip for one)."""
    found = find() if find is not None else shutil.which(name)
    if found:
        return Path(found)
    message = f"{name} not found: {how_to_get or HOW_TO_GET[name]}"
    if os.environ.get(REQUIRE_TOOLS):
        pytest.fail(f"{message} ({REQUIRE_TOOLS} is set: a missing tool fails the test)", pytrace=False)
    pytest.skip(message)


def _postgres_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def postgres_reachable(url: str = POSTGRES_URL) -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(_postgres_dsn(url), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
        return None
    except psycopg.Error as exc:
        return str(exc)


def drop_schemas(prefix: str, url: str = POSTGRES_URL) -> None:
    with psycopg.connect(_postgres_dsn(url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (prefix.replace("_", r"\_") + "%",)
        ).fetchall()
        for (schema,) in rows:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def redis_reachable(url: str = REDIS_URL) -> str | None:
    """None when Redis answers, else why not."""
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) as client:
            client.ping()
        return None
    except redis.RedisError as exc:
        return str(exc)


def delete_redis_keys(prefix: str, url: str = REDIS_URL) -> int:
    """Delete the keys under ``prefix:`` (one test's), and no other."""
    with redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        return int(client.delete(*keys)) if keys else 0


@pytest.fixture(scope="session", autouse=True)
def tracing() -> InMemorySpanExporter:
    """A real tracer provider for every test, whose finished spans tests can read."""
    exporter = InMemorySpanExporter()
    configure_tracing("mentornet-tests", SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One real Tansu broker for the whole test session (never restarted: a restart empties it)."""
    log_file = tmp_path_factory.mktemp("broker") / "tansu.log"
    running = start_broker(free_port(), log_file=log_file)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def identity_providers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProviders]:
    """Real OpenID providers (oidc-provider under Node) for the orgs "acme" and "globex", started only
    for the tests that ask: clients "mentornet" and "portal", accounts alice and carol at acme, bob at
    globex (see mentornet_devkit.idp.default_issuers). Register identity's callback with
    ``identity_providers.add_redirect_uris(org, "mentornet", url)``."""
    require_idp_tools()
    log_file = tmp_path_factory.mktemp("idp") / "oidc-provider.log"
    with start_providers(default_issuers(), log_file) as providers:
        yield providers


def require_idp_tools() -> None:
    """Node.js and the OpenID providers' node modules, which mentornet_devkit.idp runs (require_tool)."""
    require_tool("node", find=lambda: shutil.which(os.environ.get("MENTORNET_NODE", "node")))
    modules = install_prefix() / "node_modules" / "oidc-provider"
    require_tool("oidc-provider", find=lambda: modules if modules.is_dir() else None)


def require_postgres_binaries() -> Path:
    """The bin folder of PostgreSQL's server binaries, for a server of a test's own (require_tool)."""
    return require_tool("PostgreSQL's server binaries", find=postgres.find_binaries)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """PostgreSQL's URL; skips when unreachable, fails instead when MENTORNET_REQUIRE_POSTGRES is set (CI)."""
    problem = postgres_reachable()
    if problem is not None:
        if os.environ.get("MENTORNET_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but unreachable at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {problem}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis's URL; skips when unreachable, fails instead when MENTORNET_REQUIRE_REDIS is set (CI)."""
    problem = redis_reachable()
    if problem is not None:
        if os.environ.get("MENTORNET_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required here but unreachable at {REDIS_URL}: {problem}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {problem}")
    return REDIS_URL


@pytest.fixture
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this test's own (MENTORNET_REDIS_KEY_PREFIX); its keys are deleted afterwards,
    so concurrent runs sharing one Redis never meet."""
    prefix = f"test{secrets.token_hex(6)}"
    yield prefix
    delete_redis_keys(prefix, redis_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Settings that place a test's stores on SQLite files, then on fresh PostgreSQL schemas."""
    if request.param == "sqlite":
        yield {"data_dir": tmp_path, "database_url": ""}
        return
    url = request.getfixturevalue("postgres_url")
    prefix = f"t{secrets.token_hex(4)}_"
    yield {"data_dir": tmp_path, "database_url": url, "database_schema_prefix": prefix}
    drop_schemas(prefix, url)


@pytest.fixture
def topic_prefix() -> str:
    """Fresh topics for each test: Tansu walks a partition's whole history on every fetch."""
    return f"test{secrets.token_hex(4)}."


def isolated_settings(cls: type[S], backend: dict[str, Any], **overrides: Any) -> S:
    """Settings for one test: its stores, its topics, fast retries and password hashing."""
    values: dict[str, Any] = {
        "environment": "test",
        "log_json": False,
        "consumer_retry_backoff_ms": 20,
        "consumer_max_attempts": 3,
        "outbox_sweep_interval_s": 0.3,
        "outbox_sweep_grace_s": 0.0,
        # The embedded broker holds each JoinGroup for half the session timeout: keep rebalances short.
        "consumer_session_timeout_ms": 3000,
        **backend,
        **overrides,
    }
    fields = cls.model_fields
    if "argon2_time_cost" in fields:
        values.setdefault("argon2_time_cost", 1)
        values.setdefault("argon2_memory_cost_kib", 64)
    for secret in ("key_encryption_secret",):
        if secret in fields:
            values.setdefault(secret, "test-secret-" + secrets.token_hex(8))
    return cls(**values)


# Fixtures that reach what a unit test does without: the broker, PostgreSQL, Redis, the OpenID providers
# (Node processes). store_backend reaches PostgreSQL in its "postgresql" variant only.
INTEGRATION_FIXTURES = frozenset({"broker", "postgres_url", "redis_url", "identity_providers"})


def needs_infrastructure(item: pytest.Item) -> bool:
    """Whether a test uses one of INTEGRATION_FIXTURES (directly or through other fixtures), or runs on
    PostgreSQL through store_backend."""
    if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("store_backend") == "postgresql"


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_infrastructure(item) and item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.integration)
