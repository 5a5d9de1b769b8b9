from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from mentornet_common.http import service_app
from mentornet_common.problems import NotFound
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker, free_port
from mentornet_devkit.pytest_plugin import isolated_settings

from .conftest import create_all


class Thing(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    size: int = Field(ge=1)


router = APIRouter()


@router.post("/v1/things/{thing_id}")
async def put_thing(thing_id: int, thing: Thing) -> Thing:
    return thing


@router.get("/v1/missing")
async def missing() -> None:
    raise NotFound("thing")


@router.get("/v1/broken")
async def broken() -> None:
    raise RuntimeError("a bug")


def app_for(settings: CommonSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = Runtime(settings, create_all, sweep=False)
        await app.state.runtime.start()
        yield
        await app.state.runtime.stop()

    return service_app(settings, title="probe", description="probe", lifespan=lifespan, routers=[router])


@asynccontextmanager
async def client_for(settings: CommonSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = app_for(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


@pytest.fixture
def settings(broker: Broker, tmp_path: Any) -> CommonSettings:
    return isolated_settings(
        CommonSettings,
        {"data_dir": tmp_path},
        service_name="probe",
        kafka_bootstrap_servers=broker.bootstrap_servers,
    )


async def test_validation_errors_are_problems_that_name_each_field(settings: CommonSettings) -> None:
    async with client_for(settings) as client:
        response = await client.post("/v1/things/x", json={"name": "", "size": 0})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {e["field"] for e in body["errors"]} == {"path.thing_id", "body.name", "body.size"}
    assert body["status"] == 422
    assert body["detail"].startswith(("path.thing_id", "body."))


async def test_not_found_and_unexpected_errors_are_problems(settings: CommonSettings) -> None:
    async with client_for(settings) as client:
        missing = await client.get("/v1/missing")
        unrouted = await client.get("/nowhere")
        broken = await client.get("/v1/broken")
    assert (missing.status_code, missing.json()["detail"]) == (404, "thing not found")
    assert unrouted.status_code == 404
    assert unrouted.headers["content-type"] == "application/problem+json"
    assert broken.status_code == 500
    assert broken.json()["detail"] == "an unexpected error occurred"
    assert "a bug" not in broken.text


@pytest.mark.integration
async def test_ready_when_store_and_broker_answer(settings: CommonSettings) -> None:
    async with client_for(settings) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}


@pytest.mark.integration
async def test_not_ready_without_a_broker(tmp_path: Any) -> None:
    settings = isolated_settings(
        CommonSettings, {"data_dir": tmp_path}, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}"
    )
    async with client_for(settings) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"] == "ok"
    assert ready.json()["checks"]["broker"].startswith("unavailable")


async def test_metrics_report_request_latency_by_route_template(settings: CommonSettings) -> None:
    async with client_for(settings) as client:
        await client.post("/v1/things/7", json={"name": "a", "size": 1})
        metrics = (await client.get("/metrics")).text
    assert (
        'mentornet_http_request_duration_seconds_count{method="POST",route="/v1/things/{thing_id}",'
        'service="probe",status="200"}' in metrics
    )
    for family in ("mentornet_events_published_total", "mentornet_outbox_backlog", "mentornet_consumer_lag"):
        assert f"# TYPE {family}" in metrics
