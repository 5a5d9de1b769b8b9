"""The Strimzi KafkaUser examples grant each service exactly what its code publishes and consumes."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mentornet_common.contracts import REGISTRY, TOPICS

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "profiles", "matching", "sessions", "feedback")


def users() -> dict[str, dict[str, Any]]:
    documents = yaml.safe_load_all((ROOT / "deploy" / "k8s" / "examples" / "kafka-users.yaml").read_text())
    return {d["metadata"]["name"]: d for d in documents if d and d["kind"] == "KafkaUser"}


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
