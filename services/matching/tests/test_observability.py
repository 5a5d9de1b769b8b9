"""One trace per ask, and the metrics operators watch, from a real run of the API and its worker."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from matching.main import create_app
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import eventually, header, read_all, service_under_test

from .conftest import Matching


@pytest.fixture
async def live(broker: Broker, tmp_path: Any, topic_prefix: str) -> Any:
    async with service_under_test(
        MatchingSettings, create_app, HANDLERS, run_worker=True,
        bootstrap_servers=broker.bootstrap_servers, backend={"data_dir": tmp_path}, topic_prefix=topic_prefix,
    ) as service:  # fmt: skip
        yield Matching(**vars(service))


async def test_the_portals_request_ask_created_and_match_proposed_share_one_trace(
    live: Matching, tracing: InMemorySpanExporter
) -> None:
    tracing.clear()  # the exporter lives for the whole session: keep only this test's spans
    await live.publish_mentor("usr_mia", "org_b", negotiation=5)
    posted = await live.ask("usr_ann", "org_a")
    settings = live.runtime.settings
    proposed = await read_all(settings.kafka_bootstrap_servers, settings.topic("mentornet.matches"), expect=1)
    assert proposed, "no match-proposed on the broker"

    async def all_spans_ended() -> bool:
        names = {s.name for s in tracing.get_finished_spans()}
        return "publish mentornet.match-proposed.v1" in names

    await eventually(all_spans_ended, what="the producer span of match-proposed")
    spans = tracing.get_finished_spans()
    request = next(
        s
        for s in spans
        if s.kind.name == "SERVER" and s.attributes and s.attributes.get("http.route") == "/v1/asks"
    )
    trace_id = request.context.trace_id
    in_trace = {s.name for s in spans if s.context.trace_id == trace_id}
    assert {
        "publish mentornet.ask-created.v1",
        "process mentornet.ask-created.v1",
        "publish mentornet.match-proposed.v1",
    } <= in_trace, in_trace
    traceparent = header(proposed[-1], "traceparent") or ""
    assert traceparent.split("-")[1] == format(trace_id, "032x")
    assert posted["id"]


async def test_metrics_expose_latency_events_backlog_lag_and_dead_letters(live: Matching) -> None:
    await live.publish_mentor("usr_mia", "org_b", negotiation=5)
    await live.ask("usr_ann", "org_a")
    settings = live.runtime.settings
    await read_all(settings.kafka_bootstrap_servers, settings.topic("mentornet.matches"), expect=1)
    await live.runtime.relay.sweep()  # refreshes the backlog gauge, as the worker's sweeper does

    async def consumed() -> bool:
        text = (await live.http.get("/metrics")).text
        return (
            'mentornet_events_consumed_total{group="matching",outcome="processed",type="mentornet.ask-created.v1"}'
            in text
        )

    await eventually(consumed, what="the consumed counter")
    metrics = (await live.http.get("/metrics")).text
    assert (
        'mentornet_http_request_duration_seconds_count{method="POST",route="/v1/asks",service="matching",status="201"}'
        in metrics
    )
    assert (
        f'mentornet_events_published_total{{topic="{settings.topic("mentornet.asks")}",type="mentornet.ask-created.v1"}}'
        in metrics
    )
    assert 'mentornet_outbox_backlog{service="matching",tenant="org_a"} 0.0' in metrics
    assert (
        f'mentornet_consumer_lag{{group="matching",partition="0",topic="{settings.topic("mentornet.asks")}"}}'
        in metrics
    )
    assert "# TYPE mentornet_dead_letters_total counter" in metrics
    # exported at 0 from the consumer's start, so that an alert on its increase sees the first dead letter
    assert (
        f'mentornet_dead_letters_total{{group="matching",topic="{settings.topic("mentornet.asks")}"}} 0.0'
        in metrics
    )
    assert 'mentornet_outbox_oldest_age_seconds{service="matching",tenant="org_a"} 0.0' in metrics
