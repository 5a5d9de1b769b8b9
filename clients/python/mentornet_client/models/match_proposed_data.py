from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.match_proposed_data_duration_minutes import (
    MatchProposedDataDurationMinutes,
    check_match_proposed_data_duration_minutes,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchProposedData")


@_attrs_define
class MatchProposedData:
    """The payload of `mentornet.match-proposed.v1` as partners receive it. Withheld from partners: background, free_time,
    mentee_card, question, reasons, slots, success_criteria.

        Attributes:
            proposal_id (str):
            ask_id (str):
            mentee_id (str):
            mentee_org_id (str):
            mentor_id (str):
            mentor_org_id (str):
            score (float):
            skills (list[str]):
            duration_minutes (MatchProposedDataDurationMinutes):
            proposed_at (datetime.datetime):
            expires_at (datetime.datetime | None | Unset): When an unanswered offer lapses (`match-expired`) and the next
                mentor is asked.
            reverse_mentoring (bool | Unset): The mentor described themself as more junior than the mentee. Default: False.
            mentor_timezone (None | str | Unset):
    """

    proposal_id: str
    ask_id: str
    mentee_id: str
    mentee_org_id: str
    mentor_id: str
    mentor_org_id: str
    score: float
    skills: list[str]
    duration_minutes: MatchProposedDataDurationMinutes
    proposed_at: datetime.datetime
    expires_at: datetime.datetime | None | Unset = UNSET
    reverse_mentoring: bool | Unset = False
    mentor_timezone: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        proposal_id = self.proposal_id

        ask_id = self.ask_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        score = self.score

        skills = self.skills

        duration_minutes: int = self.duration_minutes

        proposed_at = self.proposed_at.isoformat()

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        reverse_mentoring = self.reverse_mentoring

        mentor_timezone: None | str | Unset
        if isinstance(self.mentor_timezone, Unset):
            mentor_timezone = UNSET
        else:
            mentor_timezone = self.mentor_timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "proposal_id": proposal_id,
                "ask_id": ask_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "mentor_id": mentor_id,
                "mentor_org_id": mentor_org_id,
                "score": score,
                "skills": skills,
                "duration_minutes": duration_minutes,
                "proposed_at": proposed_at,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if reverse_mentoring is not UNSET:
            field_dict["reverse_mentoring"] = reverse_mentoring
        if mentor_timezone is not UNSET:
            field_dict["mentor_timezone"] = mentor_timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        proposal_id = d.pop("proposal_id")

        ask_id = d.pop("ask_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        mentor_id = d.pop("mentor_id")

        mentor_org_id = d.pop("mentor_org_id")

        score = d.pop("score")

        skills = cast(list[str], d.pop("skills"))

        duration_minutes = check_match_proposed_data_duration_minutes(d.pop("duration_minutes"))

        proposed_at = datetime.datetime.fromisoformat(d.pop("proposed_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        reverse_mentoring = d.pop("reverse_mentoring", UNSET)

        def _parse_mentor_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mentor_timezone = _parse_mentor_timezone(d.pop("mentor_timezone", UNSET))

        match_proposed_data = cls(
            proposal_id=proposal_id,
            ask_id=ask_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            score=score,
            skills=skills,
            duration_minutes=duration_minutes,
            proposed_at=proposed_at,
            expires_at=expires_at,
            reverse_mentoring=reverse_mentoring,
            mentor_timezone=mentor_timezone,
        )

        match_proposed_data.additional_properties = d
        return match_proposed_data

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
