from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.profile_shared_data_scope import ProfileSharedDataScope, check_profile_shared_data_scope

T = TypeVar("T", bound="ProfileSharedData")


@_attrs_define
class ProfileSharedData:
    """The payload of `mentornet.profile-shared.v1` as partners receive it. Withheld from partners: card. A person's card
    is visible to their org (``scope: org``) or to the whole consortium.

        Attributes:
            user_id (str):
            org_id (str):
            scope (ProfileSharedDataScope):
            shared_at (datetime.datetime):
    """

    user_id: str
    org_id: str
    scope: ProfileSharedDataScope
    shared_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        org_id = self.org_id

        scope: str = self.scope

        shared_at = self.shared_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "org_id": org_id,
                "scope": scope,
                "shared_at": shared_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        org_id = d.pop("org_id")

        scope = check_profile_shared_data_scope(d.pop("scope"))

        shared_at = datetime.datetime.fromisoformat(d.pop("shared_at"))

        profile_shared_data = cls(
            user_id=user_id,
            org_id=org_id,
            scope=scope,
            shared_at=shared_at,
        )

        profile_shared_data.additional_properties = d
        return profile_shared_data

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
