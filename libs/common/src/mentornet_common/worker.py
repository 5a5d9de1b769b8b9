"""The worker entrypoint shared by every service: consumers, durable timers, the sweeping outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mentornet_common import idempotency, retention
from mentornet_common.consumer import Consumer
from mentornet_common.kafka import ensure_topics
from mentornet_common.migrations import alembic_migrator
from mentornet_common.redrive import Redrive
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import configure_logging, configure_tracing
from mentornet_common.timers import Timer, TimerLoop

T = TypeVar("T")

log = logging.getLogger(__name__)

# How often a worker asks the broker for its metadata, for mentornet_broker_up (an API asks on each /readyz).
BROKER_CHECK_INTERVAL_S = 15.0


async def run_worker(
    runtime: Runtime,
    build_consumers: Callable[[Runtime], list[Consumer]],
    timers: list[Timer] | None = None,
) -> None:
    """Run until SIGTERM or SIGINT, then leave the consumer groups cleanly."""
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(f"{settings.service_name}-worker")
    consumers: list[Consumer] = []
    probes: asyncio.Task[None] | None = None
    if settings.worker_metrics_port:
        probes = asyncio.create_task(_serve_probes(settings, consumers), name="worker-probes")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if settings.kafka_create_topics:
        await _ensure_topics_when_reachable(runtime, stop)
    await runtime.start()
    consumers.extend(build_consumers(runtime))
    redrives = [Redrive(settings, consumer.group_id) for consumer in consumers]
    for consumer in consumers:
        await consumer.start()
    for redrive in redrives:
        await redrive.start()
    purges = [idempotency.PURGE, retention.purge_timer(settings)]
    every_timer = [*(timers or []), *(replace(t, interval_s=settings.purge_interval_s) for t in purges)]
    timer_loop = TimerLoop(runtime, every_timer, settings.timer_interval_s)
    await timer_loop.start()
    watch = asyncio.create_task(watch_broker(runtime, stop), name="broker-watch")
    log.info(
        "worker of %s running with %d consumer group(s) and %d timer(s)",
        settings.service_name,
        len(consumers),
        len(every_timer),
    )
    await stop.wait()
    watch.cancel()
    await timer_loop.stop()
    for redrive in redrives:
        await redrive.stop()
    for consumer in consumers:
        await consumer.stop()
    await runtime.stop()
    if probes is not None:
        probes.cancel()


async def watch_broker(
    runtime: Runtime, stop: asyncio.Event, interval_s: float = BROKER_CHECK_INTERVAL_S
) -> None:
    """Ask the broker for its metadata every ``interval_s`` until ``stop``: mentornet_broker_up says whether
    it answered (a worker whose broker is gone would otherwise only wait, saying nothing)."""
    while not stop.is_set():
        try:
            await runtime.check_broker()
        except Exception as exc:
            log.warning("the broker did not answer: %s", exc, extra={"error": str(exc)})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)


def probe_app(consumers: list[Consumer]) -> Starlette:
    """The worker's own endpoints: ``/metrics``; ``/livez`` (the process runs); ``/readyz`` (503 naming
    each partition that waits for a store or the broker, and on what)."""

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def livez(_: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(_: Request) -> Response:
        blocked = {c.group_id: why for c in consumers if (why := c.why_blocked())}
        if blocked:
            return JSONResponse({"status": "blocked", "blocked": blocked}, status_code=503)
        return JSONResponse({"status": "ready", "consumer_groups": [c.group_id for c in consumers]})

    return Starlette(routes=[Route("/metrics", metrics), Route("/livez", livez), Route("/readyz", readyz)])


async def _serve_probes(settings: CommonSettings, consumers: list[Consumer]) -> None:
    config = uvicorn.Config(
        probe_app(consumers),
        host=settings.host,
        port=settings.worker_metrics_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    await _ProbeServer(config).serve()


class _ProbeServer(uvicorn.Server):
    """Leaves SIGTERM and SIGINT to the worker, which stops its consumers first."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _ensure_topics_when_reachable(runtime: Runtime, stop: asyncio.Event) -> None:
    backoff = 0.5
    while not stop.is_set():
        try:
            created = await ensure_topics(runtime.settings)
            if created:
                log.info("created topics: %s", ", ".join(created))
            return
        except Exception as exc:
            log.warning("broker unreachable (%s); retrying in %.1fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


def worker_main(
    settings: CommonSettings,
    package: str,
    build_consumers: Callable[[Runtime], list[Consumer]],
    timers: list[Timer] | None = None,
) -> None:
    """``python -m <service>.worker``: migrate, then consume, fire timers and sweep until told to stop."""
    runtime = Runtime(settings, alembic_migrator(package), sweep=True)
    run(run_worker(runtime, build_consumers, timers))


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop's event loop where it is installed (a dependency, but for Windows): its loop,
    sockets and callbacks are C, as they are in the API processes (uvicorn picks uvloop by itself)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
