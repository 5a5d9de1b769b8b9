from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.journal_entry_kind import JournalEntryKind, check_journal_entry_kind
from ..models.journal_entry_role import JournalEntryRole, check_journal_entry_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.journal_entry_shown_to_me import JournalEntryShownToMe


T = TypeVar("T", bound="JournalEntry")


@_attrs_define
class JournalEntry:
    """
    Attributes:
        kind (JournalEntryKind):
        at (datetime.datetime):
        role (JournalEntryRole):
        ask_id (str):
        status (str):
        session_id (None | str | Unset):
        question (None | str | Unset):
        success_criteria (None | str | Unset):
        skills (list[str] | Unset):
        status_reason (None | str | Unset):
        start_at (datetime.datetime | None | Unset):
        with_person (None | str | Unset):
        my_rating (int | None | Unset):
        learned (None | str | Unset):
        follow_up (None | str | Unset):
        follow_up_resolved (None | str | Unset):
        shown_to_me (JournalEntryShownToMe | Unset):
    """

    kind: JournalEntryKind
    at: datetime.datetime
    role: JournalEntryRole
    ask_id: str
    status: str
    session_id: None | str | Unset = UNSET
    question: None | str | Unset = UNSET
    success_criteria: None | str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    status_reason: None | str | Unset = UNSET
    start_at: datetime.datetime | None | Unset = UNSET
    with_person: None | str | Unset = UNSET
    my_rating: int | None | Unset = UNSET
    learned: None | str | Unset = UNSET
    follow_up: None | str | Unset = UNSET
    follow_up_resolved: None | str | Unset = UNSET
    shown_to_me: JournalEntryShownToMe | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind: str = self.kind

        at = self.at.isoformat()

        role: str = self.role

        ask_id = self.ask_id

        status = self.status

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id

        question: None | str | Unset
        if isinstance(self.question, Unset):
            question = UNSET
        else:
            question = self.question

        success_criteria: None | str | Unset
        if isinstance(self.success_criteria, Unset):
            success_criteria = UNSET
        else:
            success_criteria = self.success_criteria

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        status_reason: None | str | Unset
        if isinstance(self.status_reason, Unset):
            status_reason = UNSET
        else:
            status_reason = self.status_reason

        start_at: None | str | Unset
        if isinstance(self.start_at, Unset):
            start_at = UNSET
        elif isinstance(self.start_at, datetime.datetime):
            start_at = self.start_at.isoformat()
        else:
            start_at = self.start_at

        with_person: None | str | Unset
        if isinstance(self.with_person, Unset):
            with_person = UNSET
        else:
            with_person = self.with_person

        my_rating: int | None | Unset
        if isinstance(self.my_rating, Unset):
            my_rating = UNSET
        else:
            my_rating = self.my_rating

        learned: None | str | Unset
        if isinstance(self.learned, Unset):
            learned = UNSET
        else:
            learned = self.learned

        follow_up: None | str | Unset
        if isinstance(self.follow_up, Unset):
            follow_up = UNSET
        else:
            follow_up = self.follow_up

        follow_up_resolved: None | str | Unset
        if isinstance(self.follow_up_resolved, Unset):
            follow_up_resolved = UNSET
        else:
            follow_up_resolved = self.follow_up_resolved

        shown_to_me: dict[str, Any] | Unset = UNSET
        if not isinstance(self.shown_to_me, Unset):
            shown_to_me = self.shown_to_me.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "at": at,
                "role": role,
                "ask_id": ask_id,
                "status": status,
            }
        )
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if question is not UNSET:
            field_dict["question"] = question
        if success_criteria is not UNSET:
            field_dict["success_criteria"] = success_criteria
        if skills is not UNSET:
            field_dict["skills"] = skills
        if status_reason is not UNSET:
            field_dict["status_reason"] = status_reason
        if start_at is not UNSET:
            field_dict["start_at"] = start_at
        if with_person is not UNSET:
            field_dict["with_person"] = with_person
        if my_rating is not UNSET:
            field_dict["my_rating"] = my_rating
        if learned is not UNSET:
            field_dict["learned"] = learned
        if follow_up is not UNSET:
            field_dict["follow_up"] = follow_up
        if follow_up_resolved is not UNSET:
            field_dict["follow_up_resolved"] = follow_up_resolved
        if shown_to_me is not UNSET:
            field_dict["shown_to_me"] = shown_to_me

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.journal_entry_shown_to_me import JournalEntryShownToMe  # noqa: PLC0415

        d = dict(src_dict)
        kind = check_journal_entry_kind(d.pop("kind"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        role = check_journal_entry_role(d.pop("role"))

        ask_id = d.pop("ask_id")

        status = d.pop("status")

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))

        def _parse_question(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        question = _parse_question(d.pop("question", UNSET))

        def _parse_success_criteria(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        success_criteria = _parse_success_criteria(d.pop("success_criteria", UNSET))

        skills = cast(list[str], d.pop("skills", UNSET))

        def _parse_status_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_reason = _parse_status_reason(d.pop("status_reason", UNSET))

        def _parse_start_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_at_type_0 = datetime.datetime.fromisoformat(data)

                return start_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start_at = _parse_start_at(d.pop("start_at", UNSET))

        def _parse_with_person(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        with_person = _parse_with_person(d.pop("with_person", UNSET))

        def _parse_my_rating(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        my_rating = _parse_my_rating(d.pop("my_rating", UNSET))

        def _parse_learned(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        learned = _parse_learned(d.pop("learned", UNSET))

        def _parse_follow_up(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        follow_up = _parse_follow_up(d.pop("follow_up", UNSET))

        def _parse_follow_up_resolved(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        follow_up_resolved = _parse_follow_up_resolved(d.pop("follow_up_resolved", UNSET))

        _shown_to_me = d.pop("shown_to_me", UNSET)
        shown_to_me: JournalEntryShownToMe | Unset
        if isinstance(_shown_to_me, Unset):
            shown_to_me = UNSET
        else:
            shown_to_me = JournalEntryShownToMe.from_dict(_shown_to_me)

        journal_entry = cls(
            kind=kind,
            at=at,
            role=role,
            ask_id=ask_id,
            status=status,
            session_id=session_id,
            question=question,
            success_criteria=success_criteria,
            skills=skills,
            status_reason=status_reason,
            start_at=start_at,
            with_person=with_person,
            my_rating=my_rating,
            learned=learned,
            follow_up=follow_up,
            follow_up_resolved=follow_up_resolved,
            shown_to_me=shown_to_me,
        )

        journal_entry.additional_properties = d
        return journal_entry

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
