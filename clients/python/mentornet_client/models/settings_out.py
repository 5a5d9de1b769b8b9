from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.settings_out_group_roles import SettingsOutGroupRoles


T = TypeVar("T", bound="SettingsOut")


@_attrs_define
class SettingsOut:
    """
    Attributes:
        org_id (str):
        email_domains (list[str]):
        group_roles (SettingsOutGroupRoles):
    """

    org_id: str
    email_domains: list[str]
    group_roles: SettingsOutGroupRoles
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        email_domains = self.email_domains

        group_roles = self.group_roles.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "email_domains": email_domains,
                "group_roles": group_roles,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_out_group_roles import SettingsOutGroupRoles  # noqa: PLC0415

        d = dict(src_dict)
        org_id = d.pop("org_id")

        email_domains = cast(list[str], d.pop("email_domains"))

        group_roles = SettingsOutGroupRoles.from_dict(d.pop("group_roles"))

        settings_out = cls(
            org_id=org_id,
            email_domains=email_domains,
            group_roles=group_roles,
        )

        settings_out.additional_properties = d
        return settings_out

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
