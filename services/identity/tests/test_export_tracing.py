"""A person's data export is one trace: identity's request, its calls to each service's /v1/me/data, and each
service's handling of them (the calls carry the trace on in `traceparent`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from identity.main import create_app
from mentornet_devkit.broker import Broker, free_port
from mentornet_devkit.testing import eventually

from .conftest import Api, identity_settings


@contextlib.asynccontextmanager
async def service_answering_its_part(name: str, seen: list[dict[str, str]]) -> AsyncIterator[str]:
    """An HTTP server on loopback answering ``GET /v1/me/data`` as a service does, keeping each request's
    headers."""

    async def my_data(request: Request) -> JSONResponse:
        seen.append({"service": name, **request.headers})
        return JSONResponse({"part": name})

    port = free_port()
    config = uvicorn.Config(
        Starlette(routes=[Route("/v1/me/data", my_data)]),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, what=f"{name}'s server")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def test_the_export_fan_out_carries_the_trace_to_every_service(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str, tracing: InMemorySpanExporter
) -> None:
    seen: list[dict[str, str]] = []
    async with (
        service_answering_its_part("profiles", seen) as profiles,
        service_answering_its_part("matching", seen) as matching,
    ):
        settings = identity_settings(
            store_backend,
            topic_prefix=topic_prefix,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            service_urls={"profiles": profiles, "matching": matching},
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
                api = Api(http, settings, app)
                org = await api.org("acme")
                ann = await api.login_as_new(org, "ann@acme.example", ["member"])
                tracing.clear()  # the exporter lives for the whole session: keep only the export's spans
                exported = await http.get("/v1/me/export", headers=ann)
    assert exported.status_code == 200, exported.text
    assert {exported.json()["profiles"]["part"], exported.json()["matching"]["part"]} == {
        "profiles",
        "matching",
    }

    spans = tracing.get_finished_spans()
    (request,) = [
        s
        for s in spans
        if s.kind.name == "SERVER" and s.attributes and s.attributes.get("http.route") == "/v1/me/export"
    ]
    trace_id = format(request.context.trace_id, "032x")
    calls = {
        format(s.context.span_id, "016x"): s
        for s in spans
        if s.kind.name == "CLIENT"
        and s.context.trace_id == request.context.trace_id
        and s.attributes
        and "/v1/me/data" in str(s.attributes.get("url.full", s.attributes.get("http.url", "")))
    }
    assert len(calls) == 2, [s.name for s in spans]
    # Each service was called within the export's trace, by one of identity's client spans.
    assert sorted(h["service"] for h in seen) == ["matching", "profiles"]
    for headers in seen:
        _version, received_trace, parent, _flags = headers["traceparent"].split("-")
        assert received_trace == trace_id, headers
        assert parent in calls, headers
