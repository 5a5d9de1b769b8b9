from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MentorWithdrawnData")


@_attrs_define
class MentorWithdrawnData:
    """The payload of `mentornet.mentor-withdrawn.v1` as partners receive it. Withheld from partners: reason.

    Attributes:
        mentor_id (str):
        org_id (str):
        withdrawn_at (datetime.datetime):
    """

    mentor_id: str
    org_id: str
    withdrawn_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mentor_id = self.mentor_id

        org_id = self.org_id

        withdrawn_at = self.withdrawn_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mentor_id": mentor_id,
                "org_id": org_id,
                "withdrawn_at": withdrawn_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mentor_id = d.pop("mentor_id")

        org_id = d.pop("org_id")

        withdrawn_at = datetime.datetime.fromisoformat(d.pop("withdrawn_at"))

        mentor_withdrawn_data = cls(
            mentor_id=mentor_id,
            org_id=org_id,
            withdrawn_at=withdrawn_at,
        )

        mentor_withdrawn_data.additional_properties = d
        return mentor_withdrawn_data

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
