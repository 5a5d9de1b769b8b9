from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ask_created_data_duration_minutes import (
    AskCreatedDataDurationMinutes,
    check_ask_created_data_duration_minutes,
)
from ..models.ask_created_data_scope import AskCreatedDataScope, check_ask_created_data_scope

T = TypeVar("T", bound="AskCreatedData")


@_attrs_define
class AskCreatedData:
    """The payload of `mentornet.ask-created.v1` as partners receive it.

    Attributes:
        ask_id (str):
        mentee_id (str):
        mentee_org_id (str):
        skills (list[str]):
        duration_minutes (AskCreatedDataDurationMinutes):
        scope (AskCreatedDataScope):
        created_at (datetime.datetime):
    """

    ask_id: str
    mentee_id: str
    mentee_org_id: str
    skills: list[str]
    duration_minutes: AskCreatedDataDurationMinutes
    scope: AskCreatedDataScope
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ask_id = self.ask_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        skills = self.skills

        duration_minutes: int = self.duration_minutes

        scope: str = self.scope

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ask_id": ask_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "skills": skills,
                "duration_minutes": duration_minutes,
                "scope": scope,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ask_id = d.pop("ask_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        skills = cast(list[str], d.pop("skills"))

        duration_minutes = check_ask_created_data_duration_minutes(d.pop("duration_minutes"))

        scope = check_ask_created_data_scope(d.pop("scope"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        ask_created_data = cls(
            ask_id=ask_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            skills=skills,
            duration_minutes=duration_minutes,
            scope=scope,
            created_at=created_at,
        )

        ask_created_data.additional_properties = d
        return ask_created_data

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
