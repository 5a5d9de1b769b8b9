"""Settings every mentornet process reads from its environment (prefix ``MENTORNET_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that ship in the repository so that `make run` works out of the box. Outside development a
# process refuses to start while any secret still holds one of these.
DEVELOPMENT_SECRETS = frozenset({"dev-only-change-me", ""})
# What MENTORNET_REDIS_URL may start with (mentornet_common.ratelimit).
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


class CommonSettings(BaseSettings):
    """Infrastructure settings shared by every service; a service subclasses it for its own."""

    model_config = SettingsConfigDict(env_prefix="MENTORNET_", env_nested_delimiter="__", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="development: the development secrets that ship in the repository are accepted. test or "
        "production: a process refuses to start while any secret setting still holds its development default "
        "or is empty.",
    )
    service_name: str = Field(
        default="mentornet",
        description="Names the process in logs, traces, metrics, Kafka client ids and Redis keys, and is the "
        "folder of its SQLite stores (data_dir/<service_name>). Each service defaults to its own name; "
        "mentornet is the default only of processes that read the common settings alone. Never set it where "
        "several services share one environment.",
    )

    # Kafka
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        description="The Kafka brokers first contacted (comma-separated host:port); the default is where "
        "`make run` starts its embedded broker.",
    )
    topic_prefix: str = Field(
        default="",
        description="Prepended to every topic name; lets tests and staging share one cluster.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL"] = Field(
        default="PLAINTEXT", description="SSL: mutual TLS with the files below (Strimzi's TLS listener)."
    )
    kafka_ssl_cafile: Path | None = Field(default=None, description="The cluster CA certificate (PEM).")
    kafka_ssl_certfile: Path | None = Field(default=None, description="This client's certificate (PEM).")
    kafka_ssl_keyfile: Path | None = Field(default=None, description="This client's private key (PEM).")
    kafka_create_topics: bool = Field(
        default=True,
        description="Create missing topics at worker start. Off where the platform declares topics "
        "(Strimzi KafkaTopic) and services hold no Create permission.",
    )
    consumer_max_attempts: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Tries of an event whose handler fails (not the infrastructure) before it is "
        "dead-lettered.",
    )
    consumer_retry_backoff_ms: int = Field(default=200, ge=1, description="The first wait between tries.")
    consumer_backoff_cap_s: float = Field(
        default=30.0,
        gt=0,
        description="The longest wait between tries while a store or the broker is unavailable (retried for "
        "as long as it lasts, never dead-lettered).",
    )
    dlq_redrive_after_s: float = Field(
        default=600.0,
        gt=0,
        description="A dead letter that may heal is replayed for its group after this long, then after "
        "twice as long, and so on.",
    )
    dlq_redrive_times: int = Field(
        default=3,
        ge=0,
        le=20,
        description="How many times a dead letter is redriven before it is left for an operator (0: never).",
    )
    dlq_redrive_interval_s: float = Field(
        default=30.0, gt=0, description="How often a worker looks for dead letters due for a redrive."
    )
    consumer_unknown_tenant_wait_s: float = Field(
        default=60.0,
        ge=0,
        description="How long an event naming an org whose store is not provisioned waits for its "
        "org-registered before it is dead-lettered.",
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=50,
        ge=1,
        description="How long the broker may hold a worker's fetch while no new records arrive (Kafka's "
        "fetch.max.wait.ms): lower delivers events sooner, at the cost of more fetch requests while idle.",
    )
    consumer_lag_refresh_s: float = Field(
        default=15.0,
        gt=0,
        description="How often a worker asks the broker for its partitions' end offsets to export "
        "mentornet_consumer_lag, also while nothing is handled (a hung handler, a partition waiting for a "
        "store).",
    )
    producer_linger_ms: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="How long a producer waits to fill a batch. 0: send at once; records that arrive while a "
        "request is in flight still go out together in the next one.",
    )
    consumer_commit_interval_ms: int = Field(
        default=100,
        ge=0,
        le=5000,
        description="How long a worker gathers the offsets of handled batches before committing them in one "
        "request (also when its partitions are revoked or it stops): fewer commits under load. After a "
        "crash, up to this much handled work comes again and the inbox skips it. 0: commit after each batch.",
    )
    consumer_session_timeout_ms: int = Field(
        default=6000,
        ge=1000,
        description="A worker whose consumer sends no heartbeat this long is dropped from its consumer group "
        "and its partitions go to the others (a heartbeat every third of it, but not more often than every "
        "500 ms).",
    )

    # Stores
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the SQLite stores live while database_url is empty: "
        "<data_dir>/<service_name>/<tenant>.db, one file per member org and consortium.db (a relative path "
        "is taken from the working directory).",
    )
    database_url: str = Field(
        default="",
        description="Empty: one SQLite file per tenant under data_dir. A postgresql+psycopg:// URL: one "
        "schema per tenant in that database.",
    )
    database_schema_prefix: str = Field(
        default="tenant_",
        description="On PostgreSQL, each tenant's store is the schema <prefix><tenant id> (the consortium's: "
        "<prefix>consortium).",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections a process keeps open to one database, shared by every tenant "
        "in it (as many again may open under a burst).",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=30_000,
        ge=0,
        description="How long a write waits for another process's lock on a SQLite store before it fails "
        "(and is retried as the store being unavailable).",
    )
    tenant_database_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Per-tenant override: a member org that keeps its data in a database of its own.",
    )

    # Outbox relay
    outbox_sweep_interval_s: float = Field(
        default=10.0,
        gt=0,
        description="How often a worker's outbox relay looks through every store for events still "
        "unpublished after outbox_sweep_grace_s (a process publishes its own as it commits them; APIs do not "
        "sweep), and updates the backlog gauges. Each look is a query per store.",
    )
    outbox_sweep_grace_s: float = Field(
        default=10.0,
        ge=0,
        description="The sweeper leaves rows younger than this to the process that wrote them.",
    )
    outbox_mark_linger_ms: int = Field(
        default=500,
        ge=0,
        le=10_000,
        description="A process marks the outbox rows it published as sent this long after the first of "
        "them, each store's rows in one transaction (a process that stops marks them at once; one that "
        "crashes leaves them to the sweep, which publishes them again, and consumers skip what they already "
        "handled).",
    )
    outbox_batch_size: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Outbox rows read and published per query; a longer backlog goes out in several batches.",
    )

    # Retention (purged by every worker's timers)
    outbox_retention_days: float = Field(
        default=7.0, gt=0, description="Published outbox rows are kept this long."
    )
    inbox_retention_days: float = Field(
        default=7.0, gt=0, description="Inbox rows (events handled, to skip redeliveries) are kept this long."
    )

    # Durable timers (workers)
    timer_interval_s: float = Field(
        default=5.0, gt=0, description="How often a worker looks for timers that came due."
    )
    purge_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="How often a worker looks in every store for rows to purge (published outbox rows, "
        "handled inbox rows, Idempotency-Key answers, streams' old events and deliveries): they are kept for "
        "hours or days, and each look costs a query per store.",
    )

    # Tokens
    jwks_url: str = Field(
        default="http://127.0.0.1:8001/.well-known/jwks.json",
        description="identity's public signing keys, with which the other services' APIs verify access "
        "tokens; they read identity's revocations from the same host (/v1/revocations). The default is "
        "identity under `make run`.",
    )
    token_issuer: str = Field(
        default="mentornet-identity",
        description="The issuer (iss) identity writes into the tokens it issues and every API requires of "
        "them: the same for every service.",
    )
    token_audience: str = Field(
        default="mentornet",
        description="The audience (aud) identity writes into access tokens and every API requires of them: "
        "the same for every service.",
    )
    jwks_cache_ttl_s: float = Field(
        default=300.0,
        description="How long an API uses the keys it fetched from jwks_url before fetching them again (a "
        "token signed with a key it does not know makes it fetch sooner, at most every 5 seconds).",
    )
    revocation_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=5,
        description="How often an API process asks identity for new revocations (next to jwks_url).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies (comma-separated addresses or CIDRs, '*' for any) whose X-Forwarded-For "
        "names the real client: the gateway or Ingress in front of the APIs.",
    )

    # Rate limits and login throttling (mentornet_common.ratelimit)
    redis_url: str = Field(
        default="",
        description="Empty: rate limits and login throttling count in each process's memory, so every "
        "replica grants its own budget (the embedded default). A redis:// (or rediss://) URL: they count in "
        "that Redis, one budget shared by every replica; while it fails, each process counts in memory "
        "again (never unlimited).",
    )
    redis_key_prefix: str = Field(
        default="mentornet",
        description="Starts every key kept in Redis (<prefix>:<service>:<limiter>/...); lets tests and "
        "staging share one server.",
    )

    # HTTP
    host: str = Field(
        default="127.0.0.1",
        description="The address the API, and the worker's metrics endpoint, listen on: 127.0.0.1 answers "
        "this machine only (the images set 0.0.0.0).",
    )
    port: int = Field(
        default=8000,
        description="The API's port. Each service has its own default (8001-8006, as under `make run`); "
        "the images set 8000.",
    )
    worker_metrics_port: int = Field(
        default=0,
        description="The port of the worker's /metrics, /livez and /readyz. 0: the worker exposes no "
        "metrics endpoint.",
    )
    rate_limit_per_minute: int = Field(
        default=3000,
        ge=1,
        description="Requests a minute per caller (token, else address): for all replicas together when "
        "redis_url is set, else per replica.",
    )
    write_rate_limit_per_minute: int = Field(
        default=1200, ge=1, description="Of them, POST/PUT/PATCH/DELETE."
    )
    max_request_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Larger request bodies are refused with 413 (the gateway's too).",
    )
    log_level: str = Field(
        default="INFO",
        description="The Python logging level name (DEBUG, INFO, WARNING, ERROR); the Kafka and HTTP client "
        "libraries log only warnings and above unless it is higher.",
    )
    log_json: bool = Field(
        default=True,
        description="true: log records go to stderr as JSON lines; false: as plain text lines (`make run` "
        "sets false).",
    )

    @field_validator("database_url")
    @classmethod
    def _not_one_sqlite_file(cls, value: str) -> str:
        if value.strip().lower().startswith("sqlite"):
            raise ValueError(
                "a sqlite URL would put every tenant in one file: leave MENTORNET_DATABASE_URL empty for one "
                "SQLite file per tenant under MENTORNET_DATA_DIR, or give a postgresql+psycopg:// URL"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _a_redis_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(REDIS_SCHEMES):
            raise ValueError("MENTORNET_REDIS_URL is empty or a redis://, rediss:// or redis+unix:// URL")
        return value

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> CommonSettings:
        if self.environment == "development":
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value() in DEVELOPMENT_SECRETS:
                raise ValueError(
                    f"MENTORNET_{name.upper()} still holds its development default; "
                    f"set a real secret when MENTORNET_ENVIRONMENT={self.environment}"
                )
        return self

    def topic(self, name: str) -> str:
        """The physical topic name for a logical one (``mentornet.asks``)."""
        return f"{self.topic_prefix}{name}"

    def as_(self, kind: type[S]) -> S:
        """These settings as the service's own class (``runtime.settings.as_(StreamsSettings)``): the one way
        code reaches a service's settings. Another class is an error, never defaults in their place."""
        if not isinstance(self, kind):
            raise TypeError(f"{kind.__name__} expected, the process was given {type(self).__name__}")
        return self


S = TypeVar("S", bound=CommonSettings)
