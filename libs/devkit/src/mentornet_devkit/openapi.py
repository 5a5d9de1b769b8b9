"""The one OpenAPI 3.1 document of mentornet's public API, merged from the six services' own:
``python -m mentornet_devkit.openapi docs/openapi.json services/identity/src/identity/openapi.json`` (part of
``make schemas``; tests/contract/test_openapi.py fails when a committed copy differs from what this builds).

Each service's document already declares its operations' problem answers, the ``Idempotency-Key`` header and
the security schemes (``mentornet_common.openapi``). Merging adds what only the whole API has — the servers,
the info, the tags — and refuses what would make the whole ambiguous: a component name two services define
differently, a path two services serve differently, an ``operationId`` used twice. identity serves the
merged document at ``/v1/openapi.json`` (its package's copy), which the gateway and the Ingress publish as
``/openapi.json``.

Left out: the operations endpoints (``/healthz``, ``/readyz``, ``/metrics``: not routed by the gateway, and
outside every service's document) and SCIM 2.0 (``/scim/v2``), a standard protocol with its own discovery
(``ServiceProviderConfig``, ``Schemas``, ``ResourceTypes``) and its own error documents, for identity
providers rather than portals.

It imports every service, so it runs where all of them are installed (``make install``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mentornet_common.openapi import add_components
from mentornet_devkit.apps import build_app

SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

INFO: dict[str, Any] = {
    "title": "mentornet API",
    "version": "1.0.0",
    "summary": "Mentoring across member orgs: asks, matches, sessions, feedback and partner events.",
    "description": (
        "The public HTTP API of every mentornet service, behind one gateway. docs/api.md says what a "
        "client can rely on: authentication, who may call what (docs/scopes.md), errors as RFC 9457 problem "
        "documents, safe retries with `Idempotency-Key`, lists, limits and compatibility (within `/v1`, "
        "endpoints and fields are added, never renamed or removed: ignore fields you do not know).\n\n"
        "Not described here: SCIM 2.0 provisioning at `/scim/v2` (RFC 7643/7644; its own discovery at "
        "`/scim/v2/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes`), and the events on Kafka, "
        "described by the AsyncAPI document at `/asyncapi.json`. The `webhooks` below are what an org's "
        "registered endpoints receive."
    ),
    "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
}
SERVERS = [
    {"url": "/", "description": "The gateway that served this document as /openapi.json"},
    {"url": "http://localhost:8080", "description": "docker-compose's gateway"},
]


class AmbiguousDocument(ValueError):
    """The services' documents cannot be merged into one that means one thing."""


def service_document(service: str) -> dict[str, Any]:
    """A service's own OpenAPI document, from its app built with its default settings (nothing is started)."""
    document: dict[str, Any] = build_app(service).openapi()
    return document


def _operations(section: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, item[m]) for path, item in section.items() for m in METHODS if m in item]


def merge(documents: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """One document from each service's (in the order given)."""
    merged: dict[str, Any] = {"openapi": "3.1.0", "info": INFO, "servers": SERVERS}
    paths: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    tags: dict[str, list[str]] = {}
    for service, document in documents.items():
        for section, into in (("paths", paths), ("webhooks", webhooks)):
            for key, item in document.get(section, {}).items():
                if key in into and into[key] != item:
                    raise AmbiguousDocument(
                        f"{section} {key!r} is served differently by {service} and another"
                    )
                into.setdefault(key, item)  # the same in every service (/asyncapi.json): once
        for _, _, operation in _operations(document.get("paths", {})):
            for tag in operation.get("tags", []):
                serving = tags.setdefault(tag, [])
                if service not in serving:
                    serving.append(service)
        try:
            add_components(merged, document.get("components", {}))
        except ValueError as exc:
            raise AmbiguousDocument(f"{service}: {exc}") from exc
    seen: dict[str, str] = {}
    for path, method, operation in _operations(paths) + _operations(webhooks):
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            raise AmbiguousDocument(f"{where} has no operationId")
        if operation_id in seen:
            raise AmbiguousDocument(f"operationId {operation_id} names both {seen[operation_id]} and {where}")
        seen[operation_id] = where
    every = len(documents)
    merged["tags"] = [
        {
            "name": tag,
            "description": f"Served by {'every service' if len(by) == every else ' and '.join(by)}.",
        }
        for tag, by in tags.items()
    ]
    merged["paths"] = paths
    merged["webhooks"] = webhooks
    merged["components"] = merged.pop("components")
    return merged


def document() -> dict[str, Any]:
    """The merged document of every service's public API."""
    return merge({service: service_document(service) for service in SERVICES})


def render(merged: dict[str, Any]) -> str:
    return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"


def main(targets: list[str]) -> None:
    text = render(document())
    for target in targets or ["docs/openapi.json"]:
        Path(target).write_text(text)
        print(target)


if __name__ == "__main__":
    main(sys.argv[1:])
