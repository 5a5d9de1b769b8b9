from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_in_group_roles import SettingsInGroupRoles


T = TypeVar("T", bound="SettingsIn")


@_attrs_define
class SettingsIn:
    """
    Attributes:
        email_domains (list[str] | None | Unset): Every address of the org's people must be in one of these. Only a
            consortium operator changes them (the consortium vouches that the org holds them); omitted or unchanged, they
            stay.
        group_roles (SettingsInGroupRoles | Unset): A group of the org's identity provider (an ID token's groups claim,
            or a SCIM group's displayName) and the mentornet role its members hold.
    """

    email_domains: list[str] | None | Unset = UNSET
    group_roles: SettingsInGroupRoles | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email_domains: list[str] | None | Unset
        if isinstance(self.email_domains, Unset):
            email_domains = UNSET
        elif isinstance(self.email_domains, list):
            email_domains = self.email_domains

        else:
            email_domains = self.email_domains

        group_roles: dict[str, Any] | Unset = UNSET
        if not isinstance(self.group_roles, Unset):
            group_roles = self.group_roles.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email_domains is not UNSET:
            field_dict["email_domains"] = email_domains
        if group_roles is not UNSET:
            field_dict["group_roles"] = group_roles

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_in_group_roles import SettingsInGroupRoles  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_email_domains(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                email_domains_type_0 = cast(list[str], data)

                return email_domains_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        email_domains = _parse_email_domains(d.pop("email_domains", UNSET))

        _group_roles = d.pop("group_roles", UNSET)
        group_roles: SettingsInGroupRoles | Unset
        if isinstance(_group_roles, Unset):
            group_roles = UNSET
        else:
            group_roles = SettingsInGroupRoles.from_dict(_group_roles)

        settings_in = cls(
            email_domains=email_domains,
            group_roles=group_roles,
        )

        settings_in.additional_properties = d
        return settings_in

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
