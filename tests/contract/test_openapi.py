"""docs/openapi.json, the merged OpenAPI 3.1 document of the public API, is the one the code builds
(mentornet_devkit.openapi; `make schemas` writes it and identity's copy), valid against the OpenAPI 3.1
schema, and keeps the promises docs/api.md makes: every operation has a unique operationId and declares the
problem documents it can answer, every POST that keeps its answers declares Idempotency-Key, and the Problem
schema describes every problem document the API sends.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from identity.config import IdentitySettings
from identity.main import create_app as identity_app
from identity.tokens import invalid_client, invalid_grant
from mentornet_common import auth
from mentornet_common.contracts import REGISTRY
from mentornet_common.idempotency import NOT_IDEMPOTENT, UNLIMITED
from mentornet_common.problems import PROBLEM_JSON, Problem, install_problem_handlers
from mentornet_devkit.openapi import SERVICES, AmbiguousDocument, merge, render

ROOT = Path(__file__).resolve().parents[2]
COPIES = ("docs/openapi.json", "services/identity/src/identity/openapi.json")
METHODS = ("get", "put", "post", "delete", "patch")
# camelCase, a verb first, then what it acts on
OPERATION_ID = re.compile(
    r"^(get|list|create|register|replace|configure|save|delete|revoke|issue|start|finish|activate|deactivate"
    r"|erase|export|rotate|accept|decline|complete|cancel|reschedule|report|give|record|enable|redeliver"
    r"|deliver|replay|drop|suspend|resume|offboard|find|disable)([A-Z][a-z0-9]*)+$"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document as `make schemas` builds it: in a process of its own. The schema pydantic and FastAPI
    give a type can depend on what the same process generated before (another test's apps, in a pytest
    worker), so a document built here could differ from the committed one for that reason alone."""
    built = tmp_path_factory.mktemp("openapi") / "openapi.json"
    subprocess.run([sys.executable, "-m", "mentornet_devkit.openapi", str(built)], check=True, cwd=ROOT)
    loaded: dict[str, Any] = json.loads(built.read_text())
    return loaded


def operations(doc: dict[str, Any], section: str = "paths") -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (m.upper(), path, item[m])
        for path, item in doc.get(section, {}).items()
        for m in METHODS
        if m in item
    ]


def test_the_committed_document_is_the_one_the_code_builds(generated: dict[str, Any]) -> None:
    text = render(generated)
    for committed in COPIES:
        assert (ROOT / committed).read_text() == text, (
            f"{committed} differs from the code: run `make schemas`"
        )


def test_it_is_a_valid_openapi_3_1_document(generated: dict[str, Any]) -> None:
    assert generated["openapi"] == "3.1.0"
    validate(generated)  # openapi-spec-validator, against the OpenAPI 3.1 schema
    assert {s["url"] for s in generated["servers"]} >= {"/"}
    assert generated["components"]["securitySchemes"]["bearerAuth"]["bearerFormat"] == "JWT"
    flows = generated["components"]["securitySchemes"]["oauth2"]["flows"]
    assert {flow["tokenUrl"] for flow in flows.values()} == {"/v1/token"}


def test_the_validator_refuses_a_broken_document(generated: dict[str, Any]) -> None:
    broken = copy.deepcopy(generated)
    broken["paths"]["/v1/asks"]["post"]["responses"]["201"] = {
        "content": {}
    }  # a response needs a description
    with pytest.raises(Exception, match="description"):
        validate(broken)


def test_every_operation_has_a_unique_camel_case_verb_noun_operation_id(generated: dict[str, Any]) -> None:
    found = operations(generated) + operations(generated, "webhooks")
    ids = [op.get("operationId", "") for _, _, op in found]
    assert all(OPERATION_ID.match(i) for i in ids), [i for i in ids if not OPERATION_ID.match(i)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {
        "createAsk",
        "listAsks",
        "getAsk",
        "registerWebhook",
        "redeliverWebhookDelivery",
        "issueToken",
    } <= set(ids)


def test_every_operation_declares_the_problems_it_can_answer(generated: dict[str, Any]) -> None:
    responses = generated["components"]["responses"]
    for name, response in responses.items():
        assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
            name
        )
    for method, path, op in operations(generated):
        where = f"{method} {path}"
        problems = {int(code): answer for code, answer in op["responses"].items() if int(code) >= 400}
        for code, answer in problems.items():
            name = answer.get("$ref", "").removeprefix("#/components/responses/")
            assert name in responses, f"{where} {code} is not a problem document"
        assert 500 in problems, where
        assert (429 in problems) == (path not in UNLIMITED), where
        if op.get("security"):
            assert {401, 403} & set(problems) >= {401}, where
        params = [p for p in op.get("parameters", []) if "$ref" not in p]
        if any(p["in"] == "path" for p in params):
            assert 404 in problems, where
        if params or "requestBody" in op:
            assert 422 in problems, where
        if "requestBody" in op:
            assert 413 in problems, where
    for status, name in ((429, "TooManyRequests"), (503, "ServiceUnavailable")):
        assert responses[name]["headers"]["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}, (
            status
        )
    text = render(generated)
    assert "HTTPValidationError" not in text and '"ValidationError"' not in text


