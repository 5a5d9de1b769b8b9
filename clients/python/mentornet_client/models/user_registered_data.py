from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_registered_data_roles_item import UserRegisteredDataRolesItem, check_user_registered_data_roles_item

T = TypeVar("T", bound="UserRegisteredData")


@_attrs_define
class UserRegisteredData:
    """The payload of `mentornet.user-registered.v1` as partners receive it.

    Attributes:
        user_id (str):
        org_id (str):
        roles (list[UserRegisteredDataRolesItem]):
        registered_at (datetime.datetime):
    """

    user_id: str
    org_id: str
    roles: list[UserRegisteredDataRolesItem]
    registered_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        org_id = self.org_id

        roles = []
        for roles_item_data in self.roles:
            roles_item: str = roles_item_data
            roles.append(roles_item)

        registered_at = self.registered_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "org_id": org_id,
                "roles": roles,
                "registered_at": registered_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        org_id = d.pop("org_id")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = check_user_registered_data_roles_item(roles_item_data)

            roles.append(roles_item)

        registered_at = datetime.datetime.fromisoformat(d.pop("registered_at"))

        user_registered_data = cls(
            user_id=user_id,
            org_id=org_id,
            roles=roles,
            registered_at=registered_at,
        )

        user_registered_data.additional_properties = d
        return user_registered_data

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
