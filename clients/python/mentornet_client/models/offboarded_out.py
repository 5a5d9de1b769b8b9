from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OffboardedOut")


@_attrs_define
class OffboardedOut:
    """identity has forgotten the org; every other service drops its store and erases its people on
    ``org-offboarded``. No export of its data was made (``mentornet orgs offboard --to`` makes one).

        Attributes:
            org_id (str):
            slug (str):
            people (int): How many people of the org identity erased (their tokens revoked).
            offboarded_at (datetime.datetime):
            status (str | Unset):  Default: "offboarding: every service drops the org's store and erases its people within
                seconds".
    """

    org_id: str
    slug: str
    people: int
    offboarded_at: datetime.datetime
    status: str | Unset = "offboarding: every service drops the org's store and erases its people within seconds"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        slug = self.slug

        people = self.people

        offboarded_at = self.offboarded_at.isoformat()

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "slug": slug,
                "people": people,
                "offboarded_at": offboarded_at,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        slug = d.pop("slug")

        people = d.pop("people")

        offboarded_at = datetime.datetime.fromisoformat(d.pop("offboarded_at"))

        status = d.pop("status", UNSET)

        offboarded_out = cls(
            org_id=org_id,
            slug=slug,
            people=people,
            offboarded_at=offboarded_at,
            status=status,
        )

        offboarded_out.additional_properties = d
        return offboarded_out

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
