from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.follow_up_recorded_data_resolved import (
    FollowUpRecordedDataResolved,
    check_follow_up_recorded_data_resolved,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="FollowUpRecordedData")


@_attrs_define
class FollowUpRecordedData:
    """The payload of `mentornet.follow-up-recorded.v1` as partners receive it. Withheld from partners: what_i_did.

    Attributes:
        session_id (str):
        ask_id (str):
        mentor_id (str):
        mentor_org_id (str):
        mentee_id (str):
        mentee_org_id (str):
        follow_up_id (str):
        resolved (FollowUpRecordedDataResolved):
        recorded_at (datetime.datetime):
        shared_with_mentor (bool | Unset):  Default: False.
    """

    session_id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    follow_up_id: str
    resolved: FollowUpRecordedDataResolved
    recorded_at: datetime.datetime
    shared_with_mentor: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        ask_id = self.ask_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        follow_up_id = self.follow_up_id

        resolved: str = self.resolved

        recorded_at = self.recorded_at.isoformat()

        shared_with_mentor = self.shared_with_mentor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "ask_id": ask_id,
                "mentor_id": mentor_id,
                "mentor_org_id": mentor_org_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "follow_up_id": follow_up_id,
                "resolved": resolved,
                "recorded_at": recorded_at,
            }
        )
        if shared_with_mentor is not UNSET:
            field_dict["shared_with_mentor"] = shared_with_mentor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        ask_id = d.pop("ask_id")

        mentor_id = d.pop("mentor_id")

        mentor_org_id = d.pop("mentor_org_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        follow_up_id = d.pop("follow_up_id")

        resolved = check_follow_up_recorded_data_resolved(d.pop("resolved"))

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        shared_with_mentor = d.pop("shared_with_mentor", UNSET)

        follow_up_recorded_data = cls(
            session_id=session_id,
            ask_id=ask_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            follow_up_id=follow_up_id,
            resolved=resolved,
            recorded_at=recorded_at,
            shared_with_mentor=shared_with_mentor,
        )

        follow_up_recorded_data.additional_properties = d
        return follow_up_recorded_data

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
