"""The Strimzi KafkaUsers grant each service exactly what its code publishes and consumes, no principal
may write another consumer group's dead-letter or redrive topic (ADR 0015), and the production overlay
gives each service's pods its own certificate to connect with."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mentornet_common.contracts import CONSUMER_GROUPS, REGISTRY, TOPICS
from mentornet_common.kafka import (
    dlq_topic,
    group_topics,
    is_dead_letter_topic,
    legacy_dlq_topic,
    redrive_topic,
)
from mentornet_common.redrive import redrive_group
from mentornet_common.settings import CommonSettings
from mentornet_devkit.pytest_plugin import require_tool

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
# Topic names as production spells them (no prefix), from the functions the consumer uses.
NAMES = CommonSettings(topic_prefix="")
OPERATOR = "mentornet-operator"


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
    if read:  # its consumer group, named as the service (the worker's Consumer), and its redrive policy
        own = group_topics(NAMES, [service])
        needed |= {("topic", t, op) for t in own for op in ("Read", "Write", "Describe")}
        needed |= {("group", service, "Read"), ("group", redrive_group(service), "Read")}
    return needed


def writers(topic: str) -> set[str]:
    return {name for name, user in users().items() if ("topic", topic, "Write") in grants(user)}


def test_every_consumer_group_of_the_code_is_declared() -> None:
    groups = {
        s for s in SERVICES if any(t == "group" and n == s for t, n, _ in grants(users()[f"mentornet-{s}"]))
    }
    assert groups == set(CONSUMER_GROUPS)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_may_do_exactly_what_its_code_does(service: str) -> None:
    user = users()[f"mentornet-{service}"]
    assert user["spec"]["authentication"]["type"] == "tls"
    assert grants(user) == needs(service)


def test_no_principal_may_write_another_groups_dead_letter_or_redrive_topic() -> None:
    """The forging attack: were a dead-letter topic shared by every group consuming a topic (``<topic>.dlq``),
    service A could park a letter there naming group B, and B's redrive would replay it into B's handlers.
    Each dead-letter or redrive topic any service may write is its own group's, and none is written by two
    services; only the consortium operator's user writes every group's."""
    for name, user in users().items():
        if name == OPERATOR:
            continue
        service = name.removeprefix("mentornet-")
        own = set(group_topics(NAMES, [service])) if service in CONSUMER_GROUPS else set()
        for kind, topic, operation in grants(user):
            if kind == "topic" and operation in ("Write", "Read") and topic not in TOPICS:
                assert topic in own, f"{name} may {operation} {topic}, which is not its own group's"
    for topic in {t for user in users().values() for kind, t, op in grants(user) if op == "Write"}:
        services = writers(topic) - {OPERATOR}
        assert len(services) <= 1, f"{topic} is written by {sorted(services)}"
    for group in CONSUMER_GROUPS:
        for topic in (dlq_topic(NAMES, group), redrive_topic(NAMES, group)):
            assert writers(topic) - {OPERATOR} == {f"mentornet-{group}"}, topic


def test_the_operator_settles_and_replays_dead_letters_and_writes_no_event_topic() -> None:
    granted = grants(users()[OPERATOR])
    legacy = {legacy_dlq_topic(t) for t in TOPICS}
    letters = {dlq_topic(NAMES, g) for g in CONSUMER_GROUPS} | legacy
    redrives = {redrive_topic(NAMES, g) for g in CONSUMER_GROUPS}
    assert {n for t, n, op in granted if t == "topic" and op == "Read"} == letters
    assert {n for t, n, op in granted if t == "topic" and op == "Write"} == letters | redrives
    assert all(is_dead_letter_topic(n) or n in redrives for _, n, _ in granted)
    assert not any(t == "group" for t, _, _ in granted)


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
