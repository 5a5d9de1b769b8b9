"""The worker entrypoint shared by every service: consumers, durable timers, the sweeping outbox relay."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from prometheus_client import start_http_server

from mentornet_common import idempotency, retention
from mentornet_common.consumer import Consumer
from mentornet_common.kafka import ensure_topics
from mentornet_common.migrations import alembic_migrator
from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import configure_logging, configure_tracing
from mentornet_common.timers import Timer, TimerLoop

log = logging.getLogger(__name__)


async def run_worker(
    runtime: Runtime,
    build_consumers: Callable[[Runtime], list[Consumer]],
    timers: list[Timer] | None = None,
) -> None:
    """Run until SIGTERM or SIGINT, then leave the consumer groups cleanly."""
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(f"{settings.service_name}-worker")
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.host)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if settings.kafka_create_topics:
        await _ensure_topics_when_reachable(runtime, stop)
    await runtime.start()
    consumers = build_consumers(runtime)
    for consumer in consumers:
        await consumer.start()
    every_timer = [*(timers or []), idempotency.PURGE, retention.purge_timer(settings)]
    timer_loop = TimerLoop(runtime, every_timer, settings.timer_interval_s)
    await timer_loop.start()
    log.info(
        "worker of %s running with %d consumer group(s) and %d timer(s)",
        settings.service_name,
        len(consumers),
        len(every_timer),
    )
    await stop.wait()
    await timer_loop.stop()
    for consumer in consumers:
        await consumer.stop()
    await runtime.stop()


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
    asyncio.run(run_worker(runtime, build_consumers, timers))
