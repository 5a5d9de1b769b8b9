from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoIn")


@_attrs_define
class SsoIn:
    """
    Attributes:
        issuer (str): The provider's issuer; discovery is read from it.
        client_id (str): mentornet's client at the provider.
        client_secret (str): Write-only; stored encrypted.
        scopes (list[str] | Unset):
        groups_claim (str | Unset): The ID token claim listing the person's groups; mapped to roles by the org's
            group_roles setting. Default: 'groups'.
        jit_create (bool | Unset): Create a person at their first sign-in. Default: True.
        allow_passwords (bool | Unset): Whether the org's people may still sign in with a mentornet password. Default:
            True.
        exchange_audiences (list[str] | Unset): Client ids at the provider (the org's portals) whose ID tokens the org's
            API clients may exchange to act for a person; mentornet's own client_id is always accepted.
    """

    issuer: str
    client_id: str
    client_secret: str
    scopes: list[str] | Unset = UNSET
    groups_claim: str | Unset = "groups"
    jit_create: bool | Unset = True
    allow_passwords: bool | Unset = True
    exchange_audiences: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issuer = self.issuer

        client_id = self.client_id

        client_secret = self.client_secret

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = self.scopes

        groups_claim = self.groups_claim

        jit_create = self.jit_create

        allow_passwords = self.allow_passwords

        exchange_audiences: list[str] | Unset = UNSET
        if not isinstance(self.exchange_audiences, Unset):
            exchange_audiences = self.exchange_audiences

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": client_secret,
            }
        )
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if groups_claim is not UNSET:
            field_dict["groups_claim"] = groups_claim
        if jit_create is not UNSET:
            field_dict["jit_create"] = jit_create
        if allow_passwords is not UNSET:
            field_dict["allow_passwords"] = allow_passwords
        if exchange_audiences is not UNSET:
            field_dict["exchange_audiences"] = exchange_audiences

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        issuer = d.pop("issuer")

        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        scopes = cast(list[str], d.pop("scopes", UNSET))

        groups_claim = d.pop("groups_claim", UNSET)

        jit_create = d.pop("jit_create", UNSET)

        allow_passwords = d.pop("allow_passwords", UNSET)

        exchange_audiences = cast(list[str], d.pop("exchange_audiences", UNSET))

        sso_in = cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            groups_claim=groups_claim,
            jit_create=jit_create,
            allow_passwords=allow_passwords,
            exchange_audiences=exchange_audiences,
        )

        sso_in.additional_properties = d
        return sso_in

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
