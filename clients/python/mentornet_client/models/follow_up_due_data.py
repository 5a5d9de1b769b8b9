from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FollowUpDueData")


@_attrs_define
class FollowUpDueData:
    """The payload of `mentornet.follow-up-due.v1` as partners receive it. A completed session's follow-up is due: the
    mentee is asked how they applied the advice.

        Attributes:
            session_id (str):
            ask_id (str):
            mentor_id (str):
            mentor_org_id (str):
            mentee_id (str):
            mentee_org_id (str):
            completed_at (datetime.datetime):
            due_at (datetime.datetime):
    """

    session_id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    completed_at: datetime.datetime
    due_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        ask_id = self.ask_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        completed_at = self.completed_at.isoformat()

        due_at = self.due_at.isoformat()

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
                "completed_at": completed_at,
                "due_at": due_at,
            }
        )

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

        completed_at = datetime.datetime.fromisoformat(d.pop("completed_at"))

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        follow_up_due_data = cls(
            session_id=session_id,
            ask_id=ask_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            completed_at=completed_at,
            due_at=due_at,
        )

        follow_up_due_data.additional_properties = d
        return follow_up_due_data

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
