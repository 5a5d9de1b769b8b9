from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.org_offboarded_data import OrgOffboardedData


T = TypeVar("T", bound="OrgOffboardedWebhook")


@_attrs_define
class OrgOffboardedWebhook:
    """The body of a `mentornet.org-offboarded.v1` webhook delivery.

    Attributes:
        id (str): The event id, also sent as `webhook-id`: de-duplicate on it.
        type_ (Literal['mentornet.org-offboarded.v1']): The event type.
        subject (str): The aggregate it is about.
        cursor (str): Its place in the org's feed (`GET /v1/events?after=`).
        time (datetime.datetime): When it happened.
        data (OrgOffboardedData): The payload of `mentornet.org-offboarded.v1` as partners receive it. Withheld from
            partners: user_ids. A member org left the consortium (``mentornet orgs offboard``), its data exported for it
            first: every service drops the org's store, removes the consortium's rows about it (its cards in the directory,
            its facts) and erases each of its people (``user_ids``) wherever they appear, as on ``user-erased``.
    """

    id: str
    type_: Literal["mentornet.org-offboarded.v1"]
    subject: str
    cursor: str
    time: datetime.datetime
    data: OrgOffboardedData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        subject = self.subject

        cursor = self.cursor

        time = self.time.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "subject": subject,
                "cursor": cursor,
                "time": time,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org_offboarded_data import OrgOffboardedData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = cast(Literal["mentornet.org-offboarded.v1"], d.pop("type"))
        if type_ != "mentornet.org-offboarded.v1":
            raise ValueError(f"type must match const 'mentornet.org-offboarded.v1', got '{type_}'")

        subject = d.pop("subject")

        cursor = d.pop("cursor")

        time = datetime.datetime.fromisoformat(d.pop("time"))

        data = OrgOffboardedData.from_dict(d.pop("data"))

        org_offboarded_webhook = cls(
            id=id,
            type_=type_,
            subject=subject,
            cursor=cursor,
            time=time,
            data=data,
        )

        org_offboarded_webhook.additional_properties = d
        return org_offboarded_webhook

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
