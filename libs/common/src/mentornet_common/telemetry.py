"""OpenTelemetry traces, Prometheus metrics and JSON logs with trace id and tenant."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Gauge, Histogram

current_tenant: ContextVar[str | None] = ContextVar("mentornet_tenant", default=None)

_propagator = TraceContextTextMapPropagator()

# Metrics. One registry per process; names are the dashboard's contract, so keep them stable.
HTTP_REQUEST_SECONDS = Histogram(
    "mentornet_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)
EVENTS_PUBLISHED = Counter(
    "mentornet_events_published_total", "Events the outbox relay handed to the broker", ["topic", "type"]
)
EVENTS_CONSUMED = Counter(
    "mentornet_events_consumed_total",
    "Events a consumer group finished with, by outcome (processed, duplicate, ignored, dead_lettered, "
    "misaddressed: on its redrive topic but not a replay of its own dead letter)",
    ["group", "type", "outcome"],
)
# Where an event's time goes: waiting to be handled (in the outbox, on the broker, in a fetch), then handled.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
EVENT_WAIT_SECONDS = Histogram(
    "mentornet_event_wait_seconds",
    "From an event's record timestamp (when its producer sent it) to its group starting to handle it",
    ["group", "topic"],
    buckets=LATENCY_BUCKETS,
)
EVENT_BATCH_SECONDS = Histogram(
    "mentornet_event_batch_seconds",
    "Handling one partition's fetched records, every store's transaction included",
    ["group"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_PUBLISH_DELAY_SECONDS = Histogram(
    "mentornet_outbox_publish_delay_seconds",
    "From an outbox row's writing to the broker acknowledging its event",
    ["service"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_BACKLOG = Gauge("mentornet_outbox_backlog", "Outbox rows not yet published", ["service", "tenant"])
OUTBOX_OLDEST_AGE = Gauge(
    "mentornet_outbox_oldest_age_seconds",
    "How long the oldest outbox row not yet published has waited, at the sweeper's last look (0: none)",
    ["service", "tenant"],
)
BROKER_UP = Gauge(
    "mentornet_broker_up",
    "1 when the broker answered this process's last metadata request in time, 0 when it did not",
    ["service"],
)
CERTIFICATE_EXPIRY = Gauge(
    "mentornet_certificate_expiry_timestamp_seconds",
    "When a certificate this process reads stops being valid (Unix time; the earliest of a file's "
    "certificates): kafka-ca, kafka-client",
    ["service", "certificate"],
)
SIGNING_KEY_CREATED = Gauge(
    "mentornet_signing_key_created_timestamp_seconds",
    "When identity's active token-signing key was made (Unix time): rotate it before it is 90 days old",
)
CONSUMER_LAG = Gauge(
    "mentornet_consumer_lag", "Records behind the partition's high watermark", ["group", "topic", "partition"]
)
TIMERS_FIRED = Counter(
    "mentornet_timers_fired_total", "Durable timers that came due and acted", ["service", "timer"]
)
DEAD_LETTERS = Counter(
    "mentornet_dead_letters_total", "Records sent to a dead-letter topic", ["group", "topic"]
)
REDRIVE_DECISIONS = Counter(
    "mentornet_dead_letters_redriven_total",
    "What a group's redrive policy decided about a dead letter: redriven, kept (redriven as often as "
    "allowed: left for an operator) or never (malformed, or claiming another org's store)",
    ["group", "decision"],
)
BACKGROUND_FAILURES = Counter(
    "mentornet_background_failures_total",
    "Failed rounds of the outbox relay and the timers, by what failed: store, broker, network, or permanent "
    "(the code or the data: an operator must look)",
    ["component", "reason"],
)
CONSUMER_BLOCKED = Gauge(
    "mentornet_consumer_blocked",
    "1 while a partition waits for the infrastructure (a store or the broker) to come back",
    ["group", "topic", "partition"],
)
CONSUMER_RETRIES = Counter(
    "mentornet_consumer_retries_total",
    "Handler retries, by why: store, broker, network, unknown-tenant (waited out) or handler (counted "
    "towards the dead-letter topic)",
    ["group", "reason"],
)
SQLITE_LOCK_WAITS = Counter(
    "mentornet_sqlite_lock_waits_total",
    "Sleeps of a SQLite statement waiting for another process's write lock on the same store",
)
RATE_LIMIT_FALLBACKS = Counter(
    "mentornet_rate_limit_fallbacks_total",
    "Rate-limit and login-throttle operations counted in this process's memory because Redis failed",
    ["service", "limiter"],
)


def observe_certificates(service: str, files: dict[str, Path | None]) -> None:
    """Set the expiry gauge of each named PEM file that is configured; one that cannot be read is logged
    and left out (the process goes on: the broker refuses an expired certificate by itself)."""
    for name, path in files.items():
        if path is None:
            continue
        try:
            certificates = x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            logging.getLogger(__name__).warning("cannot read the certificate %s (%s): %s", name, path, exc)
            continue
        earliest = min(c.not_valid_after_utc for c in certificates)
        CERTIFICATE_EXPIRY.labels(service, name).set(earliest.timestamp())


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, to store with an outbox row."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    """An OpenTelemetry context whose parent is the span a traceparent names."""
    if not traceparent:
        return otel_context.Context()
    return _propagator.extract({"traceparent": traceparent})


def tracer(name: str) -> trace.Tracer:
    """A tracer for a mentornet component."""
    return trace.get_tracer(name)


def configure_tracing(service_name: str, extra_processor: SpanProcessor | None = None) -> None:
    """Install a tracer provider; exports by OTLP when the standard ``OTEL_*`` variables name a collector.

    Spans always carry the trace id into logs and events; a span per SQL statement is made only where spans
    are exported (a collector, or a test's processor): nobody would see them otherwise, and they cost a
    worker about a tenth of its time."""
    exporting = bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = trace.get_tracer_provider()
    else:
        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
        provider = TracerProvider(resource=resource)
        if exporting:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    if extra_processor is not None:
        provider.add_span_processor(extra_processor)  # type: ignore[attr-defined]
    instrumentor = SQLAlchemyInstrumentor()
    if (exporting or extra_processor is not None) and not instrumentor.is_instrumented_by_opentelemetry:
        # Wraps create_async_engine, so every tenant store's engine made afterwards is traced.
        instrumentor.instrument()
    # Always, exporting or not: the calls between services (identity's export fan-out, the JWKS fetch, the
    # revocation polls) and to partners (webhooks) carry the trace on in `traceparent`, so the next process's
    # spans join the caller's trace. It wraps httpx's transports, so clients made before are covered too.
    http_client = HTTPXClientInstrumentor()
    if not http_client.is_instrumented_by_opentelemetry:
        http_client.instrument()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the trace id, span id and tenant of the moment."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        if tenant := current_tenant.get():
            entry["tenant"] = tenant
        for key in ("event_id", "event_type", "group", "topic", "error"):
            if (value := getattr(record, key, None)) is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    """Route every log record to stderr, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service)
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Every API polls identity's revocations each second: neither side logs each poll.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _QuietPolls) for f in access.filters):
        access.addFilter(_QuietPolls())


class _QuietPolls(logging.Filter):
    """Leave out the access-log lines of routine polls (revocations, health, metrics)."""

    QUIET = ("/v1/revocations", "/healthz", "/readyz", "/metrics")

    def filter(self, record: logging.LogRecord) -> bool:
        path = record.args[2] if isinstance(record.args, tuple) and len(record.args) > 2 else ""
        if not isinstance(path, str):
            return True
        if ("/sso/callback?" in path or path.startswith("/auth/callback?")) and isinstance(
            record.args, tuple
        ):
            # a sign-in's code and state stay out of the logs (identity's single sign-on, the console's)
            args = list(record.args)
            args[2] = path.split("?", 1)[0] + "?…"
            record.args = tuple(args)
        return not path.startswith(self.QUIET)
