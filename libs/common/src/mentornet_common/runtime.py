"""The infrastructure one service process runs on: its stores, its outbox relay, and units of work."""

from __future__ import annotations

import asyncio

from mentornet_common.outbox import OutboxRelay
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import BROKER_UP, observe_certificates
from mentornet_common.tenancy import CONSORTIUM, Migrator, TenantStores
from mentornet_common.unit_of_work import UnitOfWork


class Runtime:
    """Built once per process, in the app's lifespan or the worker's ``main()``."""

    def __init__(self, settings: CommonSettings, migrator: Migrator, *, sweep: bool) -> None:
        self.settings = settings
        self.stores = TenantStores(settings, migrator)
        self.relay = OutboxRelay(settings, self.stores, sweep=sweep)

    def unit_of_work(self, tenant_id: str) -> UnitOfWork:
        """A transaction in one tenant's store whose events go through the outbox."""
        return UnitOfWork(self.settings, self.stores, self.relay, tenant_id)

    async def start(self) -> None:
        """Migrate the consortium store and start the relay."""
        await self.stores.ensure(CONSORTIUM)
        await self.relay.start()

    async def stop(self) -> None:
        """Stop the relay and close every store."""
        await self.relay.stop()
        await self.stores.close()

    async def check_broker(self, timeout_s: float = 3.0) -> None:
        """Raise unless the broker answers a metadata request in time (readiness); either way, say so in
        ``mentornet_broker_up``, and read the expiry of the Kafka certificates the process uses."""
        settings = self.settings
        observe_certificates(
            settings.service_name,
            {"kafka-ca": settings.kafka_ssl_cafile, "kafka-client": settings.kafka_ssl_certfile},
        )
        try:
            producer = await asyncio.wait_for(self.relay.producer(), timeout_s)
            await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout_s)
        except Exception:
            BROKER_UP.labels(settings.service_name).set(0)
            raise
        BROKER_UP.labels(settings.service_name).set(1)
