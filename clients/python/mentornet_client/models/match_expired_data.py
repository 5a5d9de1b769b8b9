from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MatchExpiredData")


@_attrs_define
class MatchExpiredData:
    """The payload of `mentornet.match-expired.v1` as partners receive it. Withheld from partners: reason. The mentor did
    not answer an offer before its ``expires_at``; matching proposes the next mentor.

        Attributes:
            session_id (str):
            ask_id (str):
            mentor_id (str):
            mentor_org_id (str):
            mentee_id (str):
            mentee_org_id (str):
            proposal_id (str):
            expired_at (datetime.datetime):
    """

    session_id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    proposal_id: str
    expired_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        ask_id = self.ask_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        proposal_id = self.proposal_id

        expired_at = self.expired_at.isoformat()

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
                "proposal_id": proposal_id,
                "expired_at": expired_at,
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

        proposal_id = d.pop("proposal_id")

        expired_at = datetime.datetime.fromisoformat(d.pop("expired_at"))

        match_expired_data = cls(
            session_id=session_id,
            ask_id=ask_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            proposal_id=proposal_id,
            expired_at=expired_at,
        )

        match_expired_data.additional_properties = d
        return match_expired_data

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
