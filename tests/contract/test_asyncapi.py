"""The AsyncAPI 3 document: valid against the official schema, complete, committed, served — and every
published v1 payload stays backward compatible with every revision of its schema ever committed."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI

from mentornet_common.asyncapi import document, incompatibilities
from mentornet_common.contracts import REGISTRY, TOPICS, json_schemas
from mentornet_common.http import service_app
from mentornet_common.settings import CommonSettings
from mentornet_devkit.pytest_plugin import require_tool

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / ".venv" / "asyncapi-specs" / "package" / "schemas" / "3.0.0-without-$id.json"
SCHEMAS = ROOT / "docs" / "asyncapi" / "schemas"


def official_schema() -> dict[str, Any]:
    require_tool("the official AsyncAPI JSON Schemas", find=lambda: SPEC if SPEC.exists() else None)
    return dict(json.loads(SPEC.read_text()))


def test_the_document_is_valid_asyncapi_3() -> None:
    validator = jsonschema.Draft7Validator(official_schema())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document())]
    assert errors == []


def test_the_official_schema_would_catch_a_broken_document() -> None:
    broken = copy.deepcopy(document())
    broken["channels"]["asks"]["address"] = 42
    del broken["info"]["title"]
    assert len(list(jsonschema.Draft7Validator(official_schema()).iter_errors(broken))) == 2


def test_every_topic_type_payload_and_header_is_documented() -> None:
    doc = document()
    assert {c["address"] for c in doc["channels"].values()} == set(TOPICS)
    messages = {m["name"]: m for m in doc["components"]["messages"].values()}
    assert set(messages) == set(REGISTRY)
    for ce_type, cls in REGISTRY.items():
        message = messages[ce_type]
        assert message["headers"]["properties"]["ce_type"]["const"] == ce_type
        assert {"ce_id", "ce_source", "ce_time", "ce_subject", "ce_tenantid"} <= set(
            message["headers"]["required"]
        )
        payload = doc["components"]["schemas"][message["payload"]["$ref"].split("/")[-1]]
        assert set(payload["properties"]) == set(cls.model_fields)
        channel = next(c for c in doc["channels"].values() if c["address"] == cls.topic)
        assert any(
            ref["$ref"].endswith(ce_type.removeprefix("mentornet.")) for ref in channel["messages"].values()
        )
    assert "$defs" not in json.dumps(doc)  # every reference points into components/schemas


def test_the_committed_document_is_the_generated_one() -> None:
    committed = json.loads((ROOT / "docs" / "asyncapi" / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(document())), "run `make schemas` and commit the result"


async def test_every_service_serves_the_document() -> None:
    app: FastAPI = service_app(CommonSettings(), title="any", description="", lifespan=None, routers=[])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as http:
        response = await http.get("/asyncapi.json")
    assert response.status_code == 200 and response.json()["asyncapi"] == "3.0.0"


# backward compatibility of v1 payloads --------------------------------------------------------------------


def committed_revisions(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every version of a schema file ever committed (the repository's history is the contract's)."""
    relative = path.relative_to(ROOT).as_posix()
    log = subprocess.run(
        ["git", "log", "--format=%H", "--", relative], cwd=ROOT, capture_output=True, text=True, check=True
    )
    revisions = []
    for commit in log.stdout.split():
        shown = subprocess.run(
            ["git", "show", f"{commit}:{relative}"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if shown.returncode == 0:
            revisions.append((commit[:10], json.loads(shown.stdout)))
    return revisions


@pytest.mark.integration  # runs git, to read every committed revision
@pytest.mark.parametrize("ce_type", sorted(REGISTRY))
def test_no_committed_v1_schema_lost_or_retyped_a_field(ce_type: str) -> None:
    current = json_schemas()[ce_type]
    path = SCHEMAS / f"{ce_type}.json"
    for commit, old in committed_revisions(path):
        assert incompatibilities(old, current) == [], f"{ce_type} breaks what commit {commit} published"


def test_the_compatibility_rule_allows_additions_and_refuses_removals_and_retyping() -> None:
    old = json_schemas()["mentornet.match-proposed.v1"]
    added = copy.deepcopy(old)
    added["properties"]["new_optional"] = {"type": "string", "default": ""}
    assert incompatibilities(old, added) == []
    removed = copy.deepcopy(old)
    del removed["properties"]["score"]
    assert incompatibilities(old, removed) == ["score: removed"]
    retyped = copy.deepcopy(old)
    retyped["properties"]["score"] = {"type": "string"}
    assert incompatibilities(old, retyped) == ["score: type changed"]
    nested = copy.deepcopy(old)
    nested["$defs"]["PersonCard"]["properties"]["display_name"] = {"type": "integer"}
    assert incompatibilities(old, nested) == ["mentee_card.display_name: type changed"]
    grown = copy.deepcopy(old)
    grown["$defs"]["PersonCard"]["properties"]["pronouns"] = {"type": "string", "default": ""}
    assert incompatibilities(old, grown) == []
    optional = copy.deepcopy(old)
    optional["required"].remove("question")
    assert incompatibilities(old, optional) == ["question: no longer always present"]
