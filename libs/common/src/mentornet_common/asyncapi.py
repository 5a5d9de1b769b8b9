"""The AsyncAPI 3.0 document of mentornet's event streams, generated from the event contracts.

``python -m mentornet_common.asyncapi docs/asyncapi/asyncapi.json`` (part of ``make schemas``) writes it;
every service serves it at ``GET /asyncapi.json``. One channel per topic, one message per event type with
its payload schema, its CloudEvents headers (binary mode: ``ce_*`` Kafka headers) and its key, and one
``receive`` operation per channel: partners consume, mentornet's services publish.

``compatible(old, new)`` is the rule a ``v1`` payload lives by: a field may be added, never removed or
retyped. ``tests/contract`` holds every committed revision of every schema to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mentornet_common.contracts import REGISTRY, TOPICS, Event

VERSION = "1.0.0"
CE_HEADERS = {
    "ce_specversion": ("CloudEvents version.", {"const": "1.0"}),
    "ce_id": ("Unique per event; consumers de-duplicate on (ce_source, ce_id).", {}),
    "ce_source": ("The publishing service, e.g. /mentornet/matching.", {}),
    "ce_type": ("mentornet.<name>.v<version>.", {}),
    "ce_time": ("When it happened (RFC 3339).", {"format": "date-time"}),
    "ce_subject": ("The aggregate id; also the Kafka key.", {}),
    "ce_tenantid": ("The member org that owns the event.", {}),
    "content-type": ("Always application/json.", {"const": "application/json"}),
    "traceparent": ("W3C trace context of the request that caused it.", {}),
}


def _channel_id(topic: str) -> str:
    return topic.removeprefix("mentornet.")


def _message_id(ce_type: str) -> str:
    return ce_type.removeprefix("mentornet.")


def _hoist(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Move pydantic's ``$defs`` into components/schemas and point the references there."""
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, _rewrite(definition))
    rewritten: dict[str, Any] = _rewrite(schema)
    return rewritten


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace("#/$defs/", "#/components/schemas/") if key == "$ref" else _rewrite(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def _headers(cls: type[Event]) -> dict[str, Any]:
    properties = {}
    for name, (description, extra) in CE_HEADERS.items():
        properties[name] = {"type": "string", "description": description, **extra}
    properties["ce_type"]["const"] = cls.ce_type()
    properties["ce_source"]["const"] = cls.source
    return {
        "type": "object",
        "required": [name for name in CE_HEADERS if name != "traceparent"],
        "properties": properties,
    }


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in TOPICS:
        channel = _channel_id(topic)
        channels[channel] = {
            "address": topic,
            "title": topic,
            "description": f"Every mentornet event published on {topic}, keyed by its aggregate id.",
            "messages": {},
        }
    for ce_type, cls in sorted(REGISTRY.items()):
        message = _message_id(ce_type)
        payload_name = f"{cls.__name__}V{cls.version}"
        schemas[payload_name] = _hoist(cls.model_json_schema(mode="serialization"), schemas)
        messages[message] = {
            "name": ce_type,
            "title": cls.__name__,
            "summary": (cls.__doc__ or cls.name).strip().splitlines()[0],
            "contentType": "application/json",
            "headers": _headers(cls),
            "payload": {"$ref": f"#/components/schemas/{payload_name}"},
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": f"The aggregate id: the payload's {cls.subject_field}.",
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        channels[_channel_id(cls.topic)]["messages"][message] = {"$ref": f"#/components/messages/{message}"}
    for topic in TOPICS:
        channel = _channel_id(topic)
        operations[f"receive-{channel}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"Consume {topic}.",
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{name}"} for name in channels[channel]["messages"]
            ],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "mentornet event streams",
            "version": VERSION,
            "description": (
                "CloudEvents 1.0 in Kafka binary mode: attributes in ce_* headers, the JSON payload as the "
                "value, the aggregate id as the key. A v1 type only ever gains optional fields; a breaking "
                "change is a new v2 type published beside it. Consumers must ignore fields they do not know "
                "and de-duplicate on (ce_source, ce_id)."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "consortium": {
                "host": "mentornet-kafka-bootstrap:9093",
                "protocol": "kafka-secure",
                "description": "The consortium's Kafka (TLS, SCRAM-SHA-512 users: docs/streams.md).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


# compatibility ---------------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(root.get("$defs", {}).get(ref.split("/")[-1], {}))
    return schema


def _kind(schema: dict[str, Any]) -> Any:
    """A value's type, ignoring descriptions, titles, defaults, bounds and examples."""
    if "properties" in schema or schema.get("type") == "object":
        return "object"
    enum = tuple(schema.get("enum", ()))
    return (schema.get("type"), schema.get("format"), enum or schema.get("const"))


def _compare(old: dict[str, Any], old_root: dict[str, Any], new: dict[str, Any], new_root: dict[str, Any],
             where: str) -> list[str]:  # fmt: skip
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    if "anyOf" in old or "anyOf" in new:
        # every shape a value could have had must still be accepted, compatibly, by one of the new shapes
        candidates = new.get("anyOf", [new])
        for variant in old.get("anyOf", [old]):
            results = [_compare(variant, old_root, c, new_root, where) for c in candidates]
            if [] in results:
                continue
            kind = _kind(_resolve(variant, old_root))
            alike = [
                r for c, r in zip(candidates, results, strict=True) if _kind(_resolve(c, new_root)) == kind
            ]
            return alike[0] if alike else [f"{where}: type changed"]
        return []
    if _kind(old) != _kind(new):
        return [f"{where}: type changed"]
    if _kind(old) == "object":
        return _fields(old, old_root, new, new_root, f"{where}.")
    if old.get("type") == "array":
        return _compare(old.get("items", {}), old_root, new.get("items", {}), new_root, f"{where}[]")
    return []


def _fields(old: dict[str, Any], old_root: dict[str, Any], new: dict[str, Any], new_root: dict[str, Any],
            prefix: str) -> list[str]:  # fmt: skip
    found = []
    new_props = new.get("properties", {})
    for name, old_field in old.get("properties", {}).items():
        if name not in new_props:
            found.append(f"{prefix}{name}: removed")
        else:
            found += _compare(old_field, old_root, new_props[name], new_root, f"{prefix}{name}")
    for name in sorted(set(old.get("required", [])) - set(new.get("required", []))):
        if name in new_props:
            found.append(f"{prefix}{name}: no longer always present")
    return found


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why ``new`` breaks consumers of ``old``: a field removed, retyped or made optional, at any depth.
    Adding fields is fine; consumers ignore what they do not know."""
    return _fields(old, old, new, new, "")


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/asyncapi/asyncapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document(), indent=2, sort_keys=True) + "\n")
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
