from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SsoOut")


@_attrs_define
class SsoOut:
    """
    Attributes:
        org_id (str):
        issuer (str):
        client_id (str):
        scopes (list[str]):
        groups_claim (str):
        jit_create (bool):
        allow_passwords (bool):
        exchange_audiences (list[str]):
        redirect_uri (str): Register this at the provider as mentornet's redirect URI.
        login_url (str): Where the org's people start signing in.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    org_id: str
    issuer: str
    client_id: str
    scopes: list[str]
    groups_claim: str
    jit_create: bool
    allow_passwords: bool
    exchange_audiences: list[str]
    redirect_uri: str
    login_url: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        issuer = self.issuer

        client_id = self.client_id

        scopes = self.scopes

        groups_claim = self.groups_claim

        jit_create = self.jit_create

        allow_passwords = self.allow_passwords

        exchange_audiences = self.exchange_audiences

        redirect_uri = self.redirect_uri

        login_url = self.login_url

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "issuer": issuer,
                "client_id": client_id,
                "scopes": scopes,
                "groups_claim": groups_claim,
                "jit_create": jit_create,
                "allow_passwords": allow_passwords,
                "exchange_audiences": exchange_audiences,
                "redirect_uri": redirect_uri,
                "login_url": login_url,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        issuer = d.pop("issuer")

        client_id = d.pop("client_id")

        scopes = cast(list[str], d.pop("scopes"))

        groups_claim = d.pop("groups_claim")

        jit_create = d.pop("jit_create")

        allow_passwords = d.pop("allow_passwords")

        exchange_audiences = cast(list[str], d.pop("exchange_audiences"))

        redirect_uri = d.pop("redirect_uri")

        login_url = d.pop("login_url")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        sso_out = cls(
            org_id=org_id,
            issuer=issuer,
            client_id=client_id,
            scopes=scopes,
            groups_claim=groups_claim,
            jit_create=jit_create,
            allow_passwords=allow_passwords,
            exchange_audiences=exchange_audiences,
            redirect_uri=redirect_uri,
            login_url=login_url,
            created_at=created_at,
            updated_at=updated_at,
        )

        sso_out.additional_properties = d
        return sso_out

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
