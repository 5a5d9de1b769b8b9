from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UserDeactivatedData")


@_attrs_define
class UserDeactivatedData:
    """The payload of `mentornet.user-deactivated.v1` as partners receive it. An org deactivated one of its people (they
    left, or SCIM said ``active: false``): their tokens no longer work anywhere, and profiles withdraws what they shared
    (a mentor card is never proposed).

        Attributes:
            user_id (str):
            org_id (str):
            deactivated_at (datetime.datetime):
    """

    user_id: str
    org_id: str
    deactivated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        org_id = self.org_id

        deactivated_at = self.deactivated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "org_id": org_id,
                "deactivated_at": deactivated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        org_id = d.pop("org_id")

        deactivated_at = datetime.datetime.fromisoformat(d.pop("deactivated_at"))

        user_deactivated_data = cls(
            user_id=user_id,
            org_id=org_id,
            deactivated_at=deactivated_at,
        )

        user_deactivated_data.additional_properties = d
        return user_deactivated_data

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