def test_every_post_that_keeps_its_answers_declares_idempotency_key(generated: dict[str, Any]) -> None:
    key = {"$ref": "#/components/parameters/Idempotency-Key"}
    for method, path, op in operations(generated):
        declared = key in op.get("parameters", [])
        keeps = method == "POST" and bool(op.get("security")) and path not in NOT_IDEMPOTENT
        assert declared == keeps, f"{method} {path}"
        if declared:
            assert {400, 409, 422} <= {int(c) for c in op["responses"]}, f"{method} {path}"
    assert "secret shown once" in generated["components"]["parameters"]["Idempotency-Key"]["description"]


def test_the_main_request_bodies_carry_examples(generated: dict[str, Any]) -> None:
    schemas = generated["components"]["schemas"]
    for model in ("AskIn", "FeedbackIn", "WebhookIn"):
        assert schemas[model]["examples"], model
    form = generated["paths"]["/v1/token"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]
    assert set(form["examples"]) == {
        "password",
        "client_credentials",
        "refresh_token",
        "authorization_code",
        "token_exchange",
    }


def test_partners_payloads_are_typed_and_every_webhook_is_described(generated: dict[str, Any]) -> None:
    items = generated["components"]["schemas"]["EventPage"]["properties"]["items"]["items"]
    assert set(items["discriminator"]["mapping"]) == set(REGISTRY)
    assert set(generated["webhooks"]) == set(REGISTRY)


def problem_schema(generated: dict[str, Any]) -> dict[str, Any]:
    """The Problem schema, self-contained for jsonschema."""
    schemas = generated["components"]["schemas"]
    schema = copy.deepcopy(schemas["Problem"])
    schema["$defs"] = {"FieldError": schemas["FieldError"]}
    found: dict[str, Any] = json.loads(render(schema).replace("#/components/schemas/", "#/$defs/"))
    return found


class Strict(BaseModel):
    name: str = Field(min_length=3)


def answers_sent_by_the_api() -> list[dict[str, Any]]:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/strict")
    async def strict(body: Strict) -> None: ...

    with TestClient(app) as http:
        invalid = http.post("/strict?x=1", json={"name": "x", "extra": 1}).json()
    withheld = Problem(409, "Conflict", "this request already succeeded", location=None)
    return [
        invalid,
        auth._unauthorized("a bearer token is required").body("/v1/asks"),
        auth._forbidden("this needs the scope asks:write", missing_scopes=["asks:write"]).body("/v1/asks"),
        invalid_grant("the refresh token is unknown, expired or revoked").body("/v1/token"),
        invalid_client().body("/v1/token"),
        Problem(
            413, "Content Too Large", "body: too large", errors=[{"field": "body", "message": "m"}]
        ).body(),
        Problem(429, "Too Many Requests", "too many requests; retry in 3 s").body("/v1/asks"),
        withheld.body(),
    ]


def test_the_problem_schema_describes_every_problem_document_the_api_sends(generated: dict[str, Any]) -> None:
    schema = problem_schema(generated)
    for body in answers_sent_by_the_api():
        jsonschema.validate(body, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "no type, no status"}, schema)


def test_identity_serves_the_merged_document_for_the_gateway() -> None:
    http = TestClient(identity_app(IdentitySettings()))  # no lifespan: the document is the package's copy
    served = http.get("/v1/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert served.text == (ROOT / COPIES[0]).read_text()


def test_merging_refuses_what_would_make_the_document_ambiguous() -> None:
    def service(**parts: Any) -> dict[str, Any]:
        return {"paths": {}, "components": {}, **parts}

    op = {"get": {"operationId": "getThing", "responses": {}}}
    with pytest.raises(AmbiguousDocument, match=r"components\.schemas\.Thing"):
        merge(
            {
                "a": service(components={"schemas": {"Thing": {"type": "string"}}}),
                "b": service(components={"schemas": {"Thing": {"type": "integer"}}}),
            }
        )
    with pytest.raises(AmbiguousDocument, match="operationId getThing"):
        merge({"a": service(paths={"/a": op}), "b": service(paths={"/b": op})})
    with pytest.raises(AmbiguousDocument, match="/a"):
        merge({"a": service(paths={"/a": op}), "b": service(paths={"/a": {"get": {"operationId": "x"}}})})
    same = merge({"a": service(paths={"/a": op}), "b": service(paths={"/a": op})})  # /asyncapi.json: once
    assert list(same["paths"]) == ["/a"] and len(SERVICES) == 6
