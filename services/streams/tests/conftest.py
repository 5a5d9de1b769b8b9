from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from streams.config import StreamsSettings
from streams.handlers import HANDLERS
from streams.main import create_app

from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import ServiceUnderTest, service_under_test


class Streams(ServiceUnderTest):
    def partner(self, org_id: str, scope: str = "events:read webhooks:read webhooks:write") -> dict[str, str]:
        """An org's API client (a partner system) holding the given scopes."""
        return self.tokens.headers(f"cli_{org_id}", org_id, [], kind="client", scope=scope)


@pytest.fixture
async def streams(broker: Broker, store_backend: dict[str, Any], topic_prefix: str) -> AsyncIterator[Streams]:
    async with service_under_test(
        StreamsSettings, create_app, HANDLERS,
        bootstrap_servers=broker.bootstrap_servers, backend=store_backend, topic_prefix=topic_prefix,
        webhook_allowed_networks=["127.0.0.0/8"],  # the tests' receivers listen on loopback
    ) as service:  # fmt: skip
        yield Streams(**vars(service))
