from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AskClosedData")


@_attrs_define
class AskClosedData:
    """The payload of `mentornet.ask-closed.v1` as partners receive it. Withheld from partners: reason.

    Attributes:
        ask_id (str):
        mentee_id (str):
        mentee_org_id (str):
        status (str):
        closed_at (datetime.datetime):
    """

    ask_id: str
    mentee_id: str
    mentee_org_id: str
    status: str
    closed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ask_id = self.ask_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        status = self.status

        closed_at = self.closed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ask_id": ask_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "status": status,
                "closed_at": closed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ask_id = d.pop("ask_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        status = d.pop("status")

        closed_at = datetime.datetime.fromisoformat(d.pop("closed_at"))

        ask_closed_data = cls(
            ask_id=ask_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            status=status,
            closed_at=closed_at,
        )

        ask_closed_data.additional_properties = d
        return ask_closed_data

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
