"""The gauges the alerts rest on: whether the broker answers, and when the Kafka certificates expire."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import KafkaError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client import REGISTRY

from mentornet_common.runtime import Runtime
from mentornet_common.settings import CommonSettings
from mentornet_common.worker import watch_broker
from mentornet_devkit.broker import Broker
from mentornet_devkit.pytest_plugin import isolated_settings
from mentornet_devkit.testing import eventually

from .conftest import create_all


def closed_port() -> str:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{closed.getsockname()[1]}"


def certificate(path: Path, not_after: datetime) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mentornet-test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def broker_up(service: str) -> float | None:
    return REGISTRY.get_sample_value("mentornet_broker_up", {"service": service})


async def test_a_broker_that_does_not_answer_is_0_and_one_that_does_is_1(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> None:
    service = f"probe-up-{topic_prefix.strip('.')}"
    settings = isolated_settings(
        CommonSettings, store_backend, service_name=service, kafka_bootstrap_servers=closed_port()
    )
    down = Runtime(settings, create_all, sweep=False)
    try:
        with pytest.raises((KafkaError, TimeoutError)):
            await down.check_broker(timeout_s=2)
        assert broker_up(service) == 0
    finally:
        await down.stop()
    up = Runtime(
        settings.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers}),
        create_all,
        sweep=False,
    )
    try:
        await up.check_broker()
        assert broker_up(service) == 1
    finally:
        await up.stop()


async def test_a_worker_watches_the_broker_by_itself(
    store_backend: dict[str, Any], topic_prefix: str
) -> None:
    service = f"probe-watch-{topic_prefix.strip('.')}"
    settings = isolated_settings(
        CommonSettings, store_backend, service_name=service, kafka_bootstrap_servers=closed_port()
    )
    runtime = Runtime(settings, create_all, sweep=False)
    stop = asyncio.Event()
    watching = asyncio.create_task(watch_broker(runtime, stop, interval_s=0.1))
    try:
        await eventually(lambda: _is(broker_up(service), 0), what="mentornet_broker_up at 0")
    finally:
        stop.set()
        await watching
        await runtime.stop()


async def _is(value: float | None, expected: float) -> bool:
    return value == expected


async def test_the_kafka_certificates_expiry_is_exported_even_while_the_broker_is_down(
    tmp_path: Path, store_backend: dict[str, Any]
) -> None:
    service = f"probe-certs-{tmp_path.name}"
    client_expires = datetime(2031, 5, 1, tzinfo=UTC)
    ca_expires = datetime(2036, 1, 1, tzinfo=UTC)
    bundle = certificate(tmp_path / "ca.crt", ca_expires).read_bytes()
    # a bundle: the earliest of its certificates counts
    earlier = certificate(tmp_path / "other.crt", ca_expires - timedelta(days=30)).read_bytes()
    (tmp_path / "bundle.crt").write_bytes(bundle + earlier)
    settings = isolated_settings(
        CommonSettings,
        store_backend,
        service_name=service,
        kafka_bootstrap_servers=closed_port(),
        kafka_ssl_certfile=certificate(tmp_path / "user.crt", client_expires),
        kafka_ssl_cafile=tmp_path / "bundle.crt",
    )
    runtime = Runtime(settings, create_all, sweep=False)
    try:
        with pytest.raises((KafkaError, TimeoutError)):
            await runtime.check_broker(timeout_s=2)
    finally:
        await runtime.stop()
    expiry = "mentornet_certificate_expiry_timestamp_seconds"
    assert REGISTRY.get_sample_value(expiry, {"service": service, "certificate": "kafka-client"}) == (
        client_expires.timestamp()
    )
    assert REGISTRY.get_sample_value(expiry, {"service": service, "certificate": "kafka-ca"}) == (
        (ca_expires - timedelta(days=30)).timestamp()
    )
