from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientPublic")


@_attrs_define
class ClientPublic:
    """
    Attributes:
        client_id (str):
        org_id (str):
        name (str):
        scopes (list[str]):
        created_at (datetime.datetime):
        revoked_at (datetime.datetime | None):
        key_ids (list[str] | Unset): The kids of the client's registered public keys.
    """

    client_id: str
    org_id: str
    name: str
    scopes: list[str]
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    key_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        org_id = self.org_id

        name = self.name

        scopes = self.scopes

        created_at = self.created_at.isoformat()

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        key_ids: list[str] | Unset = UNSET
        if not isinstance(self.key_ids, Unset):
            key_ids = self.key_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "org_id": org_id,
                "name": name,
                "scopes": scopes,
                "created_at": created_at,
                "revoked_at": revoked_at,
            }
        )
        if key_ids is not UNSET:
            field_dict["key_ids"] = key_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        org_id = d.pop("org_id")

        name = d.pop("name")

        scopes = cast(list[str], d.pop("scopes"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        key_ids = cast(list[str], d.pop("key_ids", UNSET))

        client_public = cls(
            client_id=client_id,
            org_id=org_id,
            name=name,
            scopes=scopes,
            created_at=created_at,
            revoked_at=revoked_at,
            key_ids=key_ids,
        )

        client_public.additional_properties = d
        return client_public

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
