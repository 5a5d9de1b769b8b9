from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrgSuspendedData")


@_attrs_define
class OrgSuspendedData:
    """The payload of `mentornet.org-suspended.v1` as partners receive it. A consortium operator suspended a member org:
    its people and API clients get no tokens and theirs are refused everywhere, and its webhooks pause (streams).
    Nothing is deleted; ``org-resumed`` undoes it.

        Attributes:
            org_id (str):
            suspended_at (datetime.datetime):
    """

    org_id: str
    suspended_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        suspended_at = self.suspended_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "suspended_at": suspended_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        suspended_at = datetime.datetime.fromisoformat(d.pop("suspended_at"))

        org_suspended_data = cls(
            org_id=org_id,
            suspended_at=suspended_at,
        )

        org_suspended_data.additional_properties = d
        return org_suspended_data

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
