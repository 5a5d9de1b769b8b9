"""Streams' worker: ``python -m streams.worker`` — records every event for the orgs it concerns, queues
webhook deliveries (a durable timer) and sends them (a loop of its own: never inside a transaction)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main
from streams.config import StreamsSettings
from streams.handlers import HANDLERS
from streams.timers import timers
from streams.webhooks import Sender

log = logging.getLogger(__name__)


class Delivering(Consumer):
    """The consumer group, with the webhook sender running beside it for as long as it runs."""

    def __init__(self, runtime: Runtime, settings: StreamsSettings) -> None:
        super().__init__(runtime, "streams", HANDLERS)
        self._sender = Sender(
            runtime, settings.webhook_timeout_s, settings.egress(),
            concurrency=settings.webhook_concurrency, per_org=settings.webhook_concurrency_per_org,
        )  # fmt: skip
        self._interval_s = settings.delivery_interval_s
        self._look_s = settings.endpoint_look_interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await super().start()
        self._task = asyncio.create_task(self._send_forever(), name="webhook-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._sender.close()
        await super().stop()

    async def _send_forever(self) -> None:
        """A round every delivery_interval_s, for the orgs that have a webhook endpoint: most have none, and
        a round costs a read of every store it visits. Which orgs have one is looked up every
        endpoint_look_interval_s (a delivery is only ever queued for an endpoint)."""
        loop = asyncio.get_running_loop()
        with_endpoints: set[str] = set()
        next_look = loop.time()
        while True:
            try:
                if loop.time() >= next_look:
                    with_endpoints = await self._sender.with_endpoints()
                    next_look = loop.time() + self._look_s
                await self._sender.tick(wait=False, stores=with_endpoints)
            except Exception:  # never let one bad round end the sending
                log.exception("webhook sending round failed")
            await asyncio.sleep(self._interval_s)


def main() -> None:
    settings = StreamsSettings()
    worker_main(settings, "streams", lambda runtime: [Delivering(runtime, settings)], timers(settings))


if __name__ == "__main__":
    main()
