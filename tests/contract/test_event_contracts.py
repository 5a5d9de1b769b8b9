"""The event contracts partners read cannot drift from what services send."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mentornet_common.consumer import ORG_FIELDS
from mentornet_common.contracts import REGISTRY, TOPICS, json_schemas
from mentornet_common.erasure import PERSON_FIELDS

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi" / "schemas"
PROMISED = {
    # promised to partners (docs/streams.md; each key in docs/asyncapi/asyncapi.json): type -> (topic, key)
    "mentornet.ask-created.v1": ("mentornet.asks", "ask_id"),
    "mentornet.match-proposed.v1": ("mentornet.matches", "ask_id"),
    "mentornet.session-completed.v1": ("mentornet.sessions", "session_id"),
    "mentornet.feedback-submitted.v1": ("mentornet.feedback", "session_id"),
}
ARCHITECTURE_EVENTS = {
    "identity": {"org-registered", "user-registered", "user-erased"},
    "profiles": {"mentor-published", "mentor-withdrawn"},
    "matching": {"ask-created", "match-proposed", "ask-closed"},
    "sessions": {"session-scheduled", "session-completed", "session-cancelled", "match-declined"},
    "feedback": {"feedback-submitted", "follow-up-recorded"},
}


def test_every_event_of_the_architecture_has_a_contract() -> None:
    for service, names in ARCHITECTURE_EVENTS.items():
        for name in names:
            cls = REGISTRY[f"mentornet.{name}.v1"]
            assert cls.source == f"/mentornet/{service}"
    assert {cls.topic for cls in REGISTRY.values()} == set(TOPICS)


@pytest.mark.parametrize("ce_type", sorted(PROMISED))
def test_the_promised_events_travel_where_the_docs_say(ce_type: str) -> None:
    topic, key = PROMISED[ce_type]
    assert (REGISTRY[ce_type].topic, REGISTRY[ce_type].subject_field) == (topic, key)


# Fields of an event that hold an id of something other than a person.
NOT_A_PERSON = {
    "ask_id", "session_id", "proposal_id", "feedback_id", "follow_up_id", "client_id",
    *ORG_FIELDS,
}  # fmt: skip


def test_every_field_that_names_a_person_is_one_erasure_looks_at() -> None:
    """A late event naming someone erased is erased again on arrival, found through PERSON_FIELDS: an
    event field holding a person's id and missing there would let that event's words stay."""
    for cls in REGISTRY.values():
        for field in cls.model_fields:
            if field.endswith("_id"):
                assert field in PERSON_FIELDS or field in NOT_A_PERSON, f"{cls.ce_type()}.{field}"


def test_types_are_named_mentornet_name_version() -> None:
    for ce_type in REGISTRY:
        assert re.fullmatch(r"mentornet\.[a-z]+(-[a-z]+)*\.v[1-9][0-9]*", ce_type)


def test_session_level_events_carry_the_ids_that_join_them() -> None:
    ids = {"ask_id", "session_id", "mentor_id", "mentee_id", "mentor_org_id", "mentee_org_id"}
    for ce_type in ("mentornet.session-completed.v1", "mentornet.feedback-submitted.v1"):
        assert ids <= set(REGISTRY[ce_type].model_fields)
    assert ids - {"session_id"} <= set(REGISTRY["mentornet.match-proposed.v1"].model_fields)


def test_the_committed_schemas_are_the_generated_ones() -> None:
    generated = json_schemas()
    committed = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    assert sorted(committed) == sorted(generated), "run `make schemas` and commit docs/asyncapi/schemas"
    for ce_type, schema in generated.items():
        assert committed[ce_type] == json.loads(json.dumps(schema)), f"{ce_type} drifted: run `make schemas`"
