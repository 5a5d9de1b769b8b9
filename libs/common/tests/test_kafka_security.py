"""Kafka clients reach the brokers the way settings say: plain in development, mutual TLS in production."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mentornet_common.kafka import connection
from mentornet_common.settings import CommonSettings


def test_development_connects_in_plaintext() -> None:
    assert connection(CommonSettings(kafka_bootstrap_servers="k:9092")) == {"bootstrap_servers": "k:9092"}


def self_signed(key_file: Path, cert_file: Path, common_name: str) -> None:
    """A key and a self-signed certificate for it, valid for a day, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_production_presents_the_services_own_certificate(tmp_path: Path) -> None:
    key, cert = tmp_path / "user.key", tmp_path / "user.crt"
    self_signed(key, cert, "mentornet-matching")
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
