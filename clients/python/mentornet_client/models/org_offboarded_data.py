from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrgOffboardedData")


@_attrs_define
class OrgOffboardedData:
    """The payload of `mentornet.org-offboarded.v1` as partners receive it. Withheld from partners: user_ids. A member org
    left the consortium (``mentornet orgs offboard``), its data exported for it first: every service drops the org's
    store, removes the consortium's rows about it (its cards in the directory, its facts) and erases each of its people
    (``user_ids``) wherever they appear, as on ``user-erased``.

        Attributes:
            org_id (str):
            offboarded_at (datetime.datetime):
    """

    org_id: str
    offboarded_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        offboarded_at = self.offboarded_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "offboarded_at": offboarded_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        offboarded_at = datetime.datetime.fromisoformat(d.pop("offboarded_at"))

        org_offboarded_data = cls(
            org_id=org_id,
            offboarded_at=offboarded_at,
        )

        org_offboarded_data.additional_properties = d
        return org_offboarded_data

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
