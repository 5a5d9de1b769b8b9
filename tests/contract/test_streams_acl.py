"""The Strimzi KafkaUsers grant each service exactly what its code publishes and consumes, and the
production overlay gives each service's pods its own certificate to connect with."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mentornet_common.contracts import REGISTRY, TOPICS
from mentornet_devkit.pytest_plugin import require_tool

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")


def users() -> dict[str, dict[str, Any]]:
    found = {}
    for path in ("overlays/prod/kafka-users.yaml", "examples/kafka-users.yaml"):
        for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / path).read_text()):
            if d and d["kind"] == "KafkaUser":
                found[d["metadata"]["name"]] = d
    return found


def grants(user: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (acl["resource"]["type"], acl["resource"]["name"], operation)
        for acl in user["spec"]["authorization"]["acls"]
        for operation in acl["operations"]
    }


def needs(service: str) -> set[tuple[str, str, str]]:
    written = {c.topic for c in REGISTRY.values() if c.source == f"/mentornet/{service}"}
    try:
        handlers = importlib.import_module(f"{service}.handlers").HANDLERS
    except ModuleNotFoundError:  # a service that consumes nothing (identity) has no handlers module
        handlers = {}
    read = {cls.topic for cls in handlers}
    needed = {("topic", t, op) for t in written for op in ("Write", "Describe")}
    needed |= {("topic", t, op) for t in read for op in ("Read", "Describe")}
    needed |= {("topic", f"{t}.dlq", op) for t in read for op in ("Write", "Describe")}
    if read:
        needed.add(("group", service, "Read"))
    return needed


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_may_do_exactly_what_its_code_does(service: str) -> None:
    user = users()[f"mentornet-{service}"]
    assert user["spec"]["authentication"]["type"] == "tls"
    assert grants(user) == needs(service)


def test_a_trusted_consortium_system_reads_every_topic_and_writes_nothing() -> None:
    user = users()["consortium-warehouse"]
    assert {(t, n) for t, n, op in grants(user) if op == "Read" and t == "topic"} == {
        ("topic", t) for t in TOPICS
    }
    assert not any(op in ("Write", "Create", "Delete", "Alter") for _, _, op in grants(user))


@pytest.mark.integration  # runs kubectl
def test_in_production_each_service_connects_with_its_own_certificate() -> None:
    rendered = subprocess.run(
        [str(require_tool("kubectl")), "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / "prod")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    objects = [d for d in yaml.safe_load_all(rendered) if d]
    config = next(
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("mentornet-config")
    )
    assert config["data"]["MENTORNET_KAFKA_SECURITY_PROTOCOL"] == "SSL"
    assert config["data"]["MENTORNET_KAFKA_BOOTSTRAP_SERVERS"].endswith(":9093")
    # every service's API and worker (not the Redis the APIs count rate limits in: it never reaches Kafka)
    deployments = [
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/name"] in SERVICES
    ]
    assert len(deployments) == 2 * len(SERVICES)
    for deployment in deployments:
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert volumes["kafka-user"]["secret"]["secretName"] == f"mentornet-{service}"
        mounts = {
            m["mountPath"] for m in deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        }
        assert {"/etc/kafka/user", "/etc/kafka/cluster-ca"} <= mounts
    listeners = next(o for o in objects if o["kind"] == "Kafka")["spec"]["kafka"]["listeners"]
    assert any(li["port"] == 9093 and li["authentication"]["type"] == "tls" for li in listeners)
