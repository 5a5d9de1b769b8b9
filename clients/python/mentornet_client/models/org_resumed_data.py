from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrgResumedData")


@_attrs_define
class OrgResumedData:
    """The payload of `mentornet.org-resumed.v1` as partners receive it. The operator lifted an org's suspension: its
    people and clients may sign in again, its webhooks that the suspension paused resume.

        Attributes:
            org_id (str):
            resumed_at (datetime.datetime):
    """

    org_id: str
    resumed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        resumed_at = self.resumed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "resumed_at": resumed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        resumed_at = datetime.datetime.fromisoformat(d.pop("resumed_at"))

        org_resumed_data = cls(
            org_id=org_id,
            resumed_at=resumed_at,
        )

        org_resumed_data.additional_properties = d
        return org_resumed_data

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
