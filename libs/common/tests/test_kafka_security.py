"""Kafka clients reach the brokers the way settings say: plain in development, mutual TLS in production."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest

from mentornet_common.kafka import connection
from mentornet_common.settings import CommonSettings


def test_development_connects_in_plaintext() -> None:
    assert connection(CommonSettings(kafka_bootstrap_servers="k:9092")) == {"bootstrap_servers": "k:9092"}


def test_production_presents_the_services_own_certificate(tmp_path: Path) -> None:
    key, cert = tmp_path / "user.key", tmp_path / "user.crt"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=mentornet-matching"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    settings = CommonSettings(
        kafka_bootstrap_servers="mentornet-kafka-bootstrap:9093", kafka_security_protocol="SSL",
        kafka_ssl_cafile=cert, kafka_ssl_certfile=cert, kafka_ssl_keyfile=key,
    )  # fmt: skip
    found = connection(settings)
    assert found["security_protocol"] == "SSL"
    context = found["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert context.cert_store_stats()["x509"] == 1  # the cluster CA is trusted, and nothing else


def test_a_wrong_protocol_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="kafka_security_protocol"):
        CommonSettings(kafka_security_protocol="SASL_SSL")  # type: ignore[arg-type]
