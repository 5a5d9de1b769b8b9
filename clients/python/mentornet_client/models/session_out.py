from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.session_out_status import SessionOutStatus, check_session_out_status

if TYPE_CHECKING:
    from ..models.person_card import PersonCard
    from ..models.time_range import TimeRange


T = TypeVar("T", bound="SessionOut")


@_attrs_define
class SessionOut:
    """
    Attributes:
        id (str):
        ask_id (str):
        mentor_id (str):
        mentor_org_id (str):
        mentee_id (str):
        mentee_org_id (str):
        status (SessionOutStatus):
        start_at (datetime.datetime | None):
        expires_at (datetime.datetime | None):
        free_time (list[TimeRange]):
        slots (list[datetime.datetime]):
        absent_id (None | str):
        duration_minutes (int):
        question (str):
        background (str):
        success_criteria (str):
        skills (list[str]):
        score (float):
        reasons (list[str]):
        mentee_card (None | PersonCard):
        reason (None | str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    status: SessionOutStatus
    start_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    free_time: list[TimeRange]
    slots: list[datetime.datetime]
    absent_id: None | str
    duration_minutes: int
    question: str
    background: str
    success_criteria: str
    skills: list[str]
    score: float
    reasons: list[str]
    mentee_card: None | PersonCard
    reason: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.person_card import PersonCard  # noqa: PLC0415

        id = self.id

        ask_id = self.ask_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        status: str = self.status

        start_at: None | str
        if isinstance(self.start_at, datetime.datetime):
            start_at = self.start_at.isoformat()
        else:
            start_at = self.start_at

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        free_time = []
        for free_time_item_data in self.free_time:
            free_time_item = free_time_item_data.to_dict()
            free_time.append(free_time_item)

        slots = []
        for slots_item_data in self.slots:
            slots_item = slots_item_data.isoformat()
            slots.append(slots_item)

        absent_id: None | str
        absent_id = self.absent_id

        duration_minutes = self.duration_minutes

        question = self.question

        background = self.background

        success_criteria = self.success_criteria

        skills = self.skills

        score = self.score

        reasons = self.reasons

        mentee_card: dict[str, Any] | None
        if isinstance(self.mentee_card, PersonCard):
            mentee_card = self.mentee_card.to_dict()
        else:
            mentee_card = self.mentee_card

        reason: None | str
        reason = self.reason

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "ask_id": ask_id,
                "mentor_id": mentor_id,
                "mentor_org_id": mentor_org_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "status": status,
                "start_at": start_at,
                "expires_at": expires_at,
                "free_time": free_time,
                "slots": slots,
                "absent_id": absent_id,
                "duration_minutes": duration_minutes,
                "question": question,
                "background": background,
                "success_criteria": success_criteria,
                "skills": skills,
                "score": score,
                "reasons": reasons,
                "mentee_card": mentee_card,
                "reason": reason,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person_card import PersonCard  # noqa: PLC0415
        from ..models.time_range import TimeRange  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        ask_id = d.pop("ask_id")

        mentor_id = d.pop("mentor_id")

        mentor_org_id = d.pop("mentor_org_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        status = check_session_out_status(d.pop("status"))

        def _parse_start_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_at_type_0 = datetime.datetime.fromisoformat(data)

                return start_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        start_at = _parse_start_at(d.pop("start_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        free_time = []
        _free_time = d.pop("free_time")
        for free_time_item_data in _free_time:
            free_time_item = TimeRange.from_dict(free_time_item_data)

            free_time.append(free_time_item)

        slots = []
        _slots = d.pop("slots")
        for slots_item_data in _slots:
            slots_item = datetime.datetime.fromisoformat(slots_item_data)

            slots.append(slots_item)

        def _parse_absent_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        absent_id = _parse_absent_id(d.pop("absent_id"))

        duration_minutes = d.pop("duration_minutes")

        question = d.pop("question")

        background = d.pop("background")

        success_criteria = d.pop("success_criteria")

        skills = cast(list[str], d.pop("skills"))

        score = d.pop("score")

        reasons = cast(list[str], d.pop("reasons"))

        def _parse_mentee_card(data: object) -> None | PersonCard:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mentee_card_type_0 = PersonCard.from_dict(data)

                return mentee_card_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PersonCard, data)

        mentee_card = _parse_mentee_card(d.pop("mentee_card"))

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        session_out = cls(
            id=id,
            ask_id=ask_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            status=status,
            start_at=start_at,
            expires_at=expires_at,
            free_time=free_time,
            slots=slots,
            absent_id=absent_id,
            duration_minutes=duration_minutes,
            question=question,
            background=background,
            success_criteria=success_criteria,
            skills=skills,
            score=score,
            reasons=reasons,
            mentee_card=mentee_card,
            reason=reason,
            created_at=created_at,
            updated_at=updated_at,
        )

        session_out.additional_properties = d
        return session_out

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
