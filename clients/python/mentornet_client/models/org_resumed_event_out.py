from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.org_resumed_data import OrgResumedData


T = TypeVar("T", bound="OrgResumedEventOut")


@_attrs_define
class OrgResumedEventOut:
    """A `mentornet.org-resumed.v1` event in the feed.

    Attributes:
        cursor (str): Its place in the org's feed: send it as `?after=` to read on.
        id (str): The event id (CloudEvents `id`): the same wherever it is delivered.
        type_ (Literal['mentornet.org-resumed.v1']): The event type (CloudEvents `type`).
        topic (str): The Kafka topic it travelled on.
        subject (str): The aggregate it is about (CloudEvents `subject`).
        time (datetime.datetime): When it happened.
        data (OrgResumedData): The payload of `mentornet.org-resumed.v1` as partners receive it. The operator lifted an
            org's suspension: its people and clients may sign in again, its webhooks that the suspension paused resume.
    """

    cursor: str
    id: str
    type_: Literal["mentornet.org-resumed.v1"]
    topic: str
    subject: str
    time: datetime.datetime
    data: OrgResumedData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cursor = self.cursor

        id = self.id

        type_ = self.type_

        topic = self.topic

        subject = self.subject

        time = self.time.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cursor": cursor,
                "id": id,
                "type": type_,
                "topic": topic,
                "subject": subject,
                "time": time,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org_resumed_data import OrgResumedData  # noqa: PLC0415

        d = dict(src_dict)
        cursor = d.pop("cursor")

        id = d.pop("id")

        type_ = cast(Literal["mentornet.org-resumed.v1"], d.pop("type"))
        if type_ != "mentornet.org-resumed.v1":
            raise ValueError(f"type must match const 'mentornet.org-resumed.v1', got '{type_}'")

        topic = d.pop("topic")

        subject = d.pop("subject")

        time = datetime.datetime.fromisoformat(d.pop("time"))

        data = OrgResumedData.from_dict(d.pop("data"))

        org_resumed_event_out = cls(
            cursor=cursor,
            id=id,
            type_=type_,
            topic=topic,
            subject=subject,
            time=time,
            data=data,
        )

        org_resumed_event_out.additional_properties = d
        return org_resumed_event_out

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
