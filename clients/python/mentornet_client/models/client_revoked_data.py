from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ClientRevokedData")


@_attrs_define
class ClientRevokedData:
    """The payload of `mentornet.client-revoked.v1` as partners receive it. An org revoked one of its API clients: its
    tokens no longer work anywhere, and what it registered (webhook endpoints) stops.

        Attributes:
            client_id (str):
            org_id (str):
            revoked_at (datetime.datetime):
    """

    client_id: str
    org_id: str
    revoked_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        org_id = self.org_id

        revoked_at = self.revoked_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "org_id": org_id,
                "revoked_at": revoked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        org_id = d.pop("org_id")

        revoked_at = datetime.datetime.fromisoformat(d.pop("revoked_at"))

        client_revoked_data = cls(
            client_id=client_id,
            org_id=org_id,
            revoked_at=revoked_at,
        )

        client_revoked_data.additional_properties = d
        return client_revoked_data

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
